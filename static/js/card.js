// Card payment with Stripe.js (localstripe's in tests and the demo): the card
// details go from the browser to Stripe only; we receive a token, attach it to
// the order's PaymentIntent on the server, and finish 3-D Secure here if asked.
(function () {
  var form = document.getElementById("card-form");
  if (!form || typeof Stripe === "undefined") return;
  var stripe = Stripe(form.dataset.key);
  var card = stripe.elements().create("card");
  card.mount("#card-element");
  var errors = document.getElementById("card-errors");
  var button = document.getElementById("card-pay");

  function fail(message) {
    errors.textContent = message || "Thanh toán không thành công. Vui lòng thử lại.";
    button.disabled = false;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    button.disabled = true;
    errors.textContent = "";
    stripe.createToken(card).then(function (result) {
      if (result.error) return fail(result.error.message);
      return fetch(form.dataset.payUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": form.dataset.csrf },
        body: JSON.stringify({ token: result.token.id }),
        credentials: "same-origin",
      })
        .then(function (r) { return r.json(); })
        .then(function (body) {
          if (body.status === "succeeded" || body.status === "processing") {
            window.location = body.next;
          } else if (body.status === "requires_action" && body.client_secret) {
            stripe.confirmCardPayment(body.client_secret).then(function (r) {
              if (r.error) return fail(r.error.message);
              window.location = body.next;
            });
          } else {
            fail(body.error);
          }
        });
    }).catch(function () { fail(); });
  });
})();
