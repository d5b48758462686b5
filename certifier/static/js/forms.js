/* Forms in error: focus moves to the error summary (the `autofocus` attribute does it where
   supported), and each of its links moves focus to its field, scrolled to with its label in view.
   Without JavaScript the summary is still at the top of the form and its links still jump. */
(function () {
  "use strict";

  function start() {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) {
      return;
    }
    if (document.activeElement !== summary) {
      summary.focus();
    }
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var field = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!field) {
        return;
      }
      event.preventDefault();
      var label = document.querySelector("label[for='" + field.id + "']") || field;
      (field.closest("fieldset") || label).scrollIntoView();
      field.focus({ preventScroll: true });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
