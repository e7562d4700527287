"""``POST /webhook`` (``api/routers/actions.py``): the bot's actions served by the API process, with
the action-server protocol Rasa speaks; only Rasa (the token, or this machine) may call it."""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tthc.settings import get_settings

TOKEN = "jeton-kiem-thu"


@pytest.fixture
def client(tmp_path, monkeypatch) -> Iterator[TestClient]:
    monkeypatch.setenv("TTHC_STAFF_DB", str(tmp_path / "staff.db"))
    monkeypatch.setenv("TTHC_ACTION_TOKEN", TOKEN)
    monkeypatch.setenv("TTHC_PRELOAD_INDEX", "false")
    get_settings.cache_clear()
    from api.main import create_app

    with TestClient(create_app()) as c:
        yield c
    get_settings.cache_clear()


def action_call(action: str, text: str, sender: str = "kiem-thu", intent: str = "ask_procedure") -> dict:
    tracker = {
        "sender_id": sender,
        "slots": {},
        "latest_message": {"text": text, "intent": {"name": intent}, "entities": []},
        "events": [],
        "paused": False,
        "followup_action": None,
        "active_loop": {},
        "latest_action_name": "action_listen",
    }
    return {
        "next_action": action,
        "sender_id": sender,
        "tracker": tracker,
        "domain": {},
        "version": "3.6.21",
    }


@pytest.mark.slow
def test_rasa_gets_the_answer_as_from_an_action_server(client: TestClient) -> None:
    call = action_call("action_answer_question", "đăng ký khai sinh cần giấy tờ gì")
    r = client.post("/webhook", params={"token": TOKEN}, json=call)
    assert r.status_code == 200, r.text
    body = r.json()
    assert "mã 1.001193" in body["responses"][0]["text"]
    assert {e["name"] for e in body["events"] if e["event"] == "slot"} >= {"procedure_code"}
    # Rasa may compress the call
    packed = zlib.compress(json.dumps(call).encode())
    r = client.post(
        "/webhook", params={"token": TOKEN}, content=packed, headers={"Content-Encoding": "deflate"}
    )
    assert r.status_code == 200 and "mã 1.001193" in r.json()["responses"][0]["text"]
    assert client.get("/health").json() == {"status": "ok"}


def test_only_rasa_may_call(client: TestClient) -> None:
    call = action_call("action_answer_question", "đăng ký khai sinh")
    assert client.post("/webhook", json=call).status_code == 403  # no token (and not loopback)
    assert client.post("/webhook", params={"token": "sai"}, json=call).status_code == 403


def test_bad_calls_get_the_action_server_errors(client: TestClient) -> None:
    r = client.post("/webhook", params={"token": TOKEN}, content=b"{not json")
    assert r.status_code == 400 and "JSON" in r.json()["error"]
    r = client.post("/webhook", params={"token": TOKEN}, json=action_call("action_khong_co", "x"))
    assert r.status_code == 404 and r.json()["action_name"] == "action_khong_co"


def metric(name: str, **labels: str) -> float:
    from prometheus_client import REGISTRY

    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.mark.parametrize(
    ("action", "text", "intent", "counter", "labels"),
    [
        ("action_handoff", "/handoff", "handoff", "tthc_handoffs_total", {}),
        ("action_store_rating", "/rate_helpful", "rate_helpful", "tthc_ratings_total", {"rating": "helpful"}),
        (
            "action_store_rating",
            "/rate_not_helpful",
            "rate_not_helpful",
            "tthc_ratings_total",
            {"rating": "not_helpful"},
        ),
        ("action_out_of_scope", "giá vàng hôm nay", "out_of_scope", "tthc_no_match_total", {}),
        pytest.param(
            "action_answer_question",
            "qwertyuiop zxcvbnm asdfgh",
            "nlu_fallback",
            "tthc_no_match_total",
            {},
            marks=pytest.mark.slow,
        ),
    ],
)
def test_metrics_count_what_the_actions_record(
    client: TestClient, action: str, text: str, intent: str, counter: str, labels: dict
) -> None:
    """Each outcome is counted once, on the channel of the conversation, from the action's slot event."""
    before = metric(counter, channel="zalo", **labels)
    others = metric("tthc_no_match_total", channel="web") + metric("tthc_handoffs_total", channel="web")
    call = action_call(action, text, sender="zalo-123", intent=intent)
    assert client.post("/webhook", params={"token": TOKEN}, json=call).status_code == 200
    assert metric(counter, channel="zalo", **labels) == before + 1
    assert (
        metric("tthc_no_match_total", channel="web") + metric("tthc_handoffs_total", channel="web") == others
    )


@pytest.mark.slow
def test_an_answer_counts_no_outcome(client: TestClient) -> None:
    outcomes = ("tthc_no_match_total", "tthc_handoffs_total")
    before = [metric(name, channel="zalo") for name in outcomes]
    call = action_call("action_answer_question", "đăng ký khai sinh cần giấy tờ gì", sender="zalo-7")
    assert client.post("/webhook", params={"token": TOKEN}, json=call).status_code == 200
    assert [metric(name, channel="zalo") for name in outcomes] == before
