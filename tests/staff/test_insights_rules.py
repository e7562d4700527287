"""Counting rules of the dashboard on hand-written rows in Rasa's ``events`` schema
(fast, no servers). test_insights_real_bot.py checks the same against the tracker store
the real Rasa server writes."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path
from zoneinfo import ZoneInfo

from api.staff.insights import compute, transcript
from api.staff.tracker_reader import TrackerReader

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=TZ).timestamp()


class Store:
    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path)
        self.db.execute(
            "create table events (id integer primary key, sender_id varchar(255) not null, "
            "type_name varchar(255) not null, timestamp float, intent_name varchar(255), "
            "action_name varchar(255), data text)"
        )

    def add(self, sender: str, ts: float, kind: str, **data) -> None:
        intent = data.get("parse_data", {}).get("intent", {}).get("name") if kind == "user" else None
        action = data.get("name") if kind == "slot" else None
        self.db.execute(
            "insert into events(sender_id, type_name, timestamp, intent_name, action_name, data) values (?,?,?,?,?,?)",
            (sender, kind, ts, intent, action, json.dumps({"event": kind, "timestamp": ts, **data})),
        )
        self.db.commit()

    def user(self, sender: str, ts: float, text: str, intent: str) -> None:
        self.add(sender, ts, "user", text=text, parse_data={"intent": {"name": intent}})

    def slot(self, sender: str, ts: float, name: str, value) -> None:
        self.add(sender, ts, "slot", name=name, value=value)


def test_counting_rules(tmp_path: Path) -> None:
    store = Store(tmp_path / "tracker.db")
    day = 86400
    # yesterday 23:30 local time (16:30 UTC): counted on yesterday, not today
    late = dt.datetime(2026, 11, 22, 23, 30, tzinfo=TZ).timestamp()
    store.user("zalo-1", late, "đăng ký khai sinh", "ask_procedure")
    store.slot("zalo-1", late + 1, "procedure_code", "1.001193")
    store.slot("zalo-1", late + 1, "procedure_code", "1.001193")  # same answer: counted once
    store.user("zalo-1", late + 5, "xin chào", "greet")  # not a question
    store.user("zalo-1", late + 9, "thế còn lệ phí?", "ask_detail")
    store.slot("zalo-1", late + 10, "procedure_code", "1.001193")
    store.user("zalo-1", late + 20, "/rate_not_helpful", "rate_not_helpful")
    store.slot("zalo-1", late + 21, "rating", "not_helpful")
    # today: a no-match on the web, then a handoff
    store.user("web-abc", NOW - 60, "nuôi rồng cảnh", "ask_procedure")
    store.slot("web-abc", NOW - 59, "no_match", True)
    store.user("web-abc", NOW - 30, "/handoff", "handoff")
    store.slot("web-abc", NOW - 29, "handoff_requested", True)
    # out of scope on Messenger; an unknown prefix goes to "khac"
    store.user("messenger-9", NOW - 10, "thời tiết thế nào", "out_of_scope")
    store.slot("messenger-9", NOW - 9, "no_match", True)  # action_out_of_scope's mark: not a second gap
    store.user("cli-test", NOW - 5, "cấp lại căn cước", "ask_procedure")
    # older than the period: ignored
    store.user("web-old", NOW - 40 * day, "câu cũ", "ask_procedure")

    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    ins = compute(TrackerReader(url), days=30, now=NOW, titles={"1.001193": "Thủ tục đăng ký khai sinh"})
    assert ins.questions == 5
    assert ins.conversations == 4
    assert ins.per_channel == {"web": 1, "messenger": 1, "zalo": 2, "khac": 1}
    days = {d["day"]: d for d in ins.per_day}
    assert days["2026-11-22"]["zalo"] == 2 and days["2026-11-23"]["zalo"] == 0
    assert days["2026-11-23"]["total"] == 3
    assert ins.top_procedures == [{"code": "1.001193", "title": "Thủ tục đăng ký khai sinh", "count": 2}]
    reasons = {(g.sender_id, g.reason): g for g in ins.unanswered}
    assert reasons[("zalo-1", "not_helpful")].question == "thế còn lệ phí?"
    assert reasons[("zalo-1", "not_helpful")].procedure_code == "1.001193"
    assert reasons[("web-abc", "no_match")].question == "nuôi rồng cảnh"
    assert reasons[("messenger-9", "out_of_scope")].question == "thời tiết thế nào"
    assert [g.reason for g in ins.unanswered if g.sender_id == "messenger-9"] == ["out_of_scope"]
    assert ins.no_match == 2 and ins.not_helpful == 1
    assert ins.handoffs == 1 and ins.handoffs_open == 1
    assert ins.handoff_queue[0].last_question == "nuôi rồng cảnh"

    # handled after the request → closed; a handled mark older than the request does not close it
    closed = compute(TrackerReader(url), days=30, now=NOW, handled={"web-abc": ("canbo", NOW - 1)})
    assert closed.handoffs_open == 0 and closed.handoff_queue[0].handled_by == "canbo"
    stale = compute(TrackerReader(url), days=30, now=NOW, handled={"web-abc": ("canbo", NOW - 3600)})
    assert stale.handoffs_open == 1

    turns = transcript(TrackerReader(url), "web-abc")
    assert [t["who"] for t in turns] == ["user", "marker", "user", "marker"]
