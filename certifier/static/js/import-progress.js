/* Progressive enhancement of the import forms: a <progress> bar while the file is sent. The server
   stores the file and redirects to the job's page, which follows the checking of the rows; a form
   in error comes back in place. Without JavaScript the form is posted normally, to the same pages. */
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

  enhance(document);
})();
