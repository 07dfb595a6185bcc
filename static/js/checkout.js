// Card payment needs Stripe.js, so the checkout offers it only when scripts
// run: the choice is rendered hidden (with a <noscript> note saying why) and
// shown here.
(function () {
  document.querySelectorAll("[data-needs-js]").forEach(function (element) {
    element.hidden = false;
  });
})();
