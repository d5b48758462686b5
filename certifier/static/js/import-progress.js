/* Progressive enhancement of the candidates import form: a <progress> bar while the file is sent,
   then « Vérification des lignes en cours… » while the server checks every row. Without
   JavaScript the form is posted normally and the server answers with the same result page. */
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
      bar.removeAttribute("value"); /* indeterminate: the server is reading the rows */
      status.textContent = "Vérification des lignes en cours…";
    });
    request.addEventListener("load", function () {
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
    if (window.history && request.responseURL) {
      window.history.pushState(null, "", request.responseURL);
    }
    main.focus();
    enhance(main);
  }

  enhance(document);
})();
