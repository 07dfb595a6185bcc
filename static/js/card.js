// Card payment with Stripe.js (localstripe's in tests and the demo): the card
// details go from the browser to Stripe only; we receive a token, attach it to
// the order's PaymentIntent on the server, and finish 3-D Secure here if asked.
(function () {
  var form = document.getElementById("card-form");
  if (!form) return;
  var errors = document.getElementById("card-errors");
  var button = document.getElementById("card-pay");
  var failed = "Thanh toán không thành công. Vui lòng thử lại.";

  // The button stays disabled (as rendered) unless the card field is mounted:
  // submitting the bare form would only reload the page without its key.
  if (typeof Stripe === "undefined") {
    errors.textContent =
      "Không tải được cổng thanh toán thẻ. Vui lòng tải lại trang sau ít phút.";
    return;
  }
  var stripe = Stripe(form.dataset.key);
  var card = stripe.elements().create("card");
  card.mount("#card-element");
  button.disabled = false;

  function fail(message) {
    errors.textContent = (typeof message === "string" && message) || failed;
    button.disabled = false;
  }

  function payOnServer(tokenId) {
    return fetch(form.dataset.payUrl, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": form.dataset.csrf,
      },
      body: JSON.stringify({ token: tokenId }),
      credentials: "same-origin",
    }).then(function (r) {
      // An error page (400 CSRF, 500) is HTML: say so plainly, not "JSON.parse".
      return r.json().catch(function () { return { error: failed }; });
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (button.disabled) return;
    button.disabled = true;
    errors.textContent = "";
    stripe.createToken(card)
      .then(function (result) {
        if (result.error) return fail(result.error.message);
        return payOnServer(result.token.id).then(function (body) {
          if (body.status === "succeeded" || body.status === "processing") {
            window.location.assign(body.next);
          } else if (body.status === "requires_action" && body.client_secret) {
            return stripe.confirmCardPayment(body.client_secret).then(function (r) {
              if (r.error) return fail(r.error.message);
              window.location.assign(body.next);
            });
          } else {
            fail(body.error);
          }
        });
      })
      .catch(function () { fail(); });
  });
})();
