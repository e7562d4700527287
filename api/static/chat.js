// Minimal web chat: posts to /api/chat, renders text (escaped), links and buttons,
// keeps the session id and the transcript in localStorage across reloads.
(function () {
  "use strict";
  var log = document.getElementById("log");
  var form = document.getElementById("form");
  var input = document.getElementById("input");
  var typing = document.getElementById("typing");
  var KEY = "tthc-chat";

  function load() {
    try { return JSON.parse(localStorage.getItem(KEY)) || null; } catch (e) { return null; }
  }
  var state = load();
  if (!state || !state.sender) {
    var rnd = (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Math.random()).slice(2) + Date.now();
    state = { sender: "web-" + rnd.replace(/[^A-Za-z0-9_-]/g, ""), history: [] };
  }
  function save() { localStorage.setItem(KEY, JSON.stringify(state)); }

  // Text is inserted with textContent; only http(s) URLs become links.
  function renderText(el, text) {
    var parts = String(text).split(/(https?:\/\/[^\s<>"']+)/g);
    parts.forEach(function (part, i) {
      if (i % 2 === 1) {
        var a = document.createElement("a");
        a.href = part; a.textContent = part; a.target = "_blank"; a.rel = "noopener noreferrer";
        el.appendChild(a);
      } else if (part) {
        el.appendChild(document.createTextNode(part));
      }
    });
  }

  function addMessage(who, msg, persist) {
    var li = document.createElement("li");
    li.className = "msg msg--" + who;
    if (msg.text) renderText(li, msg.text);
    if (msg.buttons && msg.buttons.length) {
      var box = document.createElement("div");
      box.className = "buttons";
      msg.buttons.forEach(function (b) {
        var btn = document.createElement("button");
        btn.type = "button"; btn.textContent = b.title;
        btn.addEventListener("click", function () { send(b.payload, b.title); });
        box.appendChild(btn);
      });
      li.appendChild(box);
    }
    log.appendChild(li);
    li.scrollIntoView({ block: "end" });
    if (persist) { state.history.push({ who: who, msg: msg }); save(); }
  }

  function send(payload, shown) {
    addMessage("user", { text: shown || payload }, true);
    typing.hidden = false;
    fetch("/api/chat", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sender: state.sender, message: payload })
    }).then(function (r) {
      return r.json().then(function (body) { return { ok: r.ok, body: body }; });
    }).then(function (res) {
      if (!res.ok) throw new Error(res.body && res.body.detail || "Lỗi máy chủ");
      if (!res.body.messages.length) addMessage("bot", { text: "Xin lỗi, tôi chưa có câu trả lời." }, true);
      res.body.messages.forEach(function (m) { addMessage("bot", m, true); });
    }).catch(function (err) {
      addMessage("bot", { text: typeof err.message === "string" ? err.message : "Không gửi được tin nhắn, vui lòng thử lại." }, false);
    }).finally(function () { typing.hidden = true; input.focus(); });
  }

  state.history.forEach(function (h) { addMessage(h.who, h.msg, false); });
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = "";
    send(text);
  });
  save();
})();
