"""Browser fixtures: Debian's headless Chromium driven by Playwright for Python.

Playwright's own browser download is not used (no network at test time): the
browser is /usr/bin/chromium from apt (``make browser`` installs it). Screenshots go
to test-artifacts/ (gitignored; CI keeps them as artifacts).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.channels.conftest import App, FakeHTTP, Recorded, shared_bot, start_app
from tthc.stack.servers import REPO_ROOT, Bot

ARTIFACTS = REPO_ROOT / "test-artifacts"
INJECTION = "<img src=x onerror=alert(1)>"


# The session-wide `browser` fixture (one headless Chromium for tests/browser and
# tests/staff: Playwright's sync API allows one instance per thread) is in tests/conftest.py.


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def rasa_stand_in() -> FakeHTTP:
    """A stand-in for Rasa's REST webhook, used ONLY for the widget's own behaviour
    (rendering, escaping, keyboard, layout, history) when the answer's content does
    not matter. test_widget_real_bot.py talks to the real Rasa and action server.
    """

    def reply(rec: Recorded) -> tuple[int, Any]:
        body = rec.json()
        sender, text = body["sender"], body["message"]
        if text == "chậm":
            time.sleep(1.5)
        if text.startswith("/"):
            return 200, [{"recipient_id": sender, "text": f"Đã chọn {text}"}]
        return 200, [
            {
                "recipient_id": sender,
                "text": f"Bạn đã gửi: {text}\nXem **1.001193** tại https://dichvucong.gov.vn/p/1.001193.",
            },
            {
                "recipient_id": sender,
                "text": "Bạn muốn xem thêm?",
                "buttons": [
                    {"title": "Lệ phí", "payload": '/ask_detail{"detail": "fee"}'},
                    {"title": "<b>Thời hạn</b>", "payload": '/ask_detail{"detail": "time"}'},
                ],
            },
        ]

    return FakeHTTP({"/webhooks/rest/webhook": reply}).start()


@pytest.fixture(scope="module")
def stand_in() -> Iterator[FakeHTTP]:
    fake = rasa_stand_in()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def app_with_stand_in(tmp_path_factory: pytest.TempPathFactory, stand_in: FakeHTTP) -> Iterator[App]:
    # the portal origin of test_widget_js_is_served_and_embeddable_from_another_origin (CORS default: own origin)
    env = {"TTHC_RASA_URL": stand_in.url, "TTHC_WIDGET_ALLOWED_ORIGINS": "https://dichvucong.tinh.gov.vn"}
    app = start_app(tmp_path_factory.mktemp("web"), env)
    yield app
    app.stop()


@pytest.fixture(scope="module")
def real_bot(tmp_path_factory: pytest.TempPathFactory) -> Bot:
    return shared_bot(tmp_path_factory)


@pytest.fixture(scope="module")
def app_with_real_bot(tmp_path_factory: pytest.TempPathFactory, real_bot: Bot) -> Iterator[App]:
    app = start_app(tmp_path_factory.mktemp("web-real"), {"TTHC_RASA_URL": real_bot.rasa_url})
    yield app
    app.stop()
