/* Progressive enhancement of the import forms and of the job page.
   Forms: a <progress> bar while the file is sent. The server stores the file and redirects to the
   job's page; a form in error comes back in place.
   Job page: while the job waits or runs, its status is fetched again every few seconds and updated
   in place (a polite live region); once the job is over, the page shows its outcome.
   Without JavaScript the form is posted normally and the job page reloads itself (<noscript>). */
(function () {
  "use strict";

  function enhance(root) {
    root.querySelectorAll("form[data-import-progress]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.FormData || !window.DOMParser || !form.checkValidity()) {
          return;
        }
        event.preventDefault();
        send(form);
      });
    });
  }

  function send(form) {
    var bar = form.querySelector("progress");
    var status = form.querySelector("[role=status]");
    var button = form.querySelector("button[type=submit]");
    var request = new XMLHttpRequest();

    button.disabled = true;
    bar.hidden = false;
    bar.value = 0;
    status.textContent = "Envoi du fichier…";

    request.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) {
        bar.max = event.total;
        bar.value = event.loaded;
      }
    });
    request.upload.addEventListener("load", function () {
      bar.removeAttribute("value"); /* indeterminate: the server is storing the file */
      status.textContent = "Enregistrement du fichier…";
    });
    request.addEventListener("load", function () {
      if (request.responseURL && request.responseURL.split("#")[0] !== form.action) {
        window.location.assign(request.responseURL); /* the job's page */
        return;
      }
      show(request, form, status, button);
    });
    request.addEventListener("error", function () {
      bar.hidden = true;
      button.disabled = false;
      status.textContent = "L'envoi du fichier a échoué : vérifiez votre connexion, puis réessayez.";
    });
    request.open("POST", form.action);
    request.send(new FormData(form));
  }

  function show(request, form, status, button) {
    var page = new DOMParser().parseFromString(request.responseText, "text/html");
    var main = page.querySelector("main");
    if (!main) {
      button.disabled = false;
      status.textContent = "Le serveur n'a pas pu traiter le fichier (erreur " + request.status + ").";
      return;
    }
    document.title = page.title;
    document.querySelector("main").replaceWith(main);
    main.focus();
    enhance(main);
  }

  function follow(status) {
    var delay = 1000 * Number(status.getAttribute("data-job-waiting"));
    window.setTimeout(function () {
      var request = new XMLHttpRequest();
      request.addEventListener("load", function () {
        var page = new DOMParser().parseFromString(request.responseText, "text/html");
        var fresh = page.querySelector("[data-job-waiting]");
        var main = page.querySelector("main");
        if (fresh) {
          status.innerHTML = fresh.innerHTML;
          follow(status);
        } else if (main) {
          document.querySelector("main").replaceWith(main);
          main.focus();
        }
      });
      request.addEventListener("error", function () {
        follow(status); /* a lost connection: try again */
      });
      request.open("GET", window.location.href);
      request.send();
    }, delay);
  }

  enhance(document);
  var waiting = document.querySelector("[data-job-waiting]");
  if (waiting) {
    follow(waiting);
  }
})();
