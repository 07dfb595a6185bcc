// Renders the OpenAPI document as a list of operations: parameters, responses and
// the schema of each answer. Text only (textContent), never the document as HTML.
(function () {
  "use strict";
  var root = document.getElementById("api-doc");
  if (!root) return;

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }

  function resolve(spec, obj) {
    var seen = 0;
    while (obj && obj.$ref && seen++ < 20) {
      var parts = obj.$ref.replace(/^#\//, "").split("/");
      obj = parts.reduce(function (o, k) { return o ? o[k] : undefined; }, spec);
    }
    return obj || {};
  }

  // A readable outline of a schema, with $refs expanded once per branch.
  function outline(spec, schema, depth, trail) {
    if (depth > 6) return "…";
    var name = schema && schema.$ref ? schema.$ref.split("/").pop() : null;
    if (name && trail.indexOf(name) >= 0) return name;
    var s = resolve(spec, schema);
    var next = name ? trail.concat([name]) : trail;
    if (s.anyOf) return s.anyOf.map(function (x) { return outline(spec, x, depth + 1, next); }).join(" | ");
    if (s.type === "array" || (Array.isArray(s.type) && s.type.indexOf("array") >= 0)) {
      return [outline(spec, s.items || {}, depth + 1, next)];
    }
    if (s.properties) {
      var out = {};
      Object.keys(s.properties).forEach(function (k) {
        out[k] = outline(spec, s.properties[k], depth + 1, next);
      });
      return out;
    }
    var type = Array.isArray(s.type) ? s.type.join(" | ") : (s.type || "any");
    return s.format ? type + " (" + s.format + ")" : type;
  }

  function table(headers, rows) {
    var t = el("table");
    var head = el("tr");
    headers.forEach(function (h) { head.appendChild(el("th", h)); });
    t.appendChild(head);
    rows.forEach(function (r) {
      var tr = el("tr");
      r.forEach(function (c) { tr.appendChild(el("td", c)); });
      t.appendChild(tr);
    });
    return t;
  }

  function render(spec) {
    var info = spec.info || {};
    root.appendChild(el("p", info.description));
    Object.keys(spec.paths || {}).forEach(function (path) {
      var item = spec.paths[path];
      ["get", "post", "put", "patch", "delete"].forEach(function (method) {
        var op = item[method];
        if (!op) return;
        var box = el("details", null, "op");
        var summary = el("summary");
        summary.appendChild(el("span", method.toUpperCase(), "method"));
        summary.appendChild(el("span", path, "path"));
        if (op.summary) summary.appendChild(el("span", " — " + op.summary));
        box.appendChild(summary);
        if (op.description) box.appendChild(el("p", op.description));
        if (op.security && op.security.length) {
          box.appendChild(el("p", "Needs a token: Authorization: Bearer …"));
        }
        var params = (item.parameters || []).concat(op.parameters || []).map(function (p) {
          p = resolve(spec, p);
          return [p.name, p.in, p.required ? "required" : "", JSON.stringify(outline(spec, p.schema || {}, 0, [])), p.description || ""];
        });
        if (params.length) box.appendChild(table(["parameter", "in", "", "type", "meaning"], params));
        if (op.requestBody) {
          var body = resolve(spec, op.requestBody);
          Object.keys(body.content || {}).forEach(function (type) {
            box.appendChild(el("h4", "Body (" + type + ")"));
            box.appendChild(el("pre", JSON.stringify(outline(spec, body.content[type].schema, 0, []), null, 2)));
          });
        }
        Object.keys(op.responses || {}).forEach(function (code) {
          var r = resolve(spec, op.responses[code]);
          box.appendChild(el("h4", code + " " + (r.description || "")));
          Object.keys(r.content || {}).forEach(function (type) {
            if (type === "application/problem+json") return;
            box.appendChild(el("pre", JSON.stringify(outline(spec, r.content[type].schema, 0, []), null, 2)));
          });
        });
        root.appendChild(box);
      });
    });
  }

  fetch(root.getAttribute("data-spec-url"), { headers: { Accept: "application/json" } })
    .then(function (r) { return r.json(); })
    .then(render)
    .catch(function (e) { root.appendChild(el("p", "The document could not be read: " + e)); });
})();
