// The cart without leaving the page. Without JavaScript every form here posts and the
// server redirects, as ever; with it:
// - the add-to-cart form (product page) posts with fetch and asks for JSON
//   (shop/cart/views.py answers JSON to Accept: application/json), then updates the
//   header's count and says what happened in the status line (role="status");
// - the cart page's forms (−, +, Cập nhật, Bỏ) post with fetch and the cart is
//   replaced by the page the server redirects to: one rendering, the server's.
// /cart/add is exempt from the CSRF token (cached pages) and checks the origin, which
// fetch sends; the cart page's forms carry their token in the form data.
(function () {
  "use strict";
  if (!window.fetch || !window.FormData || !window.DOMParser) return;

  var status = document.querySelector("[data-cart-status]");

  function announce(message, isError) {
    if (!status) return;
    status.classList.toggle("is-error", !!isError);
    status.textContent = message;
    var url = status.dataset.cartUrl;
    if (url && !isError) {
      var link = document.createElement("a");
      link.href = url;
      link.textContent = status.dataset.cartLink;
      status.appendChild(document.createTextNode(" "));
      status.appendChild(link);
    }
  }

  function setCount(count, label) {
    var link = document.querySelector(".cart-link");
    if (!link) return;
    var badge = link.querySelector(".badge");
    if (!badge) {
      badge = document.createElement("span");
      badge.className = "badge";
      link.appendChild(document.createTextNode(" "));
      link.appendChild(badge);
    }
    badge.textContent = String(count);
    if (label) badge.setAttribute("aria-label", label);
    badge.hidden = !count;
  }

  function post(form, accept) {
    return fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { Accept: accept },
    });
  }

  function addToCart(form, button) {
    button.disabled = true;
    post(form, "application/json")
      .then(function (response) {
        var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        if (!json) throw {};
        return response.json().then(function (data) {
          if (!response.ok) throw data; // a CartError: its message is for the buyer
          return data;
        });
      })
      .then(function (data) {
        setCount(data.cart.item_count);
        announce(data.message, false);
      })
      .catch(function (error) {
        var message = error && typeof error.description === "string" && error.description;
        announce(message || (status && status.dataset.cartFailed) || "", true);
      })
      .then(function () { button.disabled = false; });
  }

  function changeCart(form, button) {
    var body = document.getElementById("cart-body");
    var focusId = button && button.id;
    body.setAttribute("aria-busy", "true");
    body.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    post(form, "text/html")
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.getElementById("cart-body");
        if (!fresh) throw new Error("no cart");
        body.replaceWith(fresh);
        var badge = page.querySelector(".cart-link .badge");
        setCount(badge ? Number(badge.textContent) || 0 : 0, badge && badge.getAttribute("aria-label"));
        var flashes = Array.prototype.map.call(page.querySelectorAll("main .flash"), function (f) {
          return f.textContent.trim();
        });
        announce(flashes.join(" "), false);
        var target = (focusId && document.getElementById(focusId)) || fresh.querySelector("h1");
        if (target === fresh.querySelector("h1")) target.setAttribute("tabindex", "-1");
        target.focus();
      })
      .catch(function () { form.submit(); }); // the page the server would have shown
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter || form.querySelector("[type=submit]");
    if (form.matches("form.add-to-cart")) {
      event.preventDefault();
      addToCart(form, button);
    } else if (form.matches("[data-cart-form]") && document.getElementById("cart-body")) {
      event.preventDefault();
      changeCart(form, button);
    }
  });
})();
