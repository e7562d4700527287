"""Fixtures shared by every test folder.

``bot``: ONE real Rasa server + action server for the whole test session (tests/e2e,
tests/channels, tests/browser, tests/staff), started on first use — starting Rasa costs
tens of seconds — and stopped when the test process exits. Each test uses its own
sender ids, so conversations do not mix.
"""

from __future__ import annotations

import atexit

import pytest

from tests.e2e.servers import Bot, start_bot

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
