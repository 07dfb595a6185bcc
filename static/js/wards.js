// Progressive enhancement of the address fields.
//
// 1. When the province changes, load its wards into the ward <select>.
// 2. The ward <select> (hundreds of entries in a big province) gets a text box
//    in front of it: an ARIA combobox that filters the province's wards without
//    diacritics ("ben nghe" finds "Phường Bến Nghé") and sets the select's value.
//
// Without JavaScript the form still works: the plain select stays, and the server
// renders the wards of the province chosen on the previous submit. The select
// stays in the form (visually hidden) and is what is submitted.
(function () {
  var MAX_SHOWN = 60; // enough to scroll; typing narrows the rest

  function fold(text) {
    return text
      .replace(/đ/g, "d").replace(/Đ/g, "D")
      .normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .toLowerCase().replace(/\s+/g, " ").trim();
  }

  // Words match at their start: "ben" finds "Phường Bến Thành", not "Phường Ô Bến".
  function at_word(folded, query) {
    var at = folded.indexOf(query);
    while (at > 0 && folded.charAt(at - 1) !== " ") at = folded.indexOf(query, at + 1);
    return at;
  }

  // Current names first, then wards found by a name they had before 1 July 2025
  // ("ben nghe" finds "Phường Sài Gòn", once Phường Bến Nghé).
  function matches(query, wards) {
    if (!query) return wards.slice();
    var named = [], formerly = [];
    wards.forEach(function (w) {
      if (at_word(w.folded, query) >= 0) { named.push(w); return; }
      var old = w.former.filter(function (name) { return at_word(fold(name), query) >= 0; });
      if (old.length) formerly.push({ code: w.code, name: w.name, folded: w.folded, former: w.former, was: old });
    });
    return named.concat(formerly);
  }

  function enhanceWard(select) {
    if (select.dataset.combobox) return;
    select.dataset.combobox = "1";
    var id = select.id;
    var label = document.querySelector("label[for='" + id + "']");
    var input = document.createElement("input");
    var list = document.createElement("ul");
    var status = document.createElement("p");
    input.type = "text";
    input.id = id + "-search";
    input.className = "combobox-input";
    input.autocomplete = "off";
    input.spellcheck = false;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", id + "-listbox");
    ["aria-describedby", "aria-invalid"].forEach(function (name) {
      if (select.hasAttribute(name)) input.setAttribute(name, select.getAttribute(name));
    });
    list.id = id + "-listbox";
    list.className = "combobox-list";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    status.className = "sr-only";
    status.setAttribute("role", "status");
    if (label) {
      label.htmlFor = input.id;
      list.setAttribute("aria-label", label.textContent.trim());
    }
    input.placeholder = select.options.length ? select.options[0].text : "";

    // The select stays the form's value; only the text box is seen and focused.
    select.classList.add("sr-only");
    select.setAttribute("aria-hidden", "true");
    select.tabIndex = -1;
    select.addEventListener("focus", function () { input.focus(); }); // error summary links

    var wrap = document.createElement("div");
    wrap.className = "combobox";
    select.parentNode.insertBefore(wrap, select);
    wrap.appendChild(input);
    wrap.appendChild(list);
    wrap.appendChild(status);

    var shown = [];
    var active = -1;
    var former = {}; // ward code -> names before 1 July 2025, from wards.json
    select.addEventListener("wards:former", function (e) { former = e.detail || {}; });

    function wards() {
      var out = [];
      for (var i = 0; i < select.options.length; i++) {
        var o = select.options[i];
        if (o.value) {
          out.push({ code: o.value, name: o.text, folded: fold(o.text), former: former[o.value] || [] });
        }
      }
      return out;
    }

    function chosenName() {
      var o = select.options[select.selectedIndex];
      return o && o.value ? o.text : "";
    }

    function setActive(index) {
      var items = list.children;
      if (active >= 0 && items[active]) items[active].setAttribute("aria-selected", "false");
      active = index;
      if (active >= 0 && items[active]) {
        items[active].setAttribute("aria-selected", "true");
        input.setAttribute("aria-activedescendant", items[active].id);
        items[active].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      setActive(-1);
    }

    function open() {
      var all = wards();
      var query = fold(input.value === chosenName() ? "" : input.value);
      var found = matches(query, all);
      shown = found.slice(0, MAX_SHOWN);
      list.textContent = "";
      active = -1;
      shown.forEach(function (w, i) {
        var li = document.createElement("li");
        li.id = id + "-option-" + w.code;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.dataset.index = String(i);
        li.textContent = w.name;
        if (w.was) {
          var hint = document.createElement("small");
          hint.textContent = (select.dataset.formerly || "trước đây:") + " " + w.was.join(", ");
          li.appendChild(document.createTextNode(" "));
          li.appendChild(hint);
        }
        list.appendChild(li);
      });
      if (!all.length) {
        status.textContent = select.options.length ? select.options[0].text : "";
      } else if (!found.length) {
        status.textContent = select.dataset.noneFound || "Không tìm thấy xã/phường phù hợp.";
      } else {
        status.textContent = found.length + " " + (select.dataset.found || "xã/phường") +
          (found.length > shown.length ? " " + (select.dataset.typeMore || "(gõ thêm để thu hẹp)") : "");
      }
      if (!shown.length) { close(); return; }
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      if (query) setActive(0);
    }

    function choose(index) {
      var w = shown[index];
      if (!w) return;
      select.value = w.code;
      select.dispatchEvent(new Event("change", { bubbles: true }));
      input.value = w.name;
      close();
    }

    input.value = chosenName();

    input.addEventListener("input", function () {
      // Typing drops the previous choice: no stale ward goes with the form.
      if (select.value && input.value !== chosenName()) select.value = "";
      open();
    });
    input.addEventListener("focus", function () { if (input.value === "") open(); });
    input.addEventListener("click", function () { if (list.hidden) open(); });
    input.addEventListener("keydown", function (e) {
      var expanded = !list.hidden;
      if (e.key === "ArrowDown") {
        e.preventDefault();
        if (!expanded) { open(); if (!list.hidden) setActive(0); return; }
        setActive(Math.min(active + 1, shown.length - 1));
      } else if (e.key === "ArrowUp") {
        e.preventDefault();
        if (expanded) setActive(Math.max(active - 1, 0));
      } else if (e.key === "Enter") {
        if (expanded && active >= 0) { e.preventDefault(); choose(active); }
      } else if (e.key === "Escape") {
        if (expanded) { e.preventDefault(); close(); }
        else if (!select.value) input.value = "";
      } else if (e.key === "Tab") {
        close();
      }
    });
    input.addEventListener("blur", function () {
      close();
      // An exact name typed in full counts as a choice.
      if (!select.value && input.value) {
        var typed = fold(input.value);
        var exact = wards().filter(function (w) { return w.folded === typed; });
        if (exact.length === 1) {
          select.value = exact[0].code;
          input.value = exact[0].name;
        }
      }
    });
    // A pointer choice: mousedown keeps the focus in the text box.
    list.addEventListener("mousedown", function (e) { e.preventDefault(); });
    list.addEventListener("click", function (e) {
      var li = e.target.closest("li[role=option]");
      if (li) choose(Number(li.dataset.index));
    });
    // The list was refilled (a new province) or set by a script: show its choice.
    select.addEventListener("change", function () {
      if (input.value !== chosenName()) input.value = chosenName();
    });
    select.addEventListener("wards:loaded", function () {
      input.value = chosenName();
      if (document.activeElement === input) open();
    });
  }

  function load(provinceCode) {
    return fetch("/localities/" + encodeURIComponent(provinceCode) + "/wards.json", {
      headers: { Accept: "application/json" },
    }).then(function (r) { return r.ok ? r.json() : []; });
  }

  function formerOf(wards) {
    var out = {};
    wards.forEach(function (w) { if (w.former && w.former.length) out[w.code] = w.former; });
    return out;
  }

  document.querySelectorAll("select[data-wards-target]").forEach(function (province) {
    var ward = document.getElementById(province.dataset.wardsTarget);
    if (!ward) return;
    var placeholder = ward.options.length ? ward.options[0].text : "";
    var latest = 0; // only the answer for the province chosen last may fill the list
    enhanceWard(ward);
    if (province.value) {
      // The server rendered this province's wards; fetch only their former names
      // (the same cached answer a change of province would load).
      var first = latest;
      load(province.value).then(function (wards) {
        if (first !== latest) return;
        ward.dispatchEvent(new CustomEvent("wards:former", { detail: formerOf(wards) }));
      });
    }
    province.addEventListener("change", function () {
      var mine = ++latest;
      ward.length = 0;
      ward.add(new Option(placeholder, ""));
      ward.dispatchEvent(new CustomEvent("wards:former", { detail: {} }));
      ward.dispatchEvent(new Event("wards:loaded"));
      if (!province.value) return;
      load(province.value).then(function (wards) {
        if (mine !== latest) return;
        wards.forEach(function (w) { ward.add(new Option(w.name, w.code)); });
        ward.dispatchEvent(new CustomEvent("wards:former", { detail: formerOf(wards) }));
        ward.dispatchEvent(new Event("wards:loaded"));
      });
    });
  });
})();
