"""The staff page in Debian's headless Chromium (Playwright, no browser download):
type in the search, see results, move with the keyboard, open a procedure, pin it,
open the printable checklist. Screenshots go to test-artifacts/."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.channels.conftest import App, start_app
from tthc.stack.servers import REPO_ROOT

pytestmark = pytest.mark.slow
ARTIFACTS = REPO_ROOT / "test-artifacts"


@pytest.fixture(scope="module")
def staff_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    app = start_app(
        tmp_path_factory.mktemp("staff-web"), {"TTHC_INDEX_DIR": str(REPO_ROOT / "var" / "index")}
    )
    yield app
    app.stop()


def test_search_open_procedure_and_checklist(browser, staff_app: App) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{staff_app.url}/staff", timeout=120_000)
    page.goto(f"{staff_app.url}/staff")  # second load: the index is warm, as at the desk
    nav = page.evaluate("performance.getEntriesByType('navigation')[0].toJSON()")
    print(
        f"/staff load: DOMContentLoaded {nav['domContentLoadedEventEnd']:.0f} ms, "
        f"load {nav['loadEventEnd']:.0f} ms, {nav['transferSize']} bytes"
    )

    page.locator("h1").click()  # focus away from the (autofocused) search box
    assert page.evaluate("document.activeElement.id") != "q"
    page.keyboard.press("/")  # the shortcut focuses the search box
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type("dang ky khai sinh", delay=60)
    page.wait_for_selector("#results li >> text=1.001193", timeout=20_000)
    page.screenshot(path=str(ARTIFACTS / "staff-search.png"), full_page=True)
    timings = page.evaluate("window.__staffTimings")
    assert timings, "searches ran while typing"
    timings = sorted(timings)
    print(
        f"per-keystroke round trip in the page: n={len(timings)} p50={timings[len(timings) // 2]:.1f} ms max={timings[-1]:.1f} ms"
    )

    # arrows move the selection, Enter opens it
    first = page.get_attribute("#results li[aria-selected=true] a", "href")
    page.keyboard.press("ArrowDown")
    second = page.get_attribute("#results li[aria-selected=true] a", "href")
    assert second != first
    page.keyboard.press("ArrowUp")
    # make sure 1.001193 is the selected row, then open it with Enter
    index = page.evaluate(
        "[...document.querySelectorAll('#results li')].findIndex(li => li.textContent.includes('1.001193'))"
    )
    for _ in range(index):
        page.keyboard.press("ArrowDown")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/staff/procedures/1.001193")
    assert "Thủ tục đăng ký khai sinh" in page.inner_text("h1")
    assert page.is_visible("text=Căn cứ pháp lý")
    page.click("#pin")
    assert page.get_attribute("#pin", "aria-pressed") == "true"
    page.screenshot(path=str(ARTIFACTS / "staff-procedure.png"), full_page=False)

    page.click("#checklist-link")
    page.wait_for_selector("table.check")
    assert page.locator("table.check td.box").count() > 3
    page.emulate_media(media="print")
    page.screenshot(path=str(ARTIFACTS / "staff-checklist-print.png"), full_page=True)
    assert not page.is_visible("#print"), "buttons are hidden when printing"
    page.emulate_media(media="screen")

    # back on the search page: pinned and recent show the procedure, filters work
    page.goto(f"{staff_app.url}/staff")
    assert "1.001193" in page.inner_text("#pinned")
    assert "1.001193" in page.inner_text("#recent")
    page.select_option("#level", "tinh")
    page.fill("#q", "khai sinh")
    page.wait_for_selector("#results li", timeout=20_000)
    metas = page.locator("#results li .m").all_inner_texts()
    assert metas and all("Cấp tỉnh" in m for m in metas), metas

    # words that match no title: after a pause the meaning-based search suggests procedures
    page.select_option("#level", "")
    page.fill("#q", "birth registration")
    page.wait_for_selector("#status:has-text('nghĩa')", timeout=30_000)
    assert "1.001193" in page.inner_text("#results")

    # an injected query is shown as text, never run
    page.fill("#q", "<img src=x onerror=window.__xss=1>")
    page.wait_for_timeout(400)
    assert page.evaluate("window.__xss") is None
    assert not errors, errors
    page.close()


def copy_conversation(source: Path, target: Path, sender_id: str) -> None:
    """Write a tracker store at `target` (Rasa's own table schema) with one conversation."""
    out = sqlite3.connect(target)
    with out:
        out.execute("ATTACH DATABASE ? AS src", (str(source),))
        for (sql,) in out.execute(
            "SELECT sql FROM src.sqlite_master WHERE tbl_name = 'events' AND sql IS NOT NULL"
        ).fetchall():
            out.execute(sql)
        n = out.execute(
            "INSERT INTO events SELECT * FROM src.events WHERE sender_id = ?", (sender_id,)
        ).rowcount
    out.close()
    assert n >= 4, f"the bot stored {n} events for {sender_id}"


def test_login_and_dashboard_in_the_browser(browser, bot, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Log in through the form, see the dashboard computed from the real bot's tracker
    store, open a handoff transcript, log out."""
    import uuid

    from api.staff.auth import StaffStore

    tmp = tmp_path_factory.mktemp("staff-dash")
    StaffStore(tmp / "var" / "staff" / "staff.db").add_user("canbo", "mat-khau-kiem-thu-123")
    sender = f"web-dash{uuid.uuid4().hex[:8]}"
    bot.say(sender, "thủ tục đăng ký thường trú")
    bot.say(sender, "/handoff")
    # the dashboard reads a copy holding only this conversation: the shared bot's store also
    # holds every other test's conversations, which would crowd it out of the top list
    tracker_db = tmp / "tracker.db"
    copy_conversation(bot.tracker_db, tracker_db, sender)
    app = start_app(
        tmp,
        {
            "TTHC_TRACKER_DB_URL": f"sqlite:///{tracker_db}",
            "TTHC_INDEX_DIR": str(REPO_ROOT / "var" / "index"),
        },
    )
    try:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{app.url}/staff/insights", timeout=120_000)
        assert "/staff/login" in page.url
        page.fill("input[name=username]", "canbo")
        page.fill("input[name=password]", "sai-mat-khau-000")
        page.click("button[type=submit]")
        assert "Sai tên đăng nhập hoặc mật khẩu" in page.inner_text("main")
        page.fill("input[name=password]", "mat-khau-kiem-thu-123")
        with page.expect_navigation():
            page.click("main button[type=submit]")
        assert page.url.endswith("/staff/insights")
        assert int(page.inner_text("#n-handoffs")) >= 1
        page.screenshot(path=str(ARTIFACTS / "staff-insights.png"), full_page=True)
        assert "thường trú" in page.inner_text("#top")
        page.click(f"a[href='/staff/conversations/{sender}']")
        assert "thủ tục đăng ký thường trú" in page.inner_text("main")
        page.screenshot(path=str(ARTIFACTS / "staff-conversation.png"), full_page=True)
        page.click("text=Đăng xuất")
        page.goto(f"{app.url}/staff/insights")
        assert "/staff/login" in page.url
        page.close()
    finally:
        app.stop()
