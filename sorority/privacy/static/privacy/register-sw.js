/* Registers the service worker (no personal page is ever cached by it). */
(function () {
  "use strict";
  var script = document.currentScript;
  var url = (script && script.dataset.sw) || "/sw.js";
  if (!("serviceWorker" in navigator)) {
    return;
  }
  window.addEventListener("load", function () {
    navigator.serviceWorker.register(url, { scope: "/" }).catch(function () {});
  });
})();
