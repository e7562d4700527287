"""The web widget in a real headless Chromium: rendering, escaping, keyboard, phone
layout and history across reloads.

The API runs under uvicorn; Rasa is a stand-in answering fixed REST-webhook messages
(see conftest ``rasa_stand_in``), because these tests check the widget, not the
answers. The real bot is used in test_widget_real_bot.py.
"""

from __future__ import annotations

import json

import pytest

from tests.browser.conftest import INJECTION
from tests.channels.conftest import App, FakeHTTP

pytestmark = pytest.mark.slow

OPEN = "Mở trò chuyện với trợ lý thủ tục hành chính"


def _page(browser, **kwargs):
    context = browser.new_context(locale="vi-VN", **kwargs)
    context.set_default_timeout(10_000)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    return context, page, dialogs, errors


def test_ask_click_reload_and_escaping(
    browser, app_with_stand_in: App, stand_in: FakeHTTP, artifacts
) -> None:
    context, page, dialogs, errors = _page(browser, viewport={"width": 1280, "height": 800})
    page.goto(app_with_stand_in.url + "/")
    page.get_by_role("button", name=OPEN).click()
    dialog = page.get_by_role("dialog", name="Trợ lý thủ tục hành chính")
    assert dialog.is_visible()
    assert "Trợ lý tự động" in dialog.inner_text()

    box = page.get_by_role("textbox", name="Câu hỏi của bạn")
    box.fill(INJECTION)
    box.press("Enter")
    log = page.get_by_role("log")
    page.get_by_text("Bạn muốn xem thêm?").wait_for()

    # escaped: the markup is shown as text, no <img> or <b> element exists, no alert ran
    assert INJECTION in log.inner_text()
    assert page.locator("#tthc-widget img").count() == 0
    assert page.locator("#tthc-widget .msg b").count() == 0
    assert page.get_by_role("button", name="<b>Thời hạn</b>").is_visible()
    # links are clickable and open safely; **bold** is rendered
    link = log.get_by_role("link", name="https://dichvucong.gov.vn/p/1.001193")
    assert link.get_attribute("target") == "_blank" and "noopener" in link.get_attribute("rel")
    assert log.locator("strong", has_text="1.001193").count() == 1
    page.screenshot(path=str(artifacts / "widget-escaping.png"))

    # a button sends its payload and shows its title
    page.get_by_role("button", name="Lệ phí").click()
    page.get_by_text('Đã chọn /ask_detail{"detail": "fee"}').wait_for()
    sent = [r.json()["message"] for r in stand_in.requests]
    assert sent[-1] == '/ask_detail{"detail": "fee"}'
    before = log.locator("li").count()

    page.reload()
    log = page.get_by_role("log")
    log.get_by_text('Đã chọn /ask_detail{"detail": "fee"}').wait_for()  # reopened with its history
    assert log.locator("li").count() == before
    assert INJECTION in log.inner_text() and page.locator("#tthc-widget img").count() == 0
    page.screenshot(path=str(artifacts / "widget-after-reload.png"))

    # one conversation id, issued by the server, used after the reload too
    senders = {r.json()["sender"] for r in stand_in.requests}
    box = page.get_by_role("textbox", name="Câu hỏi của bạn")
    box.fill("sau khi tải lại")
    box.press("Enter")
    page.get_by_text("Bạn đã gửi: sau khi tải lại").wait_for()
    assert stand_in.requests[-1].json()["sender"] in senders
    assert len(senders) == 1 and next(iter(senders)).startswith("web-")
    assert dialogs == [] and errors == []
    context.close()


