/* The installable site: registers the service worker, tells it whether a member is signed in
   (it keeps the member's lists for reading offline, and forgets everything on a visitor's
   page, so after sign-out nothing of the member stays on the device), shows the offline
   banner, stops the alert form from pretending to send offline, and offers to install the
   site once a member has signed in and opened a second page. Every text shown comes from
   the page (translated). Without JavaScript or service workers, nothing of this happens. */
(function () {
  "use strict";

  var script = document.currentScript;
  var state = (script && script.getAttribute("data-pwa")) || "visitor";
  var PREFIX = "voisinage-";
  var VIEWS_KEY = "voisinage.pwa.member-views";
  var DISMISSED_KEY = "voisinage.pwa.install-dismissed";
  var ASK_AGAIN_AFTER = 90 * 24 * 3600 * 1000; /* a "Plus tard" holds for 90 days */
  var servedOffline = false;
  var installEvent = null;

  function storage() {
    try {
      return window.localStorage;
    } catch (error) {
      return null; /* private browsing on some phones */
    }
  }

  function worker() {
    if (!("serviceWorker" in navigator)) {
      return Promise.resolve(null);
    }
    return navigator.serviceWorker.ready.then(function (registration) {
      return registration.active;
    });
  }

  /* Sends a message to the worker and waits for its answer (false when there is none). */
  function ask(message) {
    return worker().then(function (active) {
      if (!active) {
        return false;
      }
      return new Promise(function (resolve) {
        var channel = new MessageChannel();
        var timer = setTimeout(function () {
          resolve(false);
        }, 5000);
        channel.port1.onmessage = function (event) {
          clearTimeout(timer);
          resolve(event.data);
        };
        active.postMessage(message, [channel.port2]);
      });
    });
  }

  /* --- Sign-out: nothing of the member stays on the device ------------------------------ */

  function forgetMember() {
    var store = storage();
    if (store) {
      store.removeItem(VIEWS_KEY);
    }
    if (!("caches" in window)) {
      return;
    }
    caches.keys().then(function (names) {
      var ours = names.filter(function (name) {
        return name.indexOf(PREFIX) === 0;
      });
      if (ours.length === 0) {
        return;
      }
      /* The worker clears in turn with what it may be storing; the page clears too, in case
         the worker is not running yet. */
      ask({ type: "signed-out" });
      ours.forEach(function (name) {
        caches.delete(name);
      });
    });
  }

  /* --- Offline ---------------------------------------------------------------------------- */

  function showOffline() {
    var offline = servedOffline || navigator.onLine === false;
    var banner = document.querySelector("[data-offline-banner]");
    if (banner) {
      banner.hidden = !offline;
    }
    var help = document.querySelector("[data-offline-alert-help]");
    if (help) {
      help.hidden = !offline;
    }
  }

  function guardAlertForm() {
    var form = document.querySelector("form.alert-form");
    var help = document.querySelector("[data-offline-alert-help]");
    if (!form || !help) {
      return;
    }
    form.addEventListener("submit", function (event) {
      if (navigator.onLine === false) {
        /* Never a silent queue: the member calls 17 or texts the relay instead. */
        event.preventDefault();
        help.hidden = false;
        help.focus();
      }
    });
  }

  /* --- Install ---------------------------------------------------------------------------- */

  function standalone() {
    return (
      (window.matchMedia && window.matchMedia("(display-mode: standalone)").matches) ||
      window.navigator.standalone === true
    );
  }

  function appleMobile() {
    var agent = navigator.userAgent || "";
    return (
      /iPhone|iPad|iPod/.test(agent) ||
      (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1)
    );
  }

  function installWanted() {
    var store = storage();
    if (!store || standalone()) {
      return false;
    }
    /* Never on the first page a member sees after signing in. */
    if (Number(store.getItem(VIEWS_KEY) || 0) < 2) {
      return false;
    }
    var dismissed = Number(store.getItem(DISMISSED_KEY) || 0);
    return !dismissed || Date.now() - dismissed > ASK_AGAIN_AFTER;
  }

  function installPrompt() {
    var prompt = document.querySelector("[data-install-prompt]");
    if (!prompt) {
      return;
    }
    var accept = prompt.querySelector("[data-install-accept]");
    var dismiss = prompt.querySelector("[data-install-dismiss]");

    function hide(remember) {
      prompt.hidden = true;
      var store = storage();
      if (remember && store) {
        store.setItem(DISMISSED_KEY, String(Date.now()));
      }
    }

    function show(how) {
      if (!installWanted()) {
        return;
      }
      prompt.querySelector('[data-install-how="prompt"]').hidden = how !== "prompt";
      prompt.querySelector('[data-install-how="ios"]').hidden = how !== "ios";
      accept.hidden = how !== "prompt";
      prompt.hidden = false;
    }

    dismiss.addEventListener("click", function () {
      hide(true);
    });
    accept.addEventListener("click", function () {
      if (!installEvent) {
        hide(false);
        return;
      }
      var event = installEvent;
      installEvent = null;
      event.prompt();
      event.userChoice.then(function (choice) {
        hide(choice.outcome !== "accepted");
      });
    });
    /* Chrome and Edge on Android and desktop say when the site may be installed. */
    window.addEventListener("beforeinstallprompt", function (event) {
      event.preventDefault();
      installEvent = event;
      show("prompt");
    });
    window.addEventListener("appinstalled", function () {
      hide(true);
    });
    /* Safari has no such event: it is installed from its Share menu. */
    if (appleMobile()) {
      show("ios");
    }
  }

  /* --- On every page ---------------------------------------------------------------------- */

  if ("serviceWorker" in navigator && window.isSecureContext) {
    navigator.serviceWorker.register("/service-worker.js", { scope: "/" }).catch(function () {
      /* The site works as before without it. */
    });
  }

  if (state === "visitor") {
    forgetMember();
    return;
  }

  if (state === "member") {
    var store = storage();
    if (store) {
      store.setItem(VIEWS_KEY, String(Number(store.getItem(VIEWS_KEY) || 0) + 1));
    }
    /* The commune's logo, to draw the header offline too. */
    var logos = Array.prototype.map.call(document.querySelectorAll("img.brand__logo"), function (img) {
      return img.currentSrc || img.src;
    });
    ask({ type: "member", logos: logos });
    installPrompt();
  }

  window.addEventListener("online", showOffline);
  window.addEventListener("offline", showOffline);
  guardAlertForm();
  showOffline();
  /* A copy kept on the device may be shown while the phone believes it is online. */
  if (navigator.serviceWorker && navigator.serviceWorker.controller) {
    ask({ type: "served-offline" }).then(function (answer) {
      servedOffline = answer === true;
      showOffline();
    });
  }
})();
