/* A community's boundary drawn on a map, in the admin's community form.
 *
 * The GeoJSON textarea stays the form's field: drawing, moving corners or erasing on the
 * map writes it, and typing valid GeoJSON in it redraws the map. One or more polygons
 * (a "Polygon" or a "MultiPolygon"); the server checks the result again before saving.
 * The commune's other communities are drawn in grey for reference.
 */
(function () {
  "use strict";

  function parse(text) {
    if (!text || !text.trim() || text.trim() === "null") return null;
    try {
      var value = JSON.parse(text);
      if (value && value.type === "Feature") value = value.geometry;
      if (value && (value.type === "Polygon" || value.type === "MultiPolygon")) return value;
    } catch (error) { /* the server says what is wrong with it */ }
    return undefined;
  }

  function geometryOf(group) {
    var polygons = [];
    group.eachLayer(function (layer) {
      var geometry = layer.toGeoJSON().geometry;
      if (geometry.type === "Polygon") polygons.push(geometry.coordinates);
      if (geometry.type === "MultiPolygon") polygons = polygons.concat(geometry.coordinates);
    });
    if (!polygons.length) return null;
    if (polygons.length === 1) return { type: "Polygon", coordinates: polygons[0] };
    return { type: "MultiPolygon", coordinates: polygons };
  }

  function setUp(editor) {
    var textarea = document.getElementById(editor.getAttribute("data-textarea"));
    var config = JSON.parse(document.getElementById(editor.getAttribute("data-map-config")).textContent);
    if (!textarea) return;
    L.drawLocal = L.Util.extend(L.drawLocal, {});
    L.Util.extend(L.drawLocal.draw.toolbar.actions, config.wording.draw.toolbar.actions);
    L.Util.extend(L.drawLocal.draw.toolbar.finish, config.wording.draw.toolbar.finish);
    L.Util.extend(L.drawLocal.draw.toolbar.undo, config.wording.draw.toolbar.undo);
    L.Util.extend(L.drawLocal.draw.toolbar.buttons, config.wording.draw.toolbar.buttons);
    L.Util.extend(L.drawLocal.draw.handlers.polygon.tooltip, config.wording.draw.handlers.polygon.tooltip);
    L.drawLocal.draw.handlers.polyline.error = config.wording.draw.handlers.polyline.error;
    L.Util.extend(L.drawLocal.edit.toolbar.actions.save, config.wording.edit.toolbar.actions.save);
    L.Util.extend(L.drawLocal.edit.toolbar.actions.cancel, config.wording.edit.toolbar.actions.cancel);
    L.Util.extend(L.drawLocal.edit.toolbar.actions.clearAll, config.wording.edit.toolbar.actions.clearAll);
    L.Util.extend(L.drawLocal.edit.toolbar.buttons, config.wording.edit.toolbar.buttons);
    L.Util.extend(L.drawLocal.edit.handlers.edit.tooltip, config.wording.edit.handlers.edit.tooltip);
    L.Util.extend(L.drawLocal.edit.handlers.remove.tooltip, config.wording.edit.handlers.remove.tooltip);

    var canvas = editor.querySelector("[data-boundary-map]");
    var map = L.map(canvas, { scrollWheelZoom: false, zoomSnap: 0.5 });
    map.attributionControl.setPrefix(false);
    if (config.tiles.url) {
      L.tileLayer(config.tiles.url, { attribution: config.tiles.attribution, maxZoom: 19 }).addTo(map);
    }
    map.setView([46.6, 2.4], 5);

    var others = L.featureGroup().addTo(map);
    config.others.forEach(function (other) {
      var layer = L.geoJSON(other.geometry, {
        interactive: false,
        style: { color: "#6b7280", weight: 1, dashArray: "4 4", fillColor: "#9ca3af", fillOpacity: 0.2, className: "boundary-editor__context" }
      });
      layer.bindTooltip(other.name, { permanent: true, direction: "center", className: "commune-map__label" });
      others.addLayer(layer);
    });

    var drawn = new L.FeatureGroup().addTo(map);
    var style = { color: "#1d4e89", weight: 3, fillColor: "#1d4e89", fillOpacity: 0.15 };

    function show(geometry) {
      drawn.clearLayers();
      if (!geometry) return;
      L.geoJSON(geometry, { style: style }).eachLayer(function (layer) {
        // Each polygon on its own, so that Leaflet.draw edits and erases them one by one.
        if (layer instanceof L.Polygon && layer.toGeoJSON().geometry.type === "MultiPolygon") {
          layer.getLatLngs().forEach(function (rings) { drawn.addLayer(L.polygon(rings, style)); });
        } else {
          drawn.addLayer(layer);
        }
      });
    }

    function fit() {
      var bounds = drawn.getBounds();
      if (!bounds.isValid()) bounds = others.getBounds();
      if (bounds.isValid()) map.fitBounds(bounds, { padding: [16, 16], maxZoom: 17 });
    }

    function write() {
      var geometry = geometryOf(drawn);
      textarea.value = geometry ? JSON.stringify(geometry) : "null";
      textarea.dispatchEvent(new Event("change", { bubbles: true }));
    }

    show(parse(textarea.value));
    fit();

    map.addControl(new L.Control.Draw({
      position: "topright",
      draw: {
        polygon: { allowIntersection: false, showArea: false, shapeOptions: style },
        polyline: false, rectangle: false, circle: false, marker: false, circlemarker: false
      },
      edit: { featureGroup: drawn, poly: { allowIntersection: false } }
    }));
    map.on(L.Draw.Event.CREATED, function (event) {
      drawn.addLayer(event.layer);
      write();
    });
    map.on(L.Draw.Event.EDITED, write);
    map.on(L.Draw.Event.DELETED, write);
    textarea.addEventListener("input", function () {
      var geometry = parse(textarea.value);
      if (geometry !== undefined) {
        show(geometry);
        fit();
      }
    });
  }

  function start() {
    if (typeof L === "undefined" || !L.Control.Draw) return;
    var editors = document.querySelectorAll("[data-boundary-editor]");
    for (var i = 0; i < editors.length; i += 1) setUp(editors[i]);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
