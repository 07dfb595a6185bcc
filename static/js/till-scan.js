// The till's camera scanning, an extra beside the USB scanner (which types the
// number into the field and presses Enter, with no script at all). The browser's
// own BarcodeDetector when it has one for EAN-13 and QR codes; otherwise the ZXing
// library the shop serves itself (static/vendor/zxing, Apache-2.0), loaded only
// when the camera is switched on. What is read goes into the field and the form is
// sent as if typed.
(function () {
  var form = document.querySelector("[data-till-scan]");
  var script = document.currentScript;
  if (!form || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
  var button = form.querySelector("[data-camera]");
  var box = form.querySelector("[data-camera-box]");
  var video = form.querySelector("[data-camera-video]");
  var status = form.querySelector("[data-camera-status]");
  var stopButton = form.querySelector("[data-camera-stop]");
  var input = form.querySelector("input[name=code]");
  var zxingUrl = script && script.getAttribute("data-zxing");
  var stream = null;
  var reader = null;
  var running = false;
  button.hidden = false;

  function say(key) { status.textContent = box.getAttribute("data-" + key) || ""; }

  function stop() {
    running = false;
    if (reader) { reader.reset(); reader = null; }
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
    video.srcObject = null;
    box.hidden = true;
    input.focus();
  }

  function found(text) {
    if (!running) return;
    input.value = text;
    stop();
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  }

  function fail() { say("msg-failed"); running = false; }

  function withDetector(detector) {
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (s) {
      stream = s;
      video.srcObject = s;
      video.play();
      running = true;
      say("msg-scanning");
      (function tick() {
        if (!running) return;
        detector.detect(video).then(function (codes) {
          if (codes.length) found(codes[0].rawValue); else requestAnimationFrame(tick);
        }, function () { requestAnimationFrame(tick); });
      })();
    }, fail);
  }

  function withZxing() {
    var Z = window.ZXing;
    var hints = new Map();
    hints.set(Z.DecodeHintType.POSSIBLE_FORMATS,
      [Z.BarcodeFormat.EAN_13, Z.BarcodeFormat.UPC_A, Z.BarcodeFormat.QR_CODE]);
    reader = new Z.BrowserMultiFormatReader(hints);
    running = true;
    say("msg-scanning");
    reader.decodeFromConstraints({ video: { facingMode: "environment" } }, video, function (result) {
      if (result) found(result.getText());
    }).catch(fail);
  }

  function loadZxing() {
    if (window.ZXing) return withZxing();
    var tag = document.createElement("script");
    tag.src = zxingUrl;
    tag.onload = withZxing;
    tag.onerror = fail;
    document.head.appendChild(tag);
  }

  button.addEventListener("click", function () {
    box.hidden = false;
    say("msg-starting");
    if ("BarcodeDetector" in window) {
      window.BarcodeDetector.getSupportedFormats().then(function (formats) {
        var wanted = ["ean_13", "upc_a", "qr_code"].filter(function (f) { return formats.indexOf(f) >= 0; });
        if (wanted.indexOf("ean_13") < 0) return loadZxing();
        withDetector(new window.BarcodeDetector({ formats: wanted }));
      }, loadZxing);
    } else {
      loadZxing();
    }
  });
  stopButton.addEventListener("click", stop);
})();
