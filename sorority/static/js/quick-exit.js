// Quick exit (docs/security.md §36): the control at the top of every page, or Shift pressed
// three times. Blank the page at once, end the session on the server, and leave for a
// neutral site without leaving this page in the history.
(function () {
  "use strict";
  var SHIFT_WINDOW_MS = 1000;
  var shiftTimes = [];

  function meta(name) {
    var el = document.querySelector('meta[name="' + name + '"]');
    return el ? el.getAttribute("content") : "";
  }

  function exitNow(event) {
    if (event) event.preventDefault();
    var destination = meta("quick-exit-url") || "https://www.google.com/";
    document.documentElement.style.visibility = "hidden";
    document.title = "";
    try {
      if (document.body) document.body.innerHTML = "";
    } catch (e) { /* keep going: leaving matters more */ }
    try {
      var data = new FormData();
      data.append("csrfmiddlewaretoken", meta("csrf-token"));
      navigator.sendBeacon("/exit/", data);
    } catch (e) { /* the redirect still happens */ }
    window.location.replace(destination);
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest && event.target.closest("#quick-exit");
    if (target) exitNow(event);
  });

  document.addEventListener("keyup", function (event) {
    if (event.key !== "Shift") {
      shiftTimes = [];
      return;
    }
    var now = Date.now();
    shiftTimes = shiftTimes.filter(function (t) { return now - t < SHIFT_WINDOW_MS; });
    shiftTimes.push(now);
    if (shiftTimes.length >= 3) {
      shiftTimes = [];
      exitNow();
    }
  });

  // Coming back with Back from the neutral site: never show a stored page.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      document.documentElement.style.visibility = "hidden";
      window.location.reload();
    }
  });
})();
