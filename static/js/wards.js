// Progressive enhancement: when the province changes, load its wards.
// Without JavaScript the form still works: the server renders the wards of the
// province chosen on the previous submit.
document.querySelectorAll("select[data-wards-target]").forEach(function (province) {
  var ward = document.getElementById(province.dataset.wardsTarget);
  if (!ward) return;
  var placeholder = ward.options.length ? ward.options[0].text : "";
  var latest = 0; // only the answer for the province chosen last may fill the list
  province.addEventListener("change", function () {
    var mine = ++latest;
    ward.length = 0;
    ward.add(new Option(placeholder, ""));
    if (!province.value) return;
    fetch("/localities/" + encodeURIComponent(province.value) + "/wards.json", {
      headers: { Accept: "application/json" },
    })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (wards) {
        if (mine !== latest) return;
        wards.forEach(function (w) { ward.add(new Option(w.name, w.code)); });
      });
  });
});
