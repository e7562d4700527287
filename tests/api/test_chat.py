"""``POST /api/chat`` as a trust boundary (api/routers/chat.py): conversation ids issued by the
server, the channels' conversations out of reach, typed intents read as text, personal
identifiers masked before Rasa sees them. In-process app; a stand-in answers for Rasa."""

from __future__ import annotations

import httpx
import pytest
from fastapi.testclient import TestClient

from api import limits
from tests.rasa_stand_in import StandIn

BUTTON = '/ask_detail{"procedure_code": "1.001193", "info_type": "fee"}'


def answer(body: dict) -> httpx.Response:
    return httpx.Response(
        200,
        json=[{"text": f"Đã nhận: {body['message']}", "buttons": [{"title": "Lệ phí", "payload": BUTTON}]}],
    )


@pytest.fixture
def rasa(monkeypatch) -> StandIn:
    stand_in = StandIn(answer)
    stand_in.install(monkeypatch)
    return stand_in


@pytest.fixture
def client(settings_env, tmp_path) -> TestClient:
    settings_env(preload_index="false", var_dir=tmp_path, staff_db=tmp_path / "staff.db")
    from api.main import create_app

    limits._memory = limits.MemoryBuckets()
    return TestClient(create_app(), client=("127.0.0.1", 50000))


def test_the_server_issues_the_conversation_id_and_the_conversation_goes_on(client, rasa) -> None:
    first = client.post("/api/chat", json={"message": "đăng ký khai sinh"})
    assert first.status_code == 200
    sender = first.json()["sender"]
    assert sender.startswith("web-")
    second = client.post("/api/chat", json={"sender": sender, "message": "lệ phí?"})
    assert second.status_code == 200 and second.json()["sender"] == sender
    assert [r["sender"] for r in rasa.received] == [sender, sender]
    other = client.post("/api/chat", json={"message": "xin chào"}).json()["sender"]
    assert other != sender


@pytest.mark.parametrize(
    "sender",
    [
        "abcdefgh\n",  # the outside probe: a trailing newline passed a match() pattern
        "abcdefgh",  # chosen by the client
        "messenger-9900001",  # a Messenger user's conversation
        "zalo-1234567890",
        "web-" + "0" * 40,  # the shape of an issued id, not issued
    ],
)
def test_ids_the_server_did_not_issue_are_refused(client, rasa, sender: str) -> None:
    r = client.post("/api/chat", json={"sender": sender, "message": "lệ phí bao nhiêu"})
    assert r.status_code == 403 and "Phiên trò chuyện không hợp lệ" in r.json()["detail"]
    assert rasa.received == []  # nothing reached the bot, nothing was stored


def test_an_issued_id_with_a_trailing_newline_is_refused(client, rasa) -> None:
    sender = client.post("/api/chat", json={"message": "xin chào"}).json()["sender"]
    r = client.post("/api/chat", json={"sender": sender + "\n", "message": "lệ phí"})
    assert r.status_code == 403 and len(rasa.received) == 1


@pytest.mark.parametrize(
    "typed, forwarded",
    [
        ('/ask_detail{"procedure_code":{"a":1}}', 'ask_detail{"procedure_code":{"a":1}}'),
        ("/restart", "restart"),
        ("/session_start", "session_start"),
        (BUTTON, BUTTON[1:]),  # the real payload, typed instead of tapped: still text
    ],
)
def test_typed_intents_reach_rasa_as_text(client, rasa, typed: str, forwarded: str) -> None:
    r = client.post("/api/chat", json={"message": typed})
    assert r.status_code == 200
    assert rasa.received[-1]["message"] == forwarded


def test_a_tapped_button_is_the_intent_only_in_its_own_conversation(client, rasa) -> None:
    first = client.post("/api/chat", json={"message": "đăng ký khai sinh"}).json()
    signed = first["messages"][0]["buttons"][0]["payload"]
    assert signed != BUTTON
    client.post("/api/chat", json={"sender": first["sender"], "message": signed})
    assert rasa.received[-1] == {"sender": first["sender"], "message": BUTTON}
    # the same payload sent from another conversation is only text there
    stranger = client.post("/api/chat", json={"message": "xin chào"}).json()["sender"]
    client.post("/api/chat", json={"sender": stranger, "message": signed})
    assert not rasa.received[-1]["message"].startswith("/")


def test_personal_identifiers_never_reach_the_bot(client, rasa) -> None:
    text = "số căn cước của tôi là 001203004567, sđt 0912345678, email an.nguyen@gmail.com, làm lại CCCD"
    client.post("/api/chat", json={"message": text})
    sent = rasa.received[-1]["message"]
    for secret in ("001203004567", "0912345678", "an.nguyen@gmail.com"):
        assert secret not in sent
    assert sent.startswith("số căn cước của tôi là [") and sent.endswith("làm lại CCCD")
