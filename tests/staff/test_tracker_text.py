"""Old events holding invalid Unicode (a lone surrogate from a client that split an
emoji) must not break the dashboard: the reader replaces what cannot be encoded."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from api.staff.tracker_reader import TrackerReader


def test_lone_surrogate_in_a_stored_event_is_replaced(tmp_path: Path) -> None:
    db = tmp_path / "tracker.db"
    with sqlite3.connect(db) as conn:
        conn.execute(
            "create table events (id integer primary key, sender_id text, type_name text, "
            "timestamp real, intent_name text, action_name text, data text)"
        )
        data = json.dumps({"event": "user", "text": "xin \ud83d chào 😀"})
        conn.execute(
            "insert into events (sender_id, type_name, timestamp, intent_name, action_name, data) "
            "values (?, 'user', 1.0, 'greet', null, ?)",
            ("web-abc", data),
        )
    events = TrackerReader(f"sqlite:///{db}").conversation("web-abc")
    assert [e.text for e in events] == ["xin ? chào 😀"]
    json.dumps([e.text for e in events]).encode("utf-8")
