// One-tap copy buttons (VietQR account, amount and content; an order's link).
// Without JavaScript the buttons stay hidden and the values are plain,
// selectable text. A button names its source: data-copy-from="id", whose
// data-copy-value (or an input's value, or its text) is what is copied.
(function () {
  function fallbackCopy(text) {
    // Older browsers, or a page not served over HTTPS: a hidden textarea.
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "sr-only";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return fallbackCopy(text); });
    }
    return fallbackCopy(text);
  }

  function valueOf(source) {
    if (source.dataset.copyValue !== undefined) return source.dataset.copyValue;
    if ("value" in source && source.tagName === "INPUT") return source.value;
    return source.textContent.trim();
  }

  document.querySelectorAll("[data-copy-from]").forEach(function (button) {
    var source = document.getElementById(button.dataset.copyFrom);
    if (!source) return;
    var done = button.parentNode.querySelector(".copy-done");
    var timer = null;
    button.hidden = false;
    button.addEventListener("click", function () {
      copy(valueOf(source)).then(
        function () {
          // The words come from the page (translated there): "Đã chép".
          if (done) done.textContent = done.dataset.done;
          button.classList.add("is-copied");
          clearTimeout(timer);
          timer = setTimeout(function () {
            if (done) done.textContent = "";
            button.classList.remove("is-copied");
          }, 2500);
        },
        function () {
          // Could not copy: select the text so a long press copies it.
          if (source.select) { source.select(); return; }
          var range = document.createRange();
          range.selectNodeContents(source);
          var selection = window.getSelection();
          selection.removeAllRanges();
          selection.addRange(range);
        }
      );
    });
  });
})();
