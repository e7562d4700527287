"""The office dashboard computed from a REAL tracker store: conversations go through the
real Rasa server and action server (the session's shared bot), which write Rasa's SQLite
tracker store; the dashboard reads that file (no copy) and must count what happened."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient

from tests.staff.conftest import add_user, login
from tthc.stack.servers import Bot

pytestmark = pytest.mark.slow


@pytest.fixture
def dashboard(bot: Bot, staff_env, monkeypatch: pytest.MonkeyPatch):
    from api.main import create_app
    from tthc.settings import get_settings

    monkeypatch.setenv("TTHC_TRACKER_DB_URL", f"sqlite:///{bot.tracker_db}")
    get_settings.cache_clear()
    add_user()
    with TestClient(create_app()) as client:
        response = login(client)
        client.cookies.set("tthc_staff", response.cookies["tthc_staff"])
        yield client


def test_dashboard_counts_questions_gaps_and_handoffs(bot: Bot, dashboard: TestClient) -> None:
    before = dashboard.get("/api/staff/insights", params={"days": 1}).json()
    tag = uuid.uuid4().hex[:8]
    web, zalo, messenger = f"web-staff{tag}", f"zalo-staff{tag}", f"messenger-staff{tag}"

    # web: a question answered with 1.001193, then 👎
    bot.say(web, "đăng ký khai sinh cần giấy tờ gì")
    bot.say(web, "/rate_not_helpful")
    # zalo: a question the assistant cannot answer
    bot.say(zalo, "cách nuôi cá koi trong bể kính cho đẹp")
    # messenger: a question, then asks for a person
    bot.say(messenger, "thủ tục đăng ký tạm trú")
    bot.say(messenger, "/handoff")

    after = dashboard.get("/api/staff/insights", params={"days": 1}).json()
    assert after["questions"] - before["questions"] == 3
    delta = {ch: after["per_channel"][ch] - before["per_channel"][ch] for ch in ("web", "zalo", "messenger")}
    assert delta == {"web": 1, "zalo": 1, "messenger": 1}
    assert after["per_day"][-1]["total"] - before["per_day"][-1]["total"] == 3

    top = {row["code"]: row for row in after["top_procedures"]}
    before_top = {row["code"]: row["count"] for row in before["top_procedures"]}
    assert top["1.001193"]["count"] - before_top.get("1.001193", 0) == 1
    assert top["1.001193"]["title"] == "Thủ tục đăng ký khai sinh"
    assert top["1.004194"]["count"] - before_top.get("1.004194", 0) == 1

    gaps = {g["sender_id"]: g for g in after["unanswered"]}
    assert gaps[web]["reason"] == "not_helpful"
    assert gaps[web]["question"] == "đăng ký khai sinh cần giấy tờ gì"
    assert gaps[web]["procedure_code"] == "1.001193"
    assert gaps[zalo]["reason"] in ("no_match", "out_of_scope")
    assert gaps[zalo]["question"] == "cách nuôi cá koi trong bể kính cho đẹp"
    assert messenger not in gaps

    assert after["handoffs"] - before["handoffs"] == 1
    queued = {h["sender_id"]: h for h in after["handoff_queue"]}
    assert queued[messenger]["channel"] == "messenger"
    assert queued[messenger]["last_question"] == "thủ tục đăng ký tạm trú"
    assert after["handoff_queue"][0]["sender_id"] == messenger, "newest first"

    # the handoff transcript: what the citizen said and what the bot answered, in order
    turns = dashboard.get(f"/api/staff/conversations/{messenger}").json()["turns"]
    said = [(t["who"], t.get("text", "")) for t in turns if t["who"] in ("user", "bot")]
    assert said[0] == ("user", "thủ tục đăng ký tạm trú")
    assert said[1][0] == "bot" and "1.004194" in said[1][1]
    assert ("user", "/handoff") in said
    assert "cán bộ" in said[-1][1]
    assert any(t["who"] == "marker" and t["slot"] == "handoff_requested" for t in turns)

    # a staff member marks it handled: it leaves the open part of the queue
    assert queued[messenger]["handled_by"] is None
    done = dashboard.post(f"/staff/conversations/{messenger}/handled", follow_redirects=False)
    assert done.status_code == 303
    marked = dashboard.get("/api/staff/insights", params={"days": 1}).json()
    row = next(h for h in marked["handoff_queue"] if h["sender_id"] == messenger)
    assert row["handled_by"] == "canbo" and row["handled_at"]
    assert marked["handoffs_open"] == after["handoffs_open"] - 1

    # the HTML dashboard shows the same, escaped
    html = dashboard.get("/staff/insights", params={"days": 1}).text
    assert f"/staff/conversations/{messenger}" in html
    assert "cách nuôi cá koi trong bể kính cho đẹp" in html
    page = dashboard.get(f"/staff/conversations/{messenger}").text
    assert "thủ tục đăng ký tạm trú" in page and "Yêu cầu gặp cán bộ" in page


def test_dashboard_escapes_what_citizens_wrote(bot: Bot, dashboard: TestClient) -> None:
    sender = f"web-xss{uuid.uuid4().hex[:8]}"
    bot.say(sender, "<script>alert(1)</script> thủ tục nuôi rồng")
    page = dashboard.get(f"/staff/conversations/{sender}").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
