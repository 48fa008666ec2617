/* Égide's only script: streams answers into the page and follows batch jobs.
 * Everything works without it (forms post and redirect); with it, the answer appears as the
 * model writes it. No inline script anywhere: the Content-Security-Policy forbids it. */
"use strict";

(function () {
  function csrfToken(form) {
    var field = form.querySelector("input[name=csrf_token]");
    return field ? field.value : "";
  }

  function setStatus(node, text) {
    if (node) { node.textContent = text; }
  }

  // A form names the section its answer streams into (data-egide-stream="ID": ID, ID-texte,
  // ID-etat, ID-suite, ID-lien); empty, it is the request page's « reponse ».
  function streamAnswer(form) {
    var base = form.getAttribute("data-egide-stream") || "reponse";
    var section = document.getElementById(base);
    var output = document.getElementById(base + "-texte");
    var status = document.getElementById(base + "-etat");
    var next = document.getElementById(base + "-suite");
    var link = document.getElementById(base === "reponse" ? "lien-brouillon" : base + "-lien");
    var errorId = base === "reponse" ? "erreur-envoi" : base + "-erreur";
    var button = form.querySelector("button[type=submit]");
    if (!section || !output) { return false; }
    section.hidden = false;
    output.textContent = "";
    if (next) { next.hidden = true; }
    var previous = document.getElementById(errorId);
    if (previous) { previous.remove(); }
    setStatus(status, "Envoi en cours : la réponse s'affiche au fur et à mesure…");
    if (button) { button.disabled = true; }

    function fail(message) {
      var alert = document.createElement("div");
      alert.className = "fr-alert fr-alert--error fr-mt-2w";
      alert.id = errorId;
      alert.setAttribute("role", "alert");
      var text = document.createElement("p");
      text.textContent = message;
      alert.appendChild(text);
      section.appendChild(alert);
      setStatus(status, "La réponse est incomplète.");
      if (button) { button.disabled = false; }
    }

    function handle(event) {
      if (event.type === "chunk") {
        output.appendChild(document.createTextNode(event.text));
      } else if (event.type === "done") {
        setStatus(status, event.status || "Réponse terminée : c'est un brouillon, à relire puis valider.");
        if (link) { link.href = event.url; }
        if (next) { next.hidden = false; }
        if (link) { link.focus(); }
        (event.warnings || []).forEach(function (warning) {
          var p = document.createElement("p");
          p.className = "fr-text--sm egide-avertissement";
          p.textContent = "Attention : " + warning + ".";
          section.insertBefore(p, next);
        });
      } else if (event.type === "error" || event.type === "refused") {
        fail(event.message);
      } else if (event.type === "preview") {
        // What would be sent must be seen first: the request's preview page.
        window.location.assign(event.url);
      }
    }

    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "Accept": "application/x-ndjson", "X-CSRF-Token": csrfToken(form) }
    }).then(function (response) {
      var type = response.headers.get("content-type") || "";
      if (type.indexOf("application/x-ndjson") !== 0 || !response.body) {
        fail("Le service a répondu de façon inattendue (" + response.status + "). Votre demande est conservée : rechargez la page.");
        return;
      }
      var reader = response.body.getReader();
      var decoder = new TextDecoder();
      var buffer = "";
      function pump() {
        return reader.read().then(function (step) {
          if (step.value) { buffer += decoder.decode(step.value, { stream: true }); }
          var end;
          while ((end = buffer.indexOf("\n")) >= 0) {
            var line = buffer.slice(0, end);
            buffer = buffer.slice(end + 1);
            if (line) { handle(JSON.parse(line)); }
          }
          if (!step.done) { return pump(); }
          return undefined;
        });
      }
      return pump();
    }).catch(function () {
      fail("La connexion avec Égide a été interrompue avant la fin de la réponse. Votre demande est conservée : rechargez la page et réessayez.");
    });
    return true;
  }

  // « Copier » beside an answer: shown only where the clipboard can be written.
  function copyTexts() {
    if (!(navigator.clipboard && window.isSecureContext)) { return; }
    Array.prototype.forEach.call(document.querySelectorAll("[data-egide-copy-text]"), function (button) {
      var label = button.textContent;
      button.hidden = false;
      button.addEventListener("click", function () {
        var source = document.getElementById(button.getAttribute("data-egide-copy-text"));
        if (!source) { return; }
        navigator.clipboard.writeText(source.textContent).then(function () {
          button.textContent = "Copié";
          window.setTimeout(function () { button.textContent = label; }, 2000);
        }, function () {
          button.textContent = "Copie refusée par le navigateur";
        });
      });
    });
  }

  function followBatch(panel) {
    var url = panel.getAttribute("data-egide-batch");
    var status = document.getElementById("lot-etat");
    var bar = document.getElementById("lot-progression");
    function tick() {
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (state) {
          if (bar) { bar.value = state.done; bar.max = state.total || 1; }
          setStatus(status, state.message);
          if (state.finished) {
            window.location.reload();
          } else {
            window.setTimeout(tick, 1500);
          }
        })
        .catch(function () { window.setTimeout(tick, 5000); });
    }
    window.setTimeout(tick, 1000);
  }

  // DSFR's responsive header without DSFR's script: below 992 px, « Menu » opens the modal
  // that holds the tools and the navigation. Without this script the button is a link to the
  // menu, which the style sheet shows (:target); with it, the modal behaves as DSFR's does.
  function responsiveMenu() {
    var button = document.getElementById("bouton-menu");
    var modal = document.getElementById("menu-principal");
    var close = document.getElementById("bouton-fermer-menu");
    if (!button || !modal || !close) { return; }
    var wide = window.matchMedia ? window.matchMedia("(min-width: 62em)") : null;
    button.setAttribute("role", "button");
    button.setAttribute("aria-expanded", "false");
    close.setAttribute("role", "button");

    function isOpen() { return modal.classList.contains("fr-modal--opened"); }
    function focusables() {
      return Array.prototype.filter.call(
        modal.querySelectorAll("a[href], button:not([disabled]), input:not([type=hidden])"),
        function (node) { return node.offsetParent !== null; });
    }
    function open() {
      modal.classList.add("fr-modal--opened");
      // Applied at once, before it becomes a dialog (DSFR fades dialogs in): a modal still
      // hidden at the start of its fade could not take the focus.
      void modal.offsetWidth;
      modal.setAttribute("role", "dialog");
      modal.setAttribute("aria-modal", "true");
      button.setAttribute("aria-expanded", "true");
      document.documentElement.classList.add("egide-menu-ouvert");
      close.focus();
    }
    function shut(giveFocusBack) {
      if (!isOpen()) { return; }
      modal.classList.remove("fr-modal--opened");
      modal.removeAttribute("role");
      modal.removeAttribute("aria-modal");
      button.setAttribute("aria-expanded", "false");
      document.documentElement.classList.remove("egide-menu-ouvert");
      if (giveFocusBack) { button.focus(); }
    }
    button.addEventListener("click", function (event) { event.preventDefault(); open(); });
    close.addEventListener("click", function (event) { event.preventDefault(); shut(true); });
    document.addEventListener("keydown", function (event) {
      if (!isOpen()) { return; }
      if (event.key === "Escape") { shut(true); return; }
      if (event.key !== "Tab") { return; }
      var nodes = focusables();
      if (!nodes.length) { return; }
      var first = nodes[0];
      var last = nodes[nodes.length - 1];
      if (event.shiftKey && document.activeElement === first) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first.focus();
      }
    });
    if (wide && wide.addEventListener) {
      wide.addEventListener("change", function () { if (wide.matches) { shut(false); } });
    }
  }

  // A page that answers a form with an error shows it at the top and moves the focus there,
  // so that the agent (and a screen reader) reads it first, wherever the form was.
  function focusError() {
    var target = document.querySelector("[data-egide-focus]") ||
      document.querySelector("main [aria-invalid=true]");
    if (target) { target.focus(); }
  }

  // Recovery codes: copy them or print them (the download link works without the script).
  function codeActions() {
    var copy = document.querySelector("[data-egide-copy]");
    var print = document.querySelector("[data-egide-print]");
    var status = document.getElementById("etat-copie");
    if (copy && navigator.clipboard && window.isSecureContext) {
      copy.hidden = false;
      copy.addEventListener("click", function () {
        var list = document.getElementById(copy.getAttribute("data-egide-copy"));
        var codes = Array.prototype.map.call(list.querySelectorAll("code"), function (node) {
          return node.textContent;
        });
        navigator.clipboard.writeText(codes.join("\n") + "\n").then(function () {
          setStatus(status, "Les " + codes.length + " codes sont copiés : collez-les dans un endroit sûr, puis effacez-les du presse-papiers.");
        }, function () {
          setStatus(status, "La copie a été refusée par le navigateur : téléchargez ou notez les codes.");
        });
      });
    }
    if (print && window.print) {
      print.hidden = false;
      print.addEventListener("click", function () { window.print(); });
    }
  }

  // A template's form: a field that applies only for some choice (« si » in the template) is
  // shown only while that choice is made. Without the script every field is shown with its
  // condition in words, and the server ignores a field whose condition does not hold.
  function conditionalFields(form) {
    var blocks = form.querySelectorAll("[data-egide-si]");
    if (!blocks.length) { return; }
    function valueOf(name) {
      var field = form.elements["champ_" + name];
      return field ? field.value : "";
    }
    function update() {
      Array.prototype.forEach.call(blocks, function (block) {
        var conditions = JSON.parse(block.getAttribute("data-egide-si"));
        block.hidden = !Object.keys(conditions).every(function (name) {
          return conditions[name].indexOf(valueOf(name)) >= 0;
        });
      });
    }
    form.addEventListener("change", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    responsiveMenu();
    focusError();
    codeActions();
    if (window.fetch && window.ReadableStream) {
      Array.prototype.forEach.call(document.querySelectorAll("form[data-egide-stream]"), function (form) {
        form.addEventListener("submit", function (event) {
          if (streamAnswer(form)) { event.preventDefault(); }
        });
      });
    }
    copyTexts();
    var templateForm = document.getElementById("form-modele");
    if (templateForm) { conditionalFields(templateForm); }
    var panel = document.querySelector("[data-egide-batch]");
    if (panel && window.fetch) { followBatch(panel); }
  });
})();
