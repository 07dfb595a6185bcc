// The product gallery: each thumbnail is a link to its photo in the page (#photo-2),
// which works without JavaScript. Here a tap slides the strip to that photo instead of
// jumping the page, and the thumbnail of the photo in view is marked.
(function () {
  "use strict";
  var strip = document.querySelector("[data-gallery]");
  if (!strip) return;
  var thumbs = Array.prototype.slice.call(document.querySelectorAll("[data-gallery-thumb]"));
  var smooth = !window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function mark(index) {
    thumbs.forEach(function (a, i) {
      if (i === index) a.setAttribute("aria-current", "true");
      else a.removeAttribute("aria-current");
    });
  }

  thumbs.forEach(function (a, index) {
    a.addEventListener("click", function (event) {
      var slide = document.getElementById(a.hash.slice(1));
      if (!slide) return;
      event.preventDefault();
      strip.scrollTo({ left: slide.offsetLeft, behavior: smooth ? "smooth" : "auto" });
      mark(index);
    });
  });

  var pending = 0;
  strip.addEventListener("scroll", function () {
    clearTimeout(pending);
    pending = setTimeout(function () {
      mark(Math.round(strip.scrollLeft / Math.max(strip.clientWidth, 1)));
    }, 80);
  }, { passive: true });
})();
