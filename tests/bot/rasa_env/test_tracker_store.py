"""bot/rasa_env/tracker_store.py against Rasa's own SQLTrackerStore, on a real SQLite file.

Whatever the cache does, a turn must see — and the database must hold — exactly what
Rasa's SQLTrackerStore would give, also when a second Rasa instance writes to the same
conversation or a turn fails before it is saved.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

pytest.importorskip("rasa")

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered

from bot.rasa_env.server import apply_runtime_fixes
from bot.rasa_env.tracker_store import CachedSQLTrackerStore

REPO_ROOT = Path(__file__).resolve().parents[3]
DOMAIN = Domain.load(str(REPO_ROOT / "domain.yml"))


def run(coro):
    return asyncio.run(coro)


def stores(db: Path) -> tuple[CachedSQLTrackerStore, CachedSQLTrackerStore, SQLTrackerStore]:
    """Two 'Rasa instances' with the cache and Rasa's plain store, on one database."""
    apply_runtime_fixes()  # WAL + one connection per store, as the server runs it
    kwargs = dict(domain=DOMAIN, dialect="sqlite", db=str(db))
    return CachedSQLTrackerStore(**kwargs), CachedSQLTrackerStore(**kwargs), SQLTrackerStore(**kwargs)


def turn(store, sender: str, text: str, code: str | None = None):
    """One turn as Rasa's processor does it: retrieve (or create), append, save."""
    tracker = run(store.retrieve(sender)) or run(store.create_tracker(sender, append_action_listen=True))
    tracker.update(UserUttered(text, {"name": "ask_procedure", "confidence": 1.0}))
    tracker.update(ActionExecuted("action_answer_question"))
    tracker.update(BotUttered(f"trả lời: {text}"))
    if code:
        tracker.update(SlotSet("procedure_code", code))
    tracker.update(ActionExecuted("action_listen"))
    run(store.save(tracker))
    return tracker


def as_dicts(tracker) -> list[dict]:
    return [e.as_dict() for e in tracker.events]


def test_turns_are_stored_exactly_as_rasa_reads_them(tmp_path: Path) -> None:
    cached, _, plain = stores(tmp_path / "t.db")
    for i in range(4):
        turn(cached, "a", f"câu hỏi {i}", code=f"1.00{i}")
    reused = run(cached.retrieve("a"))
    fresh = run(plain.retrieve("a"))
    assert as_dicts(reused) == as_dicts(fresh)
    assert fresh.get_slot("procedure_code") == "1.003"
    assert len([e for e in fresh.events if isinstance(e, UserUttered)]) == 4  # no duplicates


def test_a_turn_answered_by_another_instance_is_seen(tmp_path: Path) -> None:
    one, two, plain = stores(tmp_path / "t.db")
    turn(one, "a", "đăng ký khai sinh", code="1.001193")
    turn(two, "a", "thế còn lệ phí?", code="2.000000")  # lands on the other instance
    seen = run(one.retrieve("a"))
    assert seen.get_slot("procedure_code") == "2.000000"
    turn(one, "a", "mất bao lâu?")
    assert as_dicts(run(one.retrieve("a"))) == as_dicts(run(plain.retrieve("a")))
    texts = [e.text for e in run(plain.retrieve("a")).events if isinstance(e, UserUttered)]
    assert texts == ["đăng ký khai sinh", "thế còn lệ phí?", "mất bao lâu?"]


def test_a_turn_that_failed_before_saving_leaves_no_trace(tmp_path: Path) -> None:
    cached, _, plain = stores(tmp_path / "t.db")
    turn(cached, "a", "đăng ký tạm trú", code="1.004194")
    broken = run(cached.retrieve("a"))
    broken.update(UserUttered("câu hỏi không được lưu"))
    broken.update(SlotSet("procedure_code", "9.999999"))  # then the turn crashed: no save
    again = run(cached.retrieve("a"))
    assert again.get_slot("procedure_code") == "1.004194"
    assert as_dicts(again) == as_dicts(run(plain.retrieve("a")))


def test_a_new_session_is_read_back_as_rasa_reads_it(tmp_path: Path) -> None:
    cached, _, plain = stores(tmp_path / "t.db")
    turn(cached, "a", "câu hỏi cũ")
    tracker = run(cached.retrieve("a"))
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    run(cached.save(tracker))
    turn(cached, "a", "câu hỏi mới")
    seen = run(cached.retrieve("a"))
    assert as_dicts(seen) == as_dicts(run(plain.retrieve("a")))
    assert [e.text for e in seen.events if isinstance(e, UserUttered)] == ["câu hỏi mới"]


def test_conversations_survive_a_restart(tmp_path: Path) -> None:
    cached, _, _ = stores(tmp_path / "t.db")
    turn(cached, "a", "đăng ký kết hôn", code="1.000894")
    restarted, _, _ = stores(tmp_path / "t.db")
    assert run(restarted.retrieve("a")).get_slot("procedure_code") == "1.000894"


def test_personal_identifiers_are_never_written(tmp_path: Path) -> None:
    import sqlite3

    cached, _, plain = stores(tmp_path / "t.db")
    turn(cached, "pii", "số căn cước 001203004567, gọi tôi số 0912345678 nhé")
    with sqlite3.connect(tmp_path / "t.db") as db:
        query = "SELECT data FROM events WHERE sender_id = 'pii' AND type_name = 'user'"
        stored = " ".join(row[0] for row in db.execute(query))
    assert stored and "001203004567" not in stored and "0912345678" not in stored
    [user] = [e for e in as_dicts(run(plain.retrieve("pii"))) if e["event"] == "user"]
    assert (
        user["text"]
        == user["parse_data"]["text"]
        == "số căn cước [số định danh], gọi tôi số [số điện thoại] nhé"
    )
