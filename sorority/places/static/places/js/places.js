// Commune autocomplete, "around me" / "use my position", and the several-hosts limit.
// No inline code (CSP): everything hooks on data- attributes.
(function () {
  "use strict";

  var seq = 0;

  function hiddenFor(input) {
    var name = input.getAttribute("data-commune-input");
    return input.form ? input.form.querySelector("input[name='" + name + "']") : null;
  }

  function setupCommune(input) {
    var list = document.createElement("datalist");
    list.id = "commune-list-" + (++seq);
    input.setAttribute("list", list.id);
    input.parentNode.insertBefore(list, input.nextSibling);
    var choices = {};
    var timer = null;
    function pick() {
      var choice = choices[input.value];
      var hidden = hiddenFor(input);
      if (hidden) { hidden.value = choice ? choice.code : ""; }
      if (choice) {
        input.dispatchEvent(new CustomEvent("commune-selected", { bubbles: true, detail: choice }));
      }
    }
    input.addEventListener("input", function () {
      // A town typed after "around me" replaces the area of her position.
      var cell = input.form && input.getAttribute("data-commune-input") === "place"
        ? input.form.querySelector("input[name='cell']") : null;
      if (cell) { cell.value = ""; }
      var hidden = hiddenFor(input);
      if (hidden && !choices[input.value]) { hidden.value = ""; }
      if (choices[input.value]) { pick(); return; }
      clearTimeout(timer);
      var q = input.value.trim();
      if (q.length < 2) { return; }
      timer = setTimeout(function () {
        fetch("/api/v1/places?limit=8&q=" + encodeURIComponent(q), { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (places) {
            list.textContent = "";
            choices = {};
            places.forEach(function (p) {
              var label = p.name + " (" + p.postcode + ")";
              choices[label] = p;
              var option = document.createElement("option");
              option.value = label;
              list.appendChild(option);
            });
          })
          .catch(function () {});
      }, 200);
    });
    input.addEventListener("change", pick);
  }

  function csrfToken() {
    var meta = document.querySelector("meta[name=csrf-token]");
    return meta ? meta.content : "";
  }

  // "Around me" on a search: the position goes in a POST body only; the server
  // snaps it to its area (cell) and answers 303 to the search URL with cell=, so
  // the position never lands in a URL, the history or a link.
  var NOT_CARRIED = { place: 1, place_name: 1, cell: 1, offset: 1, safety: 1, lat: 1, lng: 1, csrfmiddlewaretoken: 1 };
  function postAroundMe(form, pos) {
    var post = document.createElement("form");
    post.method = "post";
    post.action = window.location.pathname;
    post.hidden = true;
    function add(name, value) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = value;
      post.appendChild(input);
    }
    add("csrfmiddlewaretoken", csrfToken());
    new FormData(form).forEach(function (value, name) {
      if (!NOT_CARRIED[name] && typeof value === "string") { add(name, value); }
    });
    add("lat", pos.coords.latitude.toFixed(4));
    add("lng", pos.coords.longitude.toFixed(4));
    document.body.appendChild(post);
    post.submit();
  }

  function setupGeolocate(button) {
    button.addEventListener("click", function () {
      var form = button.form || button.closest("form");
      var status = form && form.querySelector("[data-geolocate-status]");
      if (!navigator.geolocation) {
        if (status) { status.textContent = button.getAttribute("data-unavailable") || "—"; }
        return;
      }
      if (status) { status.textContent = "…"; }
      navigator.geolocation.getCurrentPosition(function (pos) {
        if (status) { status.textContent = "✓"; }
        if (button.hasAttribute("data-around-me")) { postAroundMe(form, pos); return; }
        // Her profile (a POST form): sent once, snapped to an area and forgotten.
        form.querySelector("input[name='lat']").value = pos.coords.latitude.toFixed(4);
        form.querySelector("input[name='lng']").value = pos.coords.longitude.toFixed(4);
        var place = form.querySelector("input[name='place']");
        if (place) { place.value = ""; }
        var name = form.querySelector("input[data-commune-input='place']");
        if (name) { name.value = ""; }
      }, function () {
        if (status) { status.textContent = "✕"; }
      }, { enableHighAccuracy: false, timeout: 10000, maximumAge: 600000 });
    });
  }

  var MAX_HOSTS = 10;
  function refreshHosts() {
    var boxes = document.querySelectorAll("input[data-host-select]");
    var checked = 0;
    boxes.forEach(function (b) { if (b.checked) { checked++; } });
    boxes.forEach(function (b) { b.disabled = !b.checked && checked >= MAX_HOSTS; });
    var count = document.querySelector("[data-host-count]");
    if (count) { count.textContent = checked + " / " + MAX_HOSTS; }
  }

  function init(root) {
    root.querySelectorAll("input[data-commune-input]").forEach(function (input) {
      if (!input.hasAttribute("list") || input.getAttribute("list").indexOf("commune-list-") !== 0) {
        setupCommune(input);
      }
    });
    root.querySelectorAll("[data-geolocate]").forEach(setupGeolocate);
    refreshHosts();
  }

  document.addEventListener("change", function (e) {
    if (e.target && e.target.hasAttribute && e.target.hasAttribute("data-host-select")) { refreshHosts(); }
  });
  document.addEventListener("htmx:afterSwap", refreshHosts);
  document.addEventListener("DOMContentLoaded", function () { init(document); });
})();
