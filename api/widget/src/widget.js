// Embeddable chat widget of the administrative-procedure assistant.
//
//   <script src="https://HOST/widget.js" defer></script>
//
// adds a chat bubble to any page. The widget lives in a shadow root (the portal's CSS
// cannot break it, and its CSS cannot leak out), talks to HOST's /api/chat (JSON over
// fetch; the FastAPI app forwards to Rasa's REST channel) and keeps the session id,
// the transcript and the open/closed state in localStorage, so a reload restores the
// conversation. Optional attributes on the script tag:
//   data-title="…"   header title        data-open="true"  open on first load
import css from "./widget.css";
import { appendRichText } from "./render.js";

const STORE_KEY = "tthc-widget:v1";
const MAX_HISTORY = 200;
const MAX_CHARS = 2000;

const script = document.currentScript;
const BASE = script && script.src ? new URL(script.src, location.href).origin : location.origin;
const TITLE = (script && script.dataset.title) || "Trợ lý thủ tục hành chính";
const OPEN_FIRST = !!(script && script.dataset.open === "true");

// The conversation id is issued by the server with the first answer (null until then).
const SENDER = /^[A-Za-z0-9_-]{8,64}$/;

function loadState() {
  try {
    const s = JSON.parse(localStorage.getItem(STORE_KEY));
    if (s && (s.sender === null || (typeof s.sender === "string" && SENDER.test(s.sender))) && Array.isArray(s.history)) return s;
  } catch (e) { /* unreadable storage: start over */ }
  return { sender: null, history: [], open: OPEN_FIRST };
}

