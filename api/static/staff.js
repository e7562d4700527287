// Staff lookup pages: search as you type, keyboard, recent and pinned procedures.
// Every text from the server is inserted with textContent (never innerHTML).
(function () {
  "use strict";
  var RECENT = "tthc-staff-recent", PINNED = "tthc-staff-pinned", MAX_RECENT = 12;
  var LEVELS = { xa: "Cấp xã", huyen: "Cấp huyện", tinh: "Cấp tỉnh", bo: "Cấp Bộ", khac: "Cơ quan khác" };

  function load(key) {
    try { var v = JSON.parse(localStorage.getItem(key) || "[]"); return Array.isArray(v) ? v : []; }
    catch (e) { return []; }
  }
  function save(key, list) { try { localStorage.setItem(key, JSON.stringify(list)); } catch (e) { /* private mode */ } }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }
  function procUrl(code) { return "/staff/procedures/" + encodeURIComponent(code); }
  function isTyping(t) { return t && (t.tagName === "INPUT" || t.tagName === "SELECT" || t.tagName === "TEXTAREA"); }

  // "/" focuses the search anywhere (on other pages it goes to the search page).
  document.addEventListener("keydown", function (ev) {
    if (ev.key !== "/" || ev.ctrlKey || ev.metaKey || ev.altKey || isTyping(ev.target)) return;
    var q = document.getElementById("q");
    ev.preventDefault();
    if (q) { q.focus(); q.select(); } else { location.href = "/staff"; }
  });

  var page = document.body.getAttribute("data-page");
  var bars = document.querySelectorAll(".bar[data-w]");
  for (var b = 0; b < bars.length; b++) bars[b].style.width = bars[b].getAttribute("data-w") + "%";

  if (page === "procedure" || page === "checklist") {
    var code = document.body.getAttribute("data-code"), title = document.body.getAttribute("data-title");
    var recent = load(RECENT).filter(function (r) { return r.code !== code; });
    recent.unshift({ code: code, title: title });
    save(RECENT, recent.slice(0, MAX_RECENT));
    var pin = document.getElementById("pin");
    if (pin) {
      var sync = function () {
        var on = load(PINNED).some(function (r) { return r.code === code; });
        pin.setAttribute("aria-pressed", on ? "true" : "false");
        pin.textContent = on ? "Bỏ ghim" : "Ghim";
      };
      pin.addEventListener("click", function () {
        var list = load(PINNED), on = list.some(function (r) { return r.code === code; });
        save(PINNED, on ? list.filter(function (r) { return r.code !== code; }) : [{ code: code, title: title }].concat(list));
        sync();
      });
      sync();
    }
    var printBtn = document.getElementById("print");
    if (printBtn) printBtn.addEventListener("click", function () { window.print(); });
    return;
  }
  if (page !== "search") return;

  var q = document.getElementById("q"), results = document.getElementById("results"),
      status = document.getElementById("status"), field = document.getElementById("field"),
      level = document.getElementById("level"), agency = document.getElementById("agency");
  var active = -1, hits = [], controller = null, seq = 0, timer = null;
  window.__staffTimings = [];  // round-trip ms of each search (read by the browser test)

  function renderMini(id, key, removable) {
    var ul = document.getElementById(id), list = load(key);
    ul.textContent = "";
    if (!list.length) {
      ul.appendChild(el("li", "empty", removable ? "Chưa ghim thủ tục nào (mở một thủ tục rồi bấm “Ghim”)." : "Chưa xem thủ tục nào."));
      return;
    }
    list.forEach(function (r) {
      var li = el("li"), a = el("a", null, r.title + " (" + r.code + ")");
      a.href = procUrl(r.code);
      li.appendChild(a);
      if (removable) {
        var x = el("button", null, "Bỏ ghim");
        x.type = "button";
        x.setAttribute("aria-label", "Bỏ ghim " + r.title);
        x.addEventListener("click", function () {
          save(key, load(key).filter(function (o) { return o.code !== r.code; }));
          renderMini(id, key, removable);
        });
        li.appendChild(x);
      }
      ul.appendChild(li);
    });
  }
  renderMini("pinned", PINNED, true);
  renderMini("recent", RECENT, false);

  function setActive(i) {
    var items = results.children;
    if (!items.length) { active = -1; q.removeAttribute("aria-activedescendant"); return; }
    active = Math.max(0, Math.min(i, items.length - 1));
    for (var j = 0; j < items.length; j++) items[j].setAttribute("aria-selected", j === active ? "true" : "false");
    q.setAttribute("aria-activedescendant", items[active].id);
    items[active].scrollIntoView({ block: "nearest" });
  }

  function render(data, note) {
    hits = (data.results || []).filter(function (h) { return h.kind === "procedure"; });
    results.textContent = "";
    hits.forEach(function (h, i) {
      var li = el("li"), a = el("a", "t", h.title);
      li.id = "res-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      a.href = procUrl(h.code);
      a.tabIndex = -1;
      li.appendChild(a);
      var levels = (h.levels || []).map(function (l) { return LEVELS[l] || l; }).join(", ");
      li.appendChild(el("div", "m", ["Mã " + h.code, levels, h.field, h.agency].filter(Boolean).join(" · ")));
      li.addEventListener("click", function (ev) { if (ev.target !== a) location.href = procUrl(h.code); });
      results.appendChild(li);
    });
    q.setAttribute("aria-expanded", hits.length ? "true" : "false");
    status.textContent = hits.length
      ? (note || "") + (data.total > hits.length ? hits.length + " / " + data.total : hits.length) + " thủ tục phù hợp."
      : "Không tìm thấy thủ tục phù hợp. Thử từ khóa khác hoặc bỏ bớt bộ lọc.";
    active = -1;
    if (hits.length) setActive(0);
  }

  // Keyword search at each keystroke; when the words match no title, ask the hybrid
  // (meaning-based) search once the typing pauses, e.g. for a citizen's own phrasing.
  function search(mode) {
    mode = mode === "hybrid" ? "hybrid" : "lexical";
    var text = q.value;
    var params = new URLSearchParams({ q: text, k: "20", mode: mode });
    if (field.value) params.set("field", field.value);
    if (level.value) params.set("level", level.value);
    if (agency.value.trim()) params.set("agency", agency.value.trim());
    history.replaceState(null, "", text.trim() ? "/staff?q=" + encodeURIComponent(text) : "/staff");
    if (controller) controller.abort();  // only the latest keystroke matters
    if (!text.trim()) { results.textContent = ""; hits = []; status.textContent = "Gõ để tìm thủ tục."; return; }
    controller = new AbortController();
    var mine = ++seq, t0 = performance.now();
    fetch("/api/search?" + params.toString(), { signal: controller.signal, headers: { Accept: "application/json" } })
      .then(function (r) {
        return r.json().then(function (body) {
          if (!r.ok) throw new Error(body.detail || ("Lỗi " + r.status));
          return body;
        });
      })
      .then(function (data) {
        if (mine !== seq) return;
        if (mode === "lexical") window.__staffTimings.push(performance.now() - t0);
        if (mode === "lexical" && !data.results.length) {
          status.textContent = "Không thấy theo từ khóa, đang tìm theo nghĩa…";
          clearTimeout(timer);
          timer = setTimeout(function () { search("hybrid"); }, 300);
          return;
        }
        // staff judge for themselves: meaning-based suggestions are shown even when the
        // assistant would not answer a citizen with them (no_match), and labelled so
        render(data, mode !== "hybrid" ? "" : data.no_match ? "Gợi ý gần nghĩa, độ tin cậy thấp: " : "Tìm theo nghĩa: ");
      })
      .catch(function (err) {
        if (err.name === "AbortError" || mine !== seq) return;
        status.textContent = "Không tìm được: " + err.message;
      });
  }
  function schedule() { clearTimeout(timer); timer = setTimeout(search, 40); }
  function searchNow() { clearTimeout(timer); search(); }

  q.addEventListener("input", schedule);
  [field, level].forEach(function (s) { s.addEventListener("change", searchNow); });
  agency.addEventListener("input", schedule);
  q.addEventListener("keydown", function (ev) {
    if (ev.key === "ArrowDown") { ev.preventDefault(); setActive(active + 1); }
    else if (ev.key === "ArrowUp") { ev.preventDefault(); setActive(active - 1); }
    else if (ev.key === "Enter") {
      ev.preventDefault();
      if (hits.length) location.href = procUrl(hits[Math.max(active, 0)].code);
      else searchNow();
    } else if (ev.key === "Escape") { q.value = ""; searchNow(); }
  });
  document.getElementById("search-form").addEventListener("submit", function (ev) { ev.preventDefault(); });
  if (q.value.trim()) searchNow();
})();
