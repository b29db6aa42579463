/* The dashboard's figures, refreshed without reload.
 *
 * Every element with data-refresh-url is replaced by the HTML that URL answers, every
 * data-poll-seconds (5 by default), while the tab is visible. The HTML is the server's
 * rendering of the same template, so figures, tables and charts stay in step; the element
 * holding the keyboard focus keeps it across a refresh. A failed request leaves the figures
 * as they were and the next poll tries again.
 *
 * Polling pauses after data-pause-seconds (600) without a key, click, touch or scroll, and
 * says so: each poll counts as activity for the staff session, which must still end after
 * its idle time when nobody is at the screen. The first sign of activity resumes it.
 *
 * After each swap the box dispatches "dashboard:refreshed" (bubbling), which the commune's
 * map (commune_map.js) listens to.
 */
(function () {
  "use strict";

  function focusKey(element) {
    if (!element) return null;
    if (element.id) return { id: element.id };
    if (element.getAttribute("href")) return { href: element.getAttribute("href") };
    return null;
  }

  function refocus(box, key) {
    if (!key) return;
    var candidates = box.querySelectorAll(key.id ? "[id]" : "[href]");
    for (var i = 0; i < candidates.length; i += 1) {
      var node = candidates[i];
      if ((key.id && node.id === key.id) || (key.href && node.getAttribute("href") === key.href)) {
        node.focus();
        return;
      }
    }
  }

  var lastActivity = Date.now();

  function watch(box) {
    var url = box.getAttribute("data-refresh-url");
    var seconds = parseInt(box.getAttribute("data-poll-seconds"), 10) || 5;
    var pauseAfter = (parseInt(box.getAttribute("data-pause-seconds"), 10) || 600) * 1000;
    var notice = box.previousElementSibling;
    if (!notice || !notice.hasAttribute("data-dashboard-paused")) notice = null;
    var busy = false;
    var last = null;

    function paused() {
      var idle = Date.now() - lastActivity > pauseAfter;
      if (notice) notice.hidden = !idle;
      return idle;
    }

    function refresh() {
      if (busy || document.hidden || paused()) return;
      busy = true;
      fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "text/html" } })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.text();
        })
        .then(function (html) {
          if (html === last) return;
          last = html;
          var active = document.activeElement;
          var key = active && box.contains(active) ? focusKey(active) : null;
          var scrolls = Array.prototype.map.call(
            box.querySelectorAll(".dashboard-table-scroll"),
            function (node) { return node.scrollLeft; }
          );
          box.innerHTML = html;
          Array.prototype.forEach.call(
            box.querySelectorAll(".dashboard-table-scroll"),
            function (node, index) { node.scrollLeft = scrolls[index] || 0; }
          );
          refocus(box, key);
          // What else shows the same figures (the commune's map) reads them again.
          box.dispatchEvent(new CustomEvent("dashboard:refreshed", { bubbles: true }));
        })
        .catch(function () { /* the next poll tries again */ })
        .then(function () { busy = false; });
    }

    window.setInterval(refresh, seconds * 1000);
    document.addEventListener("visibilitychange", refresh);
    ["keydown", "pointerdown", "touchstart", "wheel", "scroll"].forEach(function (name) {
      window.addEventListener(name, function () {
        var wasPaused = Date.now() - lastActivity > pauseAfter;
        lastActivity = Date.now();
        if (wasPaused) refresh();
      }, { passive: true, capture: true });
    });
  }

  function start() {
    var boxes = document.querySelectorAll("[data-refresh-url]");
    for (var i = 0; i < boxes.length; i += 1) {
      if (!boxes[i].hasAttribute("data-watched")) {
        boxes[i].setAttribute("data-watched", "");
        watch(boxes[i]);
      }
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
