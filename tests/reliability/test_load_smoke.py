"""A short version of bench/load_chat.py in the test suite (the same generator,
tthc/stack/load.py): 20 sessions × 10 s through
Rasa's REST webhook (real Rasa + action server) — no error, no lost turn (every answered
turn is a user event in the tracker store). Latency is printed, not judged here: the
machine is shared; the full 200 × 60 s run and its targets are in bench/ (make bench-load).
"""

from __future__ import annotations

import uuid

import pytest

from tests.channels.conftest import shared_bot
from tests.run_async import run_async
from tthc.stack.load import Phase, lost_turns, recorded_user_turns, run_phase, wait_until_warm

pytestmark = pytest.mark.slow


def test_short_load_no_error_no_lost_turn(tmp_path_factory: pytest.TempPathFactory) -> None:
    bot = shared_bot(tmp_path_factory)
    prefix = "smoke-" + uuid.uuid4().hex[:8]
    wait_until_warm(bot.rasa_url, prefix)
    phase = run_async(run_phase(bot.rasa_url, Phase("smoke", 20, 2.0, 10.0), 60.0, prefix))
    summary = phase.summary() | lost_turns(phase, recorded_user_turns(bot.tracker_db, prefix))
    print(summary)
    assert summary["errors"] == 0, summary
    assert summary["turns_ok"] >= 40, summary
    assert summary["lost_turns"] == 0 and summary["recorded_user_events"] >= summary["answered_turns"], (
        summary
    )
