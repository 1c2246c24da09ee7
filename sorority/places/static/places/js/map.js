// The community map: cells with counts from /api/v1/map, cards of a cell on click.
// Works with no tiles at all: markers and the side panel need only our own API.
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || typeof L === "undefined") { return; }
  var config = JSON.parse(el.getAttribute("data-config"));
  var map = L.map(el, { center: config.center, zoom: config.zoom, minZoom: 3, maxZoom: 16, worldCopyJump: true });
  L.tileLayer(config.tileUrl, { attribution: config.tileAttribution, maxZoom: 18 }).addTo(map);
  var markers = L.layerGroup().addTo(map);
  var panel = document.getElementById("cell-panel");
  var status = document.getElementById("map-status");
  var controls = document.getElementById("map-controls");
  var pending = null;

  function layer() {
    var checked = controls.querySelector("input[name='layer']:checked");
    return checked ? checked.value : "support";
  }

  function clamp(v, lo, hi) { return Math.max(lo, Math.min(hi, v)); }

  function bbox() {
    var b = map.getBounds();
    var west = b.getWest(), east = b.getEast();
    if (east - west >= 360) { west = -180; east = 180; }
    else {
      west = ((west + 180) % 360 + 360) % 360 - 180;
      east = ((east + 180) % 360 + 360) % 360 - 180;
    }
    return [clamp(b.getSouth(), -90, 90), west, clamp(b.getNorth(), -90, 90), east]
      .map(function (v) { return v.toFixed(4); }).join(",");
  }

  function icon(count, kind) {
    var n = String(Number(count) || 0);
    var html = kind === "safe_place"
      ? '<img src="' + config.pinkHairUrl + '" alt="" width="30" height="36"><span class="count">' + n + "</span>"
      : '<span class="count">' + n + "</span>";
    return L.divIcon({
      className: "cell-marker " + (kind === "safe_place" ? "safe" : "support"),
      html: html,
      iconSize: kind === "safe_place" ? [34, 40] : [34, 34],
      iconAnchor: kind === "safe_place" ? [17, 38] : [17, 17]
    });
  }

  function openCell(cell, level, kind) {
    panel.setAttribute("aria-busy", "true");
    fetch(config.cellUrl + encodeURIComponent(cell) + "/?layer=" + kind + "&level=" + level, { credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        // Server-rendered, escaped by Django's templates.
        panel.innerHTML = html;
        panel.removeAttribute("aria-busy");
        var heading = panel.querySelector("h2");
        if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
      });
  }

  function load() {
    var kind = layer();
    var url = config.mapUrl + "?bbox=" + bbox() + "&zoom=" + map.getZoom() + "&layer=" + kind;
    if (pending) { pending.abort(); }
    pending = new AbortController();
    fetch(url, { credentials: "same-origin", signal: pending.signal })
      .then(function (r) { return r.ok ? r.json() : { cells: [] }; })
      .then(function (data) {
        markers.clearLayers();
        el.setAttribute("data-cells", String(data.cells.length));
        data.cells.forEach(function (c) {
          var m = L.marker([c.lat, c.lng], {
            icon: icon(c.count, kind), keyboard: true, title: String(c.count), alt: String(c.count)
          });
          m.on("click", function () { openCell(c.cell, data.resolution, kind); });
          m.addTo(markers);
        });
      })
      .catch(function () {});
  }

  map.on("moveend", load);
  controls.addEventListener("change", function (e) {
    if (e.target.name === "layer") { panel.textContent = ""; load(); }
  });
  controls.addEventListener("submit", function (e) { e.preventDefault(); });
  document.addEventListener("commune-selected", function (e) {
    if (e.target && e.target.id === "map-place") { map.setView([e.detail.lat, e.detail.lng], 12); }
  });
  document.getElementById("map-around-me").addEventListener("click", function () {
    if (!navigator.geolocation) { return; }
    status.textContent = "…";
    navigator.geolocation.getCurrentPosition(function (pos) {
      // The position goes in a POST body only; the map pans to the centre of its
      // area (res-7 cell), so no URL (not even the bbox of the counts) holds it.
      var csrf = (document.querySelector("meta[name=csrf-token]") || {}).content || "";
      fetch(config.locateUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify({ lat: Number(pos.coords.latitude.toFixed(4)), lng: Number(pos.coords.longitude.toFixed(4)) })
      })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (area) {
          status.textContent = area.area || "✓";
          map.setView([area.lat, area.lng], 12);
        })
        .catch(function () { status.textContent = "✕"; });
    }, function () { status.textContent = "✕"; }, { enableHighAccuracy: false, timeout: 10000, maximumAge: 600000 });
  });
  load();
})();
