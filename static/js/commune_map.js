/* The commune's map on the dashboards: each community's boundary, filled with the colour
 * and pattern of its activity level, labelled with its name and count; the alerts grouped
 * at their community's centre (an alert has no address). The table under the map carries
 * the same figures for whoever does not use the map.
 *
 * Data comes from the section's data-map-url (JSON). The map is read again when the
 * figures beside it are refreshed (dashboard.js dispatches "dashboard:refreshed") and
 * when another period is chosen; the view the user panned or zoomed to is kept.
 * Leaflet comes from our own static files; base-map tiles only when a tile URL is set.
 */
(function () {
  "use strict";

  var STROKES = ["#4b5563", "#1d4e89", "#9a4a00", "#a4262c"];

  function fill(text, values) {
    return String(text).replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : whole;
    });
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function popupContent(name, alerts, wording) {
    var box = element("div", "commune-map__popup");
    box.appendChild(element("p", "commune-map__popup-title", fill(wording.community_alerts, { name: name, n: alerts.length })));
    var list = element("ul", "commune-map__popup-list");
    alerts.forEach(function (alert) {
      var item = element("li");
      item.appendChild(element("strong", "", alert.category));
      item.appendChild(document.createTextNode(" — " + alert.time + " — " + alert.status));
      list.appendChild(item);
    });
    box.appendChild(list);
    return box;
  }

  function setUp(section) {
    var config = JSON.parse(document.getElementById("commune-map-config").textContent);
    var wording = config.wording;
    var canvas = section.querySelector("[data-map-canvas]");
    var rows = section.querySelector("[data-map-rows]");
    var summary = section.querySelector("[data-map-summary]");
    var baseUrl = section.getAttribute("data-map-url");
    var map = L.map(canvas, { scrollWheelZoom: false, keyboard: true, zoomSnap: 0.5 });
    map.attributionControl.setPrefix(false);
    if (config.tiles.url) {
      L.tileLayer(config.tiles.url, { attribution: config.tiles.attribution, maxZoom: 19 }).addTo(map);
    }
    map.setView([46.6, 2.4], 5);
    var boundaries = L.layerGroup().addTo(map);
    var markers = L.layerGroup().addTo(map);
    var fitted = false;
    var busy = false;
    var reading = false;
    map.on("popupopen", function () { reading = true; });
    map.on("popupclose", function () { reading = false; });

    function period() {
      var chosen = section.querySelector('input[name="commune-map-period"]:checked');
      return chosen ? chosen.value : "";
    }

    function dataUrl() {
      var value = period();
      if (!value) return baseUrl;
      return baseUrl + (baseUrl.indexOf("?") === -1 ? "?" : "&") + "periode=" + encodeURIComponent(value);
    }

    function drawTable(data) {
      rows.textContent = "";
      data.communities.forEach(function (community) {
        var row = element("tr");
        var head = element("th", "", community.name);
        head.setAttribute("scope", "row");
        row.appendChild(head);
        row.appendChild(element("td", "", community.alerts_label));
        row.appendChild(element("td", "", community.boundary ? community.level_label : wording.no_boundary));
        row.setAttribute("data-community", String(community.id));
        rows.appendChild(row);
      });
      var text = fill(wording.summary, { period: data.period_label, n: data.alerts_total });
      if (data.unplaced) text += " " + fill(wording.unplaced, { n: data.unplaced });
      if (data.truncated) text += " " + fill(wording.truncated, { n: data.alerts.length });
      summary.textContent = text;
    }

    function drawMap(data) {
      boundaries.clearLayers();
      markers.clearLayers();
      var names = {};
      data.communities.forEach(function (community) {
        names[community.id] = community.name;
        if (!community.boundary) return;
        var layer = L.geoJSON(community.boundary, {
          style: {
            color: STROKES[community.level],
            weight: community.level + 1,
            dashArray: community.level === 0 ? "4 4" : null,
            fillColor: "url(#commune-map-level-" + community.level + ")",
            fillOpacity: 0.85,
            className: "commune-map__boundary commune-map__boundary--" + community.level
          }
        });
        // Below the centre, where the community's alerts stand.
        layer.bindTooltip(community.name + " : " + community.alerts_label, {
          permanent: true,
          direction: "bottom",
          offset: [0, 16],
          className: "commune-map__label"
        });
        boundaries.addLayer(layer);
      });
      var groups = {};
      data.alerts.forEach(function (alert) {
        (groups[alert.community] = groups[alert.community] || []).push(alert);
      });
      Object.keys(groups).forEach(function (id) {
        var alerts = groups[id];
        var label = fill(wording.community_alerts, { name: names[id] || "", n: alerts.length });
        var taken = alerts.every(function (alert) { return alert.taken; });
        var marker = L.marker(alerts[0].position, {
          icon: L.divIcon({
            className: "commune-map__marker" + (taken ? " commune-map__marker--taken" : ""),
            html: "<span>" + String(alerts.length) + "</span>",
            iconSize: [34, 34]
          }),
          title: label,
          alt: label,
          keyboard: true,
          riseOnHover: true
        });
        marker.bindPopup(popupContent(names[id] || "", alerts, wording));
        marker.on("add", function () {
          var icon = marker.getElement();
          if (icon) {
            icon.setAttribute("aria-label", label);
            icon.setAttribute("data-community", id);
          }
        });
        markers.addLayer(marker);
      });
      if (!fitted) {
        var bounds = L.featureGroup(boundaries.getLayers()).getBounds();
        if (bounds.isValid()) {
          map.fitBounds(bounds, { padding: [16, 16] });
          fitted = true;
        }
      }
    }

    function load() {
      if (busy) return;
      busy = true;
      fetch(dataUrl(), { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        })
        .then(function (data) {
          if (reading) return; // never close a popup someone is reading: the next refresh draws
          drawTable(data);
          drawMap(data);
          section.setAttribute("data-map-loaded", data.period);
        })
        .catch(function () { summary.textContent = wording.unavailable; })
        .then(function () { busy = false; });
    }

    section.addEventListener("change", function (event) {
      if (event.target && event.target.name === "commune-map-period") load();
    });
    document.addEventListener("dashboard:refreshed", load);
    window.addEventListener("resize", function () { map.invalidateSize(); });
    load();
  }

  function start() {
    if (typeof L === "undefined") return;
    var sections = document.querySelectorAll("[data-commune-map]");
    for (var i = 0; i < sections.length; i += 1) setUp(sections[i]);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