def test_a_conversation_id_the_server_did_not_issue_starts_a_new_conversation(
    browser, app_with_stand_in: App, stand_in: FakeHTTP
) -> None:
    """A stored id from an older version, or one typed into localStorage: the widget is refused
    (403), drops it and goes on with an id the server issues, without showing an error."""
    context, page, _, errors = _page(browser, viewport={"width": 1280, "height": 800})
    page.goto(app_with_stand_in.url + "/")
    forged = "web-" + "0" * 40
    page.evaluate(
        "(s) => { for (const k of Object.keys(localStorage)) localStorage.removeItem(k);"
        " localStorage.setItem('tthc-widget:v1', JSON.stringify({sender: s, history: [], open: true})); }",
        forged,
    )
    page.reload()
    box = page.get_by_role("textbox", name="Câu hỏi của bạn")
    box.fill("phiên cũ")
    box.press("Enter")
    page.get_by_text("Bạn đã gửi: phiên cũ").wait_for()
    sender = stand_in.requests[-1].json()["sender"]
    assert sender != forged and sender.startswith("web-")
    assert errors == [] and page.locator("#tthc-widget .msg--error").count() == 0
    context.close()


def test_typing_indicator(browser, app_with_stand_in: App, artifacts) -> None:
    context, page, _, _ = _page(browser, viewport={"width": 1280, "height": 800})
    page.goto(app_with_stand_in.url + "/")
    page.get_by_role("button", name=OPEN).click()
    box = page.get_by_role("textbox", name="Câu hỏi của bạn")
    box.fill("chậm")
    box.press("Enter")
    status = page.get_by_role("status")
    status.get_by_text("Trợ lý đang trả lời…").wait_for(state="visible", timeout=1000)
    page.screenshot(path=str(artifacts / "widget-typing.png"))
    page.get_by_text("Bạn đã gửi: chậm").wait_for()
    assert not status.is_visible()
    context.close()


def test_keyboard_only_on_a_phone_screen(
    browser, app_with_stand_in: App, stand_in: FakeHTTP, artifacts
) -> None:
    context, page, _, errors = _page(
        browser, viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True
    )
    page.goto(app_with_stand_in.url + "/")

    def focused() -> str:
        return page.evaluate(
            "() => { const a = document.activeElement; const s = a && a.shadowRoot ? a.shadowRoot.activeElement : a;"
            " return s ? (s.getAttribute('aria-label') || s.textContent || s.tagName) : ''; }"
        )

    for _ in range(5):  # the page's own focusable parts come first, then the bubble
        page.keyboard.press("Tab")
        if focused() == OPEN:
            break
    assert focused() == OPEN
    page.keyboard.press("Enter")  # opens and moves focus to the text box
    assert focused() == "Câu hỏi của bạn"
    panel = page.get_by_role("dialog").bounding_box()
    assert panel["width"] == 375 and panel["height"] == 740  # full screen on a phone
    page.keyboard.type("Đăng ký khai sinh cần gì")
    page.keyboard.press("Enter")
    page.get_by_text("Bạn muốn xem thêm?").wait_for()
    # widths fit the screen: nothing scrolls sideways
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(artifacts / "widget-phone.png"))

    page.keyboard.press("Shift+Tab")  # from the text box back to the last suggestion button
    assert focused() == "<b>Thời hạn</b>"
    page.keyboard.press("Enter")
    page.get_by_text('Đã chọn /ask_detail{"detail": "time"}').wait_for()
    assert json.loads(stand_in.requests[-1].body)["message"] == '/ask_detail{"detail": "time"}'

    # the live region announces new messages
    assert page.get_by_role("log").get_attribute("aria-live") == "polite"
    page.keyboard.press("Escape")  # closes and gives focus back to the bubble
    assert not page.get_by_role("dialog").is_visible()
    assert focused() == OPEN
    assert errors == []
    context.close()


def test_widget_js_is_served_and_embeddable_from_another_origin(app_with_stand_in: App) -> None:
    import httpx

    script = httpx.get(app_with_stand_in.url + "/widget.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    assert "inputs:" in script.text[:200]
    preflight = httpx.options(
        app_with_stand_in.url + "/api/chat",
        headers={
            "Origin": "https://dichvucong.tinh.gov.vn",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] in ("*", "https://dichvucong.tinh.gov.vn")
