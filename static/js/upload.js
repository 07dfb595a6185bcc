// A form marked data-upload-progress sends its files with XMLHttpRequest and shows
// how much has gone up; the server answers JSON with the page to go to (its messages
// wait there). Without JavaScript, or without XMLHttpRequest upload events, the form
// posts as usual.
(function () {
  "use strict";
  document.querySelectorAll("form[data-upload-progress]").forEach(function (form) {
    var box = form.querySelector(".upload-progress");
    var bar = box && box.querySelector("progress");
    var status = box && box.querySelector("[data-upload-status]");
    var submit = form.querySelector("button[type=submit]");
    if (!box || !bar || !window.FormData) return;
    var xhrProbe = new XMLHttpRequest();
    if (!xhrProbe.upload) return;

    form.addEventListener("submit", function (event) {
      var files = form.querySelector("input[type=file]");
      if (!files || !files.files.length) return; // the server says what is missing
      event.preventDefault();
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable) return;
        var percent = Math.round((e.loaded / e.total) * 100);
        bar.value = percent;
        status.textContent = percent + " %";
      });
      xhr.upload.addEventListener("load", function () {
        bar.removeAttribute("value"); // indeterminate: the server checks the photos
        status.textContent = "Đang xử lý ảnh…";
      });
      xhr.addEventListener("load", function () {
        var answer = null;
        try { answer = JSON.parse(xhr.responseText); } catch (e) { answer = null; }
        if (xhr.status >= 200 && xhr.status < 300 && answer && answer.location) {
          var target = new URL(answer.location, window.location.href);
          if (target.pathname === window.location.pathname && target.search === window.location.search) {
            window.location.hash = target.hash; // the same page: load it again, at the photos
            window.location.reload();
          } else {
            window.location.assign(target.href);
          }
          return;
        }
        fail(xhr.status === 413 ? "Ảnh quá lớn để tải lên." : "Không tải được ảnh lên. Hãy thử lại.");
      });
      xhr.addEventListener("error", function () { fail("Mất kết nối khi tải ảnh. Hãy thử lại."); });
      box.hidden = false;
      bar.value = 0;
      status.textContent = "0 %";
      submit.disabled = true;
      xhr.send(new FormData(form));
    });

    function fail(message) {
      status.textContent = message;
      bar.value = 0;
      submit.disabled = false;
    }
  });
})();
