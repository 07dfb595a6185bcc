// Campaign builder typeahead (progressive enhancement). Without JavaScript the
// search is a GET form whose answer lists the matches with "Thêm" buttons; with it,
// the same list is filled while typing from the JSON endpoint, and each "Thêm"
// is the same POST form the server would render.
(function () {
  var input = document.querySelector("input[data-typeahead]");
  var list = document.getElementById("product-results");
  var status = document.getElementById("product-results-status");
  if (!input || !list || !status || !window.fetch) return;
  var min = parseInt(input.dataset.min || "2", 10);
  var latest = 0; // only the answer to the last keystroke may fill the list
  var timer = null;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) node.textContent = text;
    return node;
  }

  function row(item, q) {
    var li = el("li");
    var name = el("span", { class: "result-name" }, item.name + " ");
    name.appendChild(el("span", { class: "stars", "aria-label": item.stars + " sao" },
      "★★★★★".slice(0, item.stars)));
    name.appendChild(el("br"));
    name.appendChild(el("small", { class: "muted" }, item.producer + " · " + item.province));
    li.appendChild(name);
    if (item.added) {
      li.appendChild(el("span", { class: "badge badge-active" }, list.dataset.labelAdded));
      return li;
    }
    var form = el("form", { method: "post", action: list.dataset.addUrl, class: "inline" });
    form.appendChild(el("input", { type: "hidden", name: "csrf_token", value: list.dataset.csrf }));
    form.appendChild(el("input", { type: "hidden", name: "product_id", value: String(item.id) }));
    form.appendChild(el("input", { type: "hidden", name: "q", value: q }));
    form.appendChild(el("button", { type: "submit", class: "small",
      "aria-label": list.dataset.labelAdd + " " + item.name }, list.dataset.labelAdd));
    li.appendChild(form);
    return li;
  }

  function search() {
    var q = input.value.trim();
    var mine = ++latest;
    if (q.length < min) {
      list.textContent = "";
      status.textContent = "";
      return;
    }
    fetch(input.dataset.typeahead + "?q=" + encodeURIComponent(q), {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (items) {
        if (mine !== latest || items === null) return;
        list.textContent = "";
        items.forEach(function (item) { list.appendChild(row(item, q)); });
        status.textContent = items.length
          ? list.dataset.labelFound.replace("{n}", String(items.length))
          : list.dataset.labelNone;
      })
      .catch(function () { /* the form still submits without us */ });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(search, 200);
  });
  // Down arrow from the box goes to the first "Thêm" button.
  input.addEventListener("keydown", function (event) {
    if (event.key !== "ArrowDown") return;
    var first = list.querySelector("button");
    if (first) { event.preventDefault(); first.focus(); }
  });
})();
