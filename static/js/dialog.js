// A link with data-dialog="id" opens that <dialog> instead of its page; the
// page stays the way without JavaScript. Links marked data-close-dialog close it.
(function () {
  "use strict";
  document.querySelectorAll("a[data-dialog]").forEach(function (link) {
    var dialog = document.getElementById(link.dataset.dialog);
    if (!dialog || typeof dialog.showModal !== "function") return;
    link.addEventListener("click", function (event) {
      event.preventDefault();
      dialog.showModal();
      var first = dialog.querySelector("textarea, input:not([type=hidden]), button");
      if (first) first.focus();
    });
    dialog.querySelectorAll("[data-close-dialog]").forEach(function (close) {
      close.addEventListener("click", function (event) {
        event.preventDefault();
        dialog.close();
        link.focus();
      });
    });
  });
})();
