"""Fixtures shared by every test folder.

``browser``: ONE headless Chromium for the session (tests/browser, tests/staff): Debian's
/usr/bin/chromium driven by Playwright (no browser download); Playwright's sync API
allows one running instance per thread, so the folders must share it.

``bot``: ONE real Rasa server + action server for the whole test session (tests/e2e,
tests/channels, tests/browser, tests/staff), started on first use — starting Rasa costs
tens of seconds — and stopped when the test process exits. Each test uses its own
sender ids, so conversations do not mix.
"""

from __future__ import annotations

import atexit
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tthc.settings import get_settings
from tthc.stack.servers import Bot, start_bot

_BOT: list[Bot] = []


def session_bot(tmp_path_factory: pytest.TempPathFactory) -> Bot:
    if not _BOT:
        running = start_bot(tmp_path_factory.mktemp("bot"))
        atexit.register(running.stop)
        _BOT.append(running)
    return _BOT[0]


@pytest.fixture(scope="session")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Bot:
    return session_bot(tmp_path_factory)


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            "chromium is not installed: run `make browser` (apt-get install chromium chromium-driver)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def settings_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:
    """Set TTHC_* variables for one test (the cached settings are re-read)."""

    def apply(**values: object) -> None:
        for key, value in values.items():
            monkeypatch.setenv(f"TTHC_{key.upper()}", str(value))
        get_settings.cache_clear()

    get_settings.cache_clear()
    yield apply
    monkeypatch.undo()
    get_settings.cache_clear()
