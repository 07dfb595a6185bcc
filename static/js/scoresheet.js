// The score sheet's total and star band while one types (templates/rating/_macros.html,
// scoresheet). The same rules as shop/rating/rules.py: no band while a criterion is
// empty, none at all when a mandatory criterion is below its minimum. The server
// decides; this only shows the figure at once.
(function () {
  document.querySelectorAll("[data-scoresheet]").forEach(function (sheet) {
    var bands = JSON.parse(sheet.dataset.bands);
    var inputs = sheet.querySelectorAll("input[data-part]");
    var out = sheet.querySelector("[data-total]");
    function fill(template, values) {
      return template.replace(/\{(\w+)\}/g, function (_m, key) { return values[key]; });
    }
    function bandOf(total) {
      for (var stars in bands) {
        if (total >= bands[stars][0] && total <= bands[stars][1]) { return Number(stars); }
      }
      return null;
    }
    function update() {
      var total = 0, missing = 0, failed = [], parts = {};
      inputs.forEach(function (input) {
        var part = input.dataset.part;
        parts[part] = parts[part] || 0;
        var raw = input.value.trim();
        var max = Number(input.max);
        var value = raw === "" ? NaN : Number(raw);
        if (!Number.isInteger(value) || value < 0 || value > max) { missing += 1; return; }
        total += value;
        parts[part] += value;
        if (input.dataset.mandatory === "1" && value < Number(input.dataset.min)) {
          failed.push(input.id.replace(/^c_/, ""));
        }
      });
      Object.keys(parts).forEach(function (part) {
        var cell = sheet.querySelector('[data-part-total="' + part + '"]');
        if (cell) { cell.textContent = parts[part]; }
      });
      var text, kind, band = bandOf(total);
      if (missing) {
        text = fill(sheet.dataset.tOpen, { total: total, n: missing }); kind = "band-open";
      } else if (failed.length) {
        text = fill(sheet.dataset.tFail, { total: total, codes: failed.join(", ") }); kind = "band-fail";
      } else if (band >= 3) {
        text = fill(sheet.dataset.tOk, { total: total, n: band }) + " " + "★".repeat(band);
        if (band === 5) { text += " · " + sheet.dataset.tFive; }
        kind = "band-ok";
      } else {
        text = fill(sheet.dataset.tLow, { total: total, n: band }); kind = "band-fail";
      }
      out.innerHTML = "";
      var span = document.createElement("span");
      span.className = "band " + kind;
      span.textContent = text;
      out.appendChild(span);
    }
    inputs.forEach(function (input) { input.addEventListener("input", update); });
  });
})();
