/* Progressive enhancement of the marks grid: Enter moves to the next row's mark (Shift+Enter to the
   previous one) instead of saving the grid, as in a spreadsheet. On the last row Enter still saves.
   Without JavaScript, Tab moves down the column and Enter saves. */
(function () {
  "use strict";

  var form = document.querySelector("form[data-mark-grid]");
  if (!form) {
    return;
  }
  var inputs = Array.prototype.slice.call(form.querySelectorAll("input[data-mark]"));

  form.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !event.target.hasAttribute("data-mark")) {
      return;
    }
    var next = inputs[inputs.indexOf(event.target) + (event.shiftKey ? -1 : 1)];
    if (!next) {
      if (event.shiftKey) {
        event.preventDefault(); /* already on the first row */
      }
      return; /* the last row: Enter saves the grid */
    }
    event.preventDefault();
    next.focus();
    next.select();
  });
})();
