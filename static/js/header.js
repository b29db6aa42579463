// The header's menu button on small screens: opens and closes the panel that holds search,
// the member's pages, the commune's menu, the account links and the language switch.
// Without this script the button stays hidden and the panel open (see portal.css).
(function () {
  "use strict";

  function enhance(header) {
    var toggle = header.querySelector("[data-menu-toggle]");
    var panel = header.querySelector("[data-menu-panel]");
    if (!toggle || !panel) {
      return;
    }

    function setOpen(open) {
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      header.classList.toggle("site-header--open", open);
    }

    header.classList.add("site-header--enhanced");
    setOpen(false);

    toggle.addEventListener("click", function () {
      setOpen(toggle.getAttribute("aria-expanded") !== "true");
    });

    header.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
        setOpen(false);
        toggle.focus();
      }
    });
  }

  function start() {
    document.querySelectorAll("[data-site-header]").forEach(enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
