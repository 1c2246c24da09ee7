// Live chat: a WebSocket pushes stored messages; on any gap the page catches up from
// the API (after=<last id>), and while the socket is down htmx polls every few seconds.
// Text is always inserted with textContent: no HTML from messages ever reaches the DOM.
(function () {
  "use strict";
  var root = document.getElementById("chat");
  if (!root) { return; }
  var conversation = root.dataset.conversation;
  var me = root.dataset.me;
  var list = document.getElementById("messages");
  var lastInput = function () { return document.getElementById("last-id"); };
  var poller = document.getElementById("chat-poll");
  var pollerParent = poller ? poller.parentNode : null;
  var pollerTemplate = poller ? poller.cloneNode(true) : null;
  var socket = null;
  var retry = 1000;
  var csrf = (document.querySelector("meta[name=csrf-token]") || {}).content || "";

  function lastId() {
    var input = lastInput();
    return input ? parseInt(input.value || "0", 10) : 0;
  }

  function setLastId(id) {
    var input = lastInput();
    if (input && id > lastId()) { input.value = String(id); }
  }

  function dedupe() {
    var seen = {};
    Array.prototype.slice.call(list.querySelectorAll("li[data-id]")).forEach(function (li) {
      if (seen[li.dataset.id]) { li.remove(); } else { seen[li.dataset.id] = true; }
    });
  }

  function scrollDown() { list.scrollTop = list.scrollHeight; }

  function append(msg) {
    if (String(msg.conversation) !== conversation) { return; }
    if (document.getElementById("m-" + msg.id)) { setLastId(msg.id); return; }
    var li = document.createElement("li");
    li.id = "m-" + msg.id;
    li.dataset.id = msg.id;
    li.className = "chat-message" + (String(msg.sender) === me ? " mine" : "");
    var meta = document.createElement("span");
    meta.className = "chat-meta";
    var who = document.createElement("span");
    who.className = "chat-sender";
    who.textContent = String(msg.sender) === me ? root.dataset.you : (msg.sender_name || root.dataset.left);
    var time = document.createElement("time");
    time.dateTime = msg.created_at;
    time.textContent = new Date(msg.created_at).toLocaleString();
    meta.appendChild(who);
    meta.appendChild(time);
    var text = document.createElement("span");
    text.className = "chat-text";
    text.textContent = msg.text;
    li.appendChild(meta);
    li.appendChild(text);
    list.appendChild(li);
    setLastId(msg.id);
    scrollDown();
  }

  function markRead() {
    if (document.visibilityState !== "visible") { return; }
    fetch("/api/v1/conversations/" + conversation + "/read", {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
      body: "{}"
    }).catch(function () {});
  }

  function catchUp() {
    return fetch("/api/v1/conversations/" + conversation + "/messages?after=" + lastId(),
      {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (items) { items.forEach(append); if (items.length) { markRead(); } })
      .catch(function () {});
  }

  function stopPolling() {
    var current = document.getElementById("chat-poll");
    if (current) { current.remove(); }
  }

  function startPolling() {
    if (document.getElementById("chat-poll") || !pollerTemplate || !window.htmx) { return; }
    var fresh = pollerTemplate.cloneNode(true);
    pollerParent.appendChild(fresh);
    window.htmx.process(fresh);
  }

  function connect() {
    if (!("WebSocket" in window)) { return; }
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    try { socket = new WebSocket(scheme + location.host + "/ws/chat/"); } catch (e) { return; }
    socket.addEventListener("open", function () {
      retry = 1000;
      stopPolling();
      root.dataset.live = "true";
      catchUp();
    });
    socket.addEventListener("message", function (event) {
      var msg;
      try { msg = JSON.parse(event.data); } catch (e) { return; }
      if (msg.type === "closed" && String(msg.conversation) === conversation) {
        location.replace("/chat/");
        return;
      }
      if (msg.type === "message") {
        append(msg);
        if (String(msg.sender) !== me && String(msg.conversation) === conversation) { markRead(); }
      }
    });
    socket.addEventListener("close", function (event) {
      root.dataset.live = "false";
      startPolling();
      if (event.code === 4401 || event.code === 4403) { return; }
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 30000);
    });
  }

  document.body.addEventListener("htmx:afterSwap", function () { dedupe(); scrollDown(); });
  document.body.addEventListener("htmx:afterRequest", function (event) {
    var form = document.getElementById("compose");
    if (event.detail.elt === form && event.detail.successful &&
        !event.detail.xhr.getResponseHeader("HX-Retarget")) {
      form.reset();
      document.getElementById("send-error").textContent = "";
    }
  });
  var textarea = document.getElementById("id_text");
  if (textarea) {
    textarea.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        document.getElementById("compose").requestSubmit();
      }
    });
  }
  scrollDown();
  connect();
})();