function el(tag, attrs, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function mount() {
  if (document.getElementById("tthc-widget")) return; // included twice
  const state = loadState();
  const save = () => {
    state.history = state.history.slice(-MAX_HISTORY);
    try { localStorage.setItem(STORE_KEY, JSON.stringify(state)); } catch (e) { /* private mode */ }
  };

  const host = el("div", { id: "tthc-widget" });
  const shadow = host.attachShadow({ mode: "open" });
  const style = document.createElement("style");
  style.textContent = css;
  const root = el("div", { class: "root", lang: "vi" });
  shadow.append(style, root);

  const bubble = el("button", {
    class: "bubble", type: "button", "aria-controls": "tthc-panel", "aria-expanded": "false",
    "aria-label": "Mở trò chuyện với trợ lý thủ tục hành chính", title: "Hỏi trợ lý thủ tục hành chính",
  });
  bubble.innerHTML = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2zm3 6v2h2v-2H7zm4 0v2h2v-2h-2zm4 0v2h2v-2h-2z"/></svg>';

  const panel = el("section", { class: "panel", id: "tthc-panel", role: "dialog", "aria-label": TITLE, hidden: "" });
  const header = el("div", { class: "header" });
  const titles = el("div", { class: "titles" });
  titles.append(el("h2", {}, TITLE), el("p", {}, "Trợ lý tự động, không phải cán bộ"));
  const resetBtn = el("button", { type: "button", class: "reset", title: "Bắt đầu cuộc trò chuyện mới" }, "Trò chuyện mới");
  const closeBtn = el("button", { type: "button", class: "close", "aria-label": "Đóng cửa sổ trò chuyện" }, "✕");
  header.append(titles, resetBtn, closeBtn);

  const log = el("ol", { class: "log", role: "log", "aria-live": "polite", "aria-label": "Nội dung trò chuyện" });
  const typing = el("div", { class: "typing", role: "status", hidden: "" });
  const dots = el("span", { class: "dots", "aria-hidden": "true" });
  dots.append(el("span"), el("span"), el("span"));
  typing.append(dots, el("span", {}, "Trợ lý đang trả lời…"));

  const form = el("form", { class: "form" });
  const label = el("label", { for: "tthc-input", class: "sr-only" }, "Câu hỏi của bạn");
  const input = el("input", {
    id: "tthc-input", name: "message", autocomplete: "off", maxlength: String(MAX_CHARS),
    placeholder: "Ví dụ: Đăng ký khai sinh cần gì?", "aria-label": "Câu hỏi của bạn",
  });
  const send = el("button", { type: "submit", class: "send" }, "Gửi");
  form.append(label, input, send);
  const note = el("p", { class: "note" }, "Thông tin chỉ để tham khảo; đừng gửi số định danh, mật khẩu hay dữ liệu cá nhân.");

  panel.append(header, log, typing, form, note);
  root.append(panel, bubble);
  document.body.appendChild(host);

  let busy = false;

  function scrollDown() { log.scrollTop = log.scrollHeight; }

  function renderMessage(entry) {
    const li = el("li", { class: "msg msg--" + entry.who });
    const msg = entry.msg || {};
    if (entry.who === "user") li.appendChild(el("span", { class: "sr-only" }, "Bạn: "));
    if (entry.who === "bot") li.appendChild(el("span", { class: "sr-only" }, "Trợ lý: "));
    if (msg.text) appendRichText(document, li, msg.text);
    if (msg.image && /^https?:\/\//.test(msg.image)) appendRichText(document, li, (msg.text ? "\n" : "") + msg.image);
    const buttons = Array.isArray(msg.buttons) ? msg.buttons : [];
    if (buttons.length) {
      const box = el("div", { class: "choices", role: "group", "aria-label": "Lựa chọn gợi ý" });
      buttons.forEach((b) => {
        const title = String(b.title || b.payload || "");
        const payload = String(b.payload || b.title || "");
        const btn = el("button", { type: "button", "aria-pressed": "false" }, title);
        btn.addEventListener("click", () => {
          btn.setAttribute("aria-pressed", "true");
          if (/^https?:\/\//.test(payload)) { window.open(payload, "_blank", "noopener"); return; }
          ask(payload, title);
        });
        box.appendChild(btn);
      });
      li.appendChild(box);
    }
    log.appendChild(li);
    scrollDown();
  }

  function add(who, msg, persist) {
    const entry = { who, msg: { text: msg.text || "", buttons: msg.buttons || [], image: msg.image || "" } };
    renderMessage(entry);
    if (persist) { state.history.push(entry); save(); }
  }

  // The greeting is always the first message (not stored: it is the same every time).
  function greet() {
    add("bot", { text: "Xin chào! Tôi là trợ lý tự động hỗ trợ tra cứu thủ tục hành chính (không phải cán bộ). Bạn cần hỏi về thủ tục nào? Ví dụ: “Đăng ký khai sinh cần gì?”" }, false);
  }

  function setOpen(open, focus) {
    state.open = open;
    save();
    panel.hidden = !open;
    root.classList.toggle("open", open);
    bubble.setAttribute("aria-expanded", String(open));
    bubble.setAttribute("aria-label", open ? "Thu nhỏ cửa sổ trò chuyện" : "Mở trò chuyện với trợ lý thủ tục hành chính");
    if (open) {
      scrollDown();
      if (focus) input.focus();
    } else if (focus) {
      bubble.focus();
    }
  }

  function post(message) {
    const body = state.sender ? { sender: state.sender, message } : { message };
    return fetch(BASE + "/api/chat", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
  }

  async function ask(payload, shown) {
    if (busy) return;
    busy = true;
    send.disabled = true;
    add("user", { text: shown || payload }, true);
    typing.hidden = false;
    scrollDown();
    try {
      let response = await post(payload);
      if (response.status === 403 && state.sender) {  // the server no longer knows this id: start a new conversation
        state.sender = null;
        response = await post(payload);
      }
      let body = null;
      try { body = await response.json(); } catch (e) { body = null; }
      if (response.ok && body && typeof body.sender === "string" && SENDER.test(body.sender)) {
        state.sender = body.sender;
        save();
      }
      if (!response.ok) {
        const detail = body && typeof body.detail === "string" ? body.detail : "Không gửi được tin nhắn, vui lòng thử lại.";
        add("error", { text: detail }, false);
      } else {
        const messages = (body && Array.isArray(body.messages)) ? body.messages : [];
        if (!messages.length) add("bot", { text: "Xin lỗi, tôi chưa có câu trả lời cho câu hỏi này." }, true);
        messages.forEach((m) => add("bot", m, true));
      }
    } catch (e) {
      add("error", { text: "Không kết nối được với trợ lý. Vui lòng kiểm tra mạng và thử lại." }, false);
    } finally {
      busy = false;
      send.disabled = false;
      typing.hidden = true;
      scrollDown();
      if (shown === undefined) input.focus();
    }
  }

  bubble.addEventListener("click", () => setOpen(panel.hidden, true));
  closeBtn.addEventListener("click", () => setOpen(false, true));
  resetBtn.addEventListener("click", () => {
    state.sender = null;
    state.history = [];
    log.textContent = "";
    greet();
    setOpen(true, true);
  });
  panel.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape") { ev.preventDefault(); setOpen(false, true); }
  });
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const text = input.value.trim();
    if (!text || busy) return;
    input.value = "";
    ask(text.slice(0, MAX_CHARS));
  });

  greet();
  state.history.forEach((entry) => renderMessage(entry));
  setOpen(!!state.open, false);
  window.TthcWidget = { open: () => setOpen(true, true), close: () => setOpen(false, false) };
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mount);
else mount();
