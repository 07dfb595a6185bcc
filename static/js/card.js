// Card payment with Stripe.js (localstripe's in tests and the demo): the card
// details go from the browser to Stripe only; we receive a token, attach it to
// the order's PaymentIntent on the server, and finish 3-D Secure here if asked.
// Every word shown comes from the page (translated there): a progress state
// while paying, the refusal in the buyer's language, and a success message.
(function () {
  var form = document.getElementById("card-form");
  if (!form) return;
  var errors = document.getElementById("card-errors");
  var status = document.getElementById("card-status");
  var button = document.getElementById("card-pay");
  var messages = {};
  try { messages = JSON.parse(form.dataset.messages || "{}"); } catch (e) { messages = {}; }
  var failed = messages._generic || "";

  // The button stays disabled (as rendered) unless the card field is mounted:
  // submitting the bare form would only reload the page without its key.
  if (typeof Stripe === "undefined") {
    errors.textContent = form.dataset.unavailable;
    return;
  }
  var stripe = Stripe(form.dataset.key);
  var card = stripe.elements().create("card");
  card.mount("#card-element");
  button.disabled = false;

  function busy(on) {
    button.disabled = on;
    button.setAttribute("aria-busy", on ? "true" : "false");
    form.classList.toggle("is-paying", on);
    button.textContent = on ? form.dataset.processing : button.dataset.label;
    status.textContent = on ? form.dataset.processing : "";
  }

  function fail(message) {
    busy(false);
    errors.textContent = (typeof message === "string" && message) || failed;
    // Show the way out: the switch to cash on delivery or VietQR is just below.
    var other = document.getElementById("switch-method");
    if (other) other.classList.add("is-suggested");
  }

  // Stripe.js's own errors (a number it cannot tokenise) carry a code: say it
  // in the page's words, not Stripe's English.
  function tokenError(error) {
    return messages[error.code] || messages[error.decline_code] || failed;
  }

  function succeed(next) {
    status.textContent = form.dataset.success;
    button.textContent = form.dataset.success;
    form.classList.add("is-paid");
    window.location.assign(next);
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
    errors.textContent = "";
    busy(true);
    stripe.createToken(card)
      .then(function (result) {
        if (result.error) return fail(tokenError(result.error));
        return payOnServer(result.token.id).then(function (body) {
          if (body.status === "succeeded" || body.status === "processing") {
            succeed(body.next);
          } else if (body.status === "requires_action" && body.client_secret) {
            return stripe.confirmCardPayment(body.client_secret).then(function (r) {
              if (r.error) return fail(tokenError(r.error));
              succeed(body.next);
            });
          } else {
            fail(body.error);
          }
        });
      })
      .catch(function () { fail(); });
  });
})();
