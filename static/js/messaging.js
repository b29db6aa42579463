// Conversation page: new messages appear without a reload (short polling of
// …/nouveaux/?apres=<id>), and the reply form sends without leaving the page.
// Progressive enhancement: without JavaScript, the form posts and the page reloads.
(function () {
  "use strict";
  var list = document.getElementById("message-list");
  if (!list || !window.fetch) { return; }
  var pollUrl = list.getAttribute("data-poll-url");
  var lastId = parseInt(list.getAttribute("data-last-id") || "0", 10);
  var every = 3000;
  var busy = false;

  function poll() {
    if (busy) { return Promise.resolve(); }
    busy = true;
    return fetch(pollUrl + "?apres=" + lastId, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      cache: "no-store"
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (data) {
      if (data.count > 0 && data.last > lastId) {
        // The server renders and escapes each message; ids already shown are skipped.
        var holder = document.createElement("ol");
        holder.innerHTML = data.html;
        Array.prototype.forEach.call(holder.children, function (item) {
          if (!document.getElementById(item.id)) { list.appendChild(item); }
        });
        lastId = data.last;
      }
    }).catch(function () { /* offline for a moment: the next round tries again */ })
      .then(function () { busy = false; });
  }

  window.setInterval(function () {
    if (!document.hidden) { poll(); }
  }, every);
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) { poll(); }
  });

  var form = document.getElementById("reply-form");
  if (!form) { return; }
  var errors = document.getElementById("reply-errors");
  var textarea = form.querySelector("textarea");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    errors.hidden = true;
    fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      body: new FormData(form)
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      if (result.ok && result.data.ok) {
        textarea.value = "";
        return poll().then(function () { textarea.focus(); });
      }
      errors.textContent = (result.data.errors || []).join(" ");
      errors.hidden = false;
    }).catch(function () {
      form.submit();  // the network failed: fall back to an ordinary post
    }).then(function () { button.disabled = false; });
  });
}());
