/* Web push on this device: registers the service worker, keeps the member's subscription
   known to the server, and drives the "activer les notifications" control of the account
   settings. Progressive enhancement: without JavaScript or without push support, the page
   says so and nothing else changes. Every text shown comes from the page (translated). */
(function () {
  "use strict";

  var script = document.currentScript;
  var signedIn = Boolean(script && script.hasAttribute("data-signed-in"));
  /* The server already knows this browser's subscription for this session. */
  var known = Boolean(script && script.hasAttribute("data-push-known"));
  var API = "/api/v1/push/";

  function supported() {
    return (
      "serviceWorker" in navigator &&
      "PushManager" in window &&
      "Notification" in window &&
      window.isSecureContext
    );
  }

  function csrfToken() {
    var field = document.querySelector("[data-push-control] input[name=csrfmiddlewaretoken]");
    if (field) {
      return field.value;
    }
    var meta = document.querySelector("meta[name=csrf-token]");
    return meta ? meta.getAttribute("content") : "";
  }

  function base64UrlToBytes(text) {
    var padded = (text + "===".slice((text.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) {
      bytes[i] = raw.charCodeAt(i);
    }
    return bytes;
  }

  function sameKey(buffer, bytes) {
    if (!buffer) {
      return true; /* the browser does not say: trust the subscription */
    }
    var view = new Uint8Array(buffer);
    if (view.length !== bytes.length) {
      return false;
    }
    for (var i = 0; i < view.length; i += 1) {
      if (view[i] !== bytes[i]) {
        return false;
      }
    }
    return true;
  }

  function api(method, path, body) {
    return fetch(API + path, {
      method: method,
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": csrfToken(),
      },
      body: body ? JSON.stringify(body) : undefined,
    }).then(function (response) {
      return response
        .json()
        .catch(function () {
          return {};
        })
        .then(function (data) {
          if (!response.ok) {
            var error = new Error(data.error || String(response.status));
            error.status = response.status;
            error.data = data;
            throw error;
          }
          return data;
        });
    });
  }

  function publicKey() {
    return fetch(API + "vapid-public-key/", { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) {
        var error = new Error("unavailable");
        error.status = r.status;
        throw error;
      }
      return r.json().then(function (data) {
        return base64UrlToBytes(data.public_key);
      });
    });
  }

  function registration() {
    return navigator.serviceWorker.register("/service-worker.js", { scope: "/" }).then(function () {
      return navigator.serviceWorker.ready;
    });
  }

  /* The current subscription, renewed if it was made with another server key. */
  function currentSubscription(reg, key) {
    return reg.pushManager.getSubscription().then(function (subscription) {
      if (subscription && !sameKey(subscription.options.applicationServerKey, key)) {
        return subscription.unsubscribe().then(function () {
          return null;
        });
      }
      return subscription;
    });
  }

  function subscribe(reg, key) {
    return currentSubscription(reg, key).then(function (subscription) {
      return (
        subscription ||
        reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key })
      );
    });
  }

  /* On any page, once per session: tell the server about this device again, so that signing
     in again, another member signing in on this browser, or a renewed subscription is taken
     into account. Never asks for permission, never subscribes by itself. */
  function syncSilently() {
    if (!signedIn || known || Notification.permission !== "granted") {
      return;
    }
    Promise.all([navigator.serviceWorker.ready, publicKey()])
      .then(function (results) {
        return currentSubscription(results[0], results[1]);
      })
      .then(function (subscription) {
        /* No subscription: the member turned push off here; never turn it back on alone. */
        return subscription ? api("POST", "subscriptions/", subscription.toJSON()) : null;
      })
      .catch(function () {
        /* silent by design: the settings page shows the state */
      });
  }

  function setUpControl(control, workerFailed) {
    var status = control.querySelector("[data-push-status]");
    var button = control.querySelector("[data-push-toggle]");
    var enabled = false;

    function message(name) {
      return control.getAttribute("data-msg-" + name) || "";
    }

    function show(state, detail) {
      control.setAttribute("data-state", state);
      status.textContent = detail || message(state);
      var actionable = state === "enabled" || state === "disabled" || state === "error";
      /* members.css hides a .button[hidden], which the site's .button style would show. */
      button.hidden = !actionable;
      button.disabled = !actionable;
      button.textContent = enabled ? message("disable") : message("enable");
    }

    function refresh() {
      if (Notification.permission === "denied") {
        enabled = false;
        return Promise.resolve(show("blocked"));
      }
      return Promise.all([navigator.serviceWorker.ready, publicKey()])
        .then(function (results) {
          return currentSubscription(results[0], results[1]);
        })
        .then(function (subscription) {
          enabled = Boolean(subscription) && Notification.permission === "granted";
          if (enabled) {
            /* Make sure the server has it (it may have removed a stale copy). */
            return api("POST", "subscriptions/", subscription.toJSON()).then(function () {
              show("enabled");
            });
          }
          show("disabled");
        });
    }

    function enable() {
      show("working");
      return Notification.requestPermission()
        .then(function (permission) {
          if (permission !== "granted") {
            enabled = false;
            show(permission === "denied" ? "blocked" : "disabled");
            return;
          }
          return Promise.all([navigator.serviceWorker.ready, publicKey()])
            .then(function (results) {
              return subscribe(results[0], results[1]);
            })
            .then(function (subscription) {
              return api("POST", "subscriptions/", subscription.toJSON());
            })
            .then(function () {
              enabled = true;
              show("enabled");
            });
        });
    }

    function disable() {
      show("working");
      return navigator.serviceWorker.ready
        .then(function (reg) {
          return reg.pushManager.getSubscription();
        })
        .then(function (subscription) {
          if (!subscription) {
            return null;
          }
          var endpoint = subscription.endpoint;
          return subscription.unsubscribe().then(function () {
            return api("DELETE", "subscriptions/", { endpoint: endpoint }).catch(function (error) {
              if (error.status !== 404) {
                throw error;
              }
            });
          });
        })
        .then(function () {
          enabled = false;
          show("disabled");
        });
    }

    function failed(error) {
      if (error && error.status === 503) {
        show("unavailable");
        return;
      }
      var detail = error && error.data && error.data.error ? " " + error.data.error : "";
      show("error", message("error") + detail);
    }

    button.addEventListener("click", function () {
      (enabled ? disable() : enable()).catch(failed);
    });

    if (!supported()) {
      show("unsupported");
      return;
    }
    if (workerFailed) {
      show("error", message("error"));
      button.hidden = true;
      return;
    }
    show("working");
    refresh().catch(failed);
  }

  if (!supported()) {
    var controls = document.querySelectorAll("[data-push-control]");
    for (var i = 0; i < controls.length; i += 1) {
      setUpControl(controls[i]);
    }
    return;
  }

  registration()
    .then(function () {
      var control = document.querySelector("[data-push-control]");
      if (control) {
        setUpControl(control);
      } else {
        syncSilently();
      }
    })
    .catch(function () {
      var control = document.querySelector("[data-push-control]");
      if (control) {
        setUpControl(control, true);
      }
    });
})();
