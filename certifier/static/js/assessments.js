/* Progressive enhancement of the scoring grid: each change is saved at once and the proposal of
   the decision engine is refreshed in its live region. Without JavaScript the grid is saved with
   its button and the page comes back with the same proposal. */
(function () {
  "use strict";

  var form = document.querySelector("form[data-live-scoring]");
  if (!form || !window.fetch || !window.FormData || !window.DOMParser) {
    return;
  }
  var status = document.getElementById("proposition-statut");
  var queue = Promise.resolve();

  form.addEventListener("change", function (event) {
    var input = event.target;
    if (input.type === "radio") {
      if (!input.value) {
        return; /* « Non évalué »: nothing to save */
      }
      dropNotAssessed(input);
    } else if (!scored(input)) {
      return; /* a comment waits for its criterion's score */
    }
    queue = queue.then(save);
  });

  function dropNotAssessed(input) {
    var notAssessed = form.querySelector('input[type=radio][name="' + input.name + '"][value=""]');
    if (notAssessed) {
      notAssessed.closest("label").remove();
    }
  }

  function scored(comment) {
    var name = comment.name.replace(/^comment-/, "score-");
    var checked = form.querySelector('input[type=radio][name="' + name + '"]:checked');
    return checked !== null && checked.value !== "";
  }

  function save() {
    return fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-Live-Save": "1" } /* the page shows the result in place: no message kept for later */
    })
      .then(function (response) {
        if (!response.ok || !response.redirected) {
          form.submit(); /* the server refused a value: show its page with the errors */
          return null;
        }
        return response.text().then(refresh);
      })
      .catch(function () {
        status.textContent = "L'enregistrement automatique a échoué : utilisez le bouton « Enregistrer la grille ».";
      });
  }

  function refresh(html) {
    var page = new DOMParser().parseFromString(html, "text/html");
    ["proposition-statut", "proposition-competences"].forEach(function (id) {
      var fresh = page.getElementById(id);
      var current = document.getElementById(id);
      if (fresh && current) {
        current.innerHTML = fresh.innerHTML;
      }
    });
  }
})();
