/* Voisinage — alert pages: the live SMS counter of the alert form and the delivery progress
   of an alert's page. Progressive enhancement: both pages work without this script.

   The counter counts exactly as notifications.sms.segments.sms_segments does: the GSM-7
   alphabet and segment sizes come from the server (json_script), so there is one source. */
(function () {
  "use strict";

  // --- SMS segments, as the operators bill them --------------------------------------------
  function pack(units, single, multipart) {
    var total = 0;
    var i;
    for (i = 0; i < units.length; i += 1) { total += units[i]; }
    if (total === 0) { return { segments: 0, perSegment: single }; }
    if (total <= single) { return { segments: 1, perSegment: single }; }
    var segments = 1;
    var room = multipart;
    for (i = 0; i < units.length; i += 1) {
      if (units[i] > room) { segments += 1; room = multipart; }
      room -= units[i];
    }
    return { segments: segments, perSegment: multipart };
  }

  function smsSegments(text, config) {
    var chars = Array.from(text); // code points, as Python iterates a str
    var basic = new Set(Array.from(config.gsm7_basic));
    var extension = new Set(Array.from(config.gsm7_extension));
    var gsm = chars.every(function (c) { return basic.has(c) || extension.has(c); });
    var units = chars.map(function (c) {
      if (gsm) { return extension.has(c) ? 2 : 1; }
      return c.codePointAt(0) > 0xFFFF ? 2 : 1;
    });
    var packed = gsm
      ? pack(units, config.gsm7_single, config.gsm7_multipart)
      : pack(units, config.ucs2_single, config.ucs2_multipart);
    var characters = units.reduce(function (a, b) { return a + b; }, 0);
    return {
      encoding: gsm ? "GSM-7" : "UCS-2",
      characters: characters,
      segments: packed.segments,
      perSegment: packed.perSegment
    };
  }

  // The text as alert_post keeps it: runs of white space become one space, ends trimmed.
  function cleanText(text) {
    return text.split(/\s+/).filter(function (part) { return part !== ""; }).join(" ");
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (match, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : match;
    });
  }

  function setupCounter() {
    var output = document.querySelector("[data-sms-counter]");
    var configNode = document.getElementById("sms-counter-config");
    var source = document.querySelector("[data-sms-counter-source]");
    if (!output || !configNode || !source) { return; }
    var config = JSON.parse(configNode.textContent);
    var form = source.form;

    function category() {
      var checked = form ? form.querySelector("input[name='category']:checked") : null;
      return checked ? checked.value : null;
    }

    function update() {
      var text = cleanText(source.value);
      var wrapper = config.wrappers[category()] || config.default_wrapper;
      var sms = smsSegments(wrapper[0] + text + wrapper[1], config);
      var length = Array.from(text).length;
      var values = {
        length: length,
        max: config.max_text,
        characters: sms.characters,
        segments: sms.segments,
        encoding: sms.encoding
      };
      output.querySelector("[data-counter-text]").textContent = fill(output.dataset.textTemplate, values);
      output.querySelector("[data-counter-sms]").textContent = fill(
        sms.segments > 1 ? output.dataset.smsTemplatePlural : output.dataset.smsTemplate, values
      );
      // Name the characters of the resident's own text that cost UCS-2, so they can replace them.
      var basic = new Set(Array.from(config.gsm7_basic + config.gsm7_extension));
      var costly = Array.from(new Set(Array.from(text).filter(function (c) { return !basic.has(c); })));
      var hint = output.querySelector("[data-counter-ucs2]");
      hint.textContent = fill(output.dataset.ucs2Template, { chars: costly.join(" ") });
      hint.hidden = costly.length === 0;
      output.classList.toggle("sms-counter--over", length > config.max_text);
    }

    output.hidden = false;
    source.addEventListener("input", update);
    if (form) { form.addEventListener("change", update); }
    update();
  }

  // --- Delivery progress, polled while something is queued or sending ----------------------
  var POLL_MS = 4000;

  function setupProgress() {
    var panel = document.querySelector("[data-alert-progress]");
    if (!panel || !window.fetch) { return; }
    var url = panel.dataset.url;

    function render(data) {
      data.channels.forEach(function (channel) {
        var row = panel.querySelector("[data-channel='" + channel.channel + "']");
        if (!row) { return; }
        ["queued", "sending", "sent", "delivered", "failed", "total", "percent"].forEach(function (key) {
          var cell = row.querySelector("[data-field='" + key + "']");
          if (cell) { cell.textContent = String(channel[key]); }
        });
        var bar = row.querySelector("progress");
        if (bar) { bar.value = channel.percent; }
      });
      // The author's page says it in one sentence, written by the server.
      var reach = panel.querySelector("[data-reach-summary]");
      if (reach && data.summary && reach.textContent !== data.summary) { reach.textContent = data.summary; }
      var summary = panel.querySelector("[data-progress-summary]");
      var text;
      if (data.preparing) {
        text = panel.dataset.preparingText;
      } else if (data.running) {
        text = fill(panel.dataset.runningTemplate, { done: data.total - data.pending, total: data.total });
      } else {
        text = fill(panel.dataset.doneTemplate, { total: data.total });
      }
      if (summary && summary.textContent !== text) { summary.textContent = text; }
      var eta = panel.querySelector("[data-progress-eta]");
      if (eta && data.sms_last_at) {
        // Paris time, as every time the platform shows, whatever the device's own zone.
        var time = new Date(data.sms_last_at).toLocaleTimeString(document.documentElement.lang || undefined, {
          hour: "2-digit", minute: "2-digit", timeZone: "Europe/Paris"
        });
        eta.textContent = fill(panel.dataset.etaTemplate, {
          time: time,
          remaining: data.sms_remaining,
          rate: data.sms_rate_per_second,
          minutes: Math.max(1, Math.ceil(data.sms_seconds_left / 60))
        });
        eta.hidden = false;
      } else if (eta) {
        eta.hidden = true;
      }
      panel.dataset.running = data.running ? "true" : "false";
    }

    function poll() {
      if (panel.dataset.running !== "true") { return; }
      window.fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.json();
        })
        .then(function (data) {
          render(data);
          if (data.running) { window.setTimeout(poll, POLL_MS); }
        })
        .catch(function () {
          // A network hiccup: try again later, a little slower.
          window.setTimeout(poll, POLL_MS * 2);
        });
    }

    window.setTimeout(poll, POLL_MS);
  }

  if (typeof module !== "undefined" && module.exports) {
    // Lets the tests compare this count with the server's on the same texts (Node).
    module.exports = { smsSegments: smsSegments, cleanText: cleanText };
    return;
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { setupCounter(); setupProgress(); });
  } else {
    setupCounter();
    setupProgress();
  }
})();
