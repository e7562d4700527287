"""The issue's scenario in a real headless Chromium against the real assistant:
uvicorn (FastAPI app) → real Rasa server (trained model, REST channel) → real action
server. Open the demo page, ask "đăng ký khai sinh cần gì", see the structured answer
(the ordinary-case documents, citing procedure 1.001193), click "Trường hợp riêng" and see
the conditional documents, reload and see the history.
Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import time

import pytest

from tests.browser.conftest import INJECTION
from tests.channels.conftest import App

pytestmark = pytest.mark.slow

OPEN = "Mở trò chuyện với trợ lý thủ tục hành chính"


def test_birth_registration_in_the_browser(browser, app_with_real_bot: App, artifacts) -> None:
    started = time.perf_counter()
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(60_000)  # the first answer loads the retrieval stack in the action server
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(app_with_real_bot.url + "/")
    page.get_by_role("button", name=OPEN).click()
    box = page.get_by_role("textbox", name="Câu hỏi của bạn")
    box.fill("đăng ký khai sinh cần gì")
    box.press("Enter")
    log = page.get_by_role("log")
    try:
        log.locator(".msg--bot", has_text="1.001193").first.wait_for()
    finally:
        page.screenshot(path=str(artifacts / "widget-real-bot-answer.png"))
    assert page.locator("#tthc-widget .msg--error").count() == 0
    answer = log.locator(".msg--bot", has_text="1.001193").first.inner_text()
    assert "Hồ sơ thông thường gồm" in answer and "Tờ khai đăng ký khai sinh" in answer
    assert "Giấy chứng sinh" in answer and "bỏ rơi" not in answer.split("Ngoài ra")[0]

    # the special cases are one tap away
    special = log.locator(".choices button", has_text="Trường hợp riêng")
    assert special.count() == 1, "the answer offers no special-cases button"
    bot_messages = log.locator(".msg--bot").count()
    special.first.click()
    page.wait_for_function(
        "n => document.querySelector('#tthc-widget').shadowRoot.querySelectorAll('.msg--bot').length > n",
        arg=bot_messages,
    )
    page.get_by_role("status").wait_for(state="hidden")
    cases = log.locator(".msg--bot").last.inner_text()
    assert "Trường hợp riêng" in cases and "bỏ rơi" in cases and "1.001193" in cases, cases
    page.screenshot(path=str(artifacts / "widget-real-bot-special-cases.png"))

    # an injection attempt is shown as text and never runs
    box.fill(INJECTION)
    box.press("Enter")
    log.locator(".msg--user", has_text=INJECTION).wait_for()
    page.get_by_role("status").wait_for(state="hidden")
    total = log.locator("li").count()

    page.reload()
    log = page.get_by_role("log")
    log.locator(".msg--bot", has_text="1.001193").first.wait_for(timeout=5000)
    assert log.locator("li").count() == total
    assert page.locator("#tthc-widget img").count() == 0 and dialogs == []
    page.screenshot(path=str(artifacts / "widget-real-bot-reload.png"))
    context.close()
    print(f"browser scenario with the real bot: {time.perf_counter() - started:.1f} s")
