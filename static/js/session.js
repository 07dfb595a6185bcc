// Fills in what a shared (edge-cached) page leaves out for this visitor: the
// signed-in links and name, the cart count and flashed messages, from
// /session.json (never cached). Without JavaScript the page still works: the
// cart, the account pages and the forms are all plain links and forms.
(function () {
  "use strict";
  var script = document.currentScript;
  var url = script && script.dataset.sessionUrl;
  if (!url || !window.fetch) return;

  function show(selector, visible) {
    document.querySelectorAll(selector).forEach(function (el) { el.hidden = !visible; });
  }

  fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (s) {
      if (!s) return;
      var badge = document.querySelector("[data-cart-count]");
      if (badge && s.cart_count) {
        badge.textContent = String(s.cart_count);
        badge.setAttribute("aria-label", s.cart_label);
        badge.hidden = false;
      }
      if (s.signed_in) {
        show("[data-for=guest]", false);
        show("[data-for=signed-in]", true);
        show("[data-for=" + s.role + "]", true);
        document.querySelectorAll("[data-user-name]").forEach(function (el) { el.textContent = s.name; });
        document.querySelectorAll("[data-csrf-token]").forEach(function (el) { el.value = s.csrf_token; });
        document.querySelectorAll("[data-user-email]").forEach(function (el) { if (!el.value) el.value = s.email || ""; });
        // Saved products (templates/wishlist/_button.html): the button says so.
        (s.wishlist || []).forEach(function (id) {
          document.querySelectorAll('[data-wishlist-product="' + Number(id) + '"] button').forEach(function (b) {
            b.setAttribute("aria-pressed", "true");
            b.querySelector(".heart").textContent = "\u2665";
            b.querySelector(".save-label").textContent = b.dataset.savedLabel;
          });
        });
      }
      var area = document.querySelector("[data-flashes]");
      (s.flashes || []).forEach(function (f) {
        if (!area) return;
        var div = document.createElement("div");
        div.className = "flash flash-" + String(f.category).replace(/[^a-z]/g, "");
        div.setAttribute("role", "status");
        div.textContent = f.message;
        area.appendChild(div);
      });
    })
    .catch(function () { /* the page stays as it is for a guest */ });
})();
