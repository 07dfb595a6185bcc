// After a failed submit: focus the error summary (templates/_macros.html,
// form_errors), so keyboard and screen-reader users start from the list of
// errors; each entry links to its field.
(function () {
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }
})();
