"""Zalo OA webhook over real HTTP: mac= signatures, replay window, cs messages, tokens.

The app runs under uvicorn; the Zalo Open API and OAuth server are a local server
(conftest ``platform``); Rasa is a stand-in answering canned REST-webhook messages
(conftest ``rasa``), used only to exercise the connector's parsing and splitting.
The real Rasa is used in test_real_rasa.py.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import httpx
import pytest

from tests.channels.conftest import ZALO_ENV, App, FakeHTTP, start_app

APP_ID = ZALO_ENV["TTHC_ZALO_APP_ID"]
OA_KEY = ZALO_ENV["TTHC_ZALO_OA_SECRET_KEY"]
CS_PATH = "/v3.0/oa/message/cs"
OAUTH_PATH = "/v4/oa/access_token"


def zalo_event(user_id: str, text: str | None = None, *, event: str = "user_send_text", ts_ms: int | None = None,
               app_id: str = APP_ID) -> bytes:  # fmt: skip
    ts = str(ts_ms if ts_ms is not None else int(time.time() * 1000))
    body: dict = {
        "app_id": app_id,
        "user_id_by_app": "by-app-" + user_id,
        "event_name": event,
        "timestamp": ts,
    }
    if event in ("follow", "unfollow"):
        body.update(oa_id="OA1", follower={"id": user_id}, source="oa_profile")
    elif event == "user_click_chatnow":
        body.update(oa_id="OA1", user_id=user_id)
    else:
        body.update(
            sender={"id": user_id},
            recipient={"id": "OA1"},
            message={"text": text, "msg_id": f"msg-{user_id}-{time.time_ns()}"},
        )
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def mac(body: bytes, key: str = OA_KEY) -> str:
    data = json.loads(body)
    return (
        "mac="
        + hashlib.sha256(
            data["app_id"].encode() + body + data["timestamp"].encode() + key.encode()
        ).hexdigest()
    )


def post(app: App, body: bytes, signature: str | None) -> httpx.Response:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["X-ZEvent-Signature"] = signature
    return httpx.post(f"{app.url}/webhooks/zalo", content=body, headers=headers)


@pytest.fixture(autouse=True)
def _zalo_api(platform: FakeHTTP) -> None:
    platform.requests.clear()
    platform.responders[CS_PATH] = lambda rec: (
        200,
        {"error": 0, "message": "Success", "data": {"message_id": "z1"}},
    )
    platform.responders.pop(OAUTH_PATH, None)


def sent_to(platform: FakeHTTP, user_id: str, n: int, timeout: float = 10.0) -> list:
    def mine(reqs):
        return [r for r in reqs if r.path == CS_PATH and r.json()["recipient"]["user_id"] == user_id]

    platform.wait_for(lambda reqs: len(mine(reqs)) >= n, timeout)
    time.sleep(0.2)
    return mine(platform.requests)


def test_signed_text_is_acknowledged_and_answered_with_cs_message(
    app: App, platform: FakeHTTP, rasa: FakeHTTP
) -> None:
    body = zalo_event("u1", "Đăng ký khai sinh cần gì?")
    started = time.perf_counter()
    response = post(app, body, mac(body))
    assert response.status_code == 200
    assert time.perf_counter() - started < 1.0  # acknowledged before the answer is computed
    [request] = sent_to(platform, "u1", 1)
    assert request.headers["access_token"] == "access-1"
    assert request.json() == {
        "recipient": {"user_id": "u1"},
        "message": {"text": "Bạn đã gửi: Đăng ký khai sinh cần gì?"},
    }
    assert {"sender": "zalo-u1", "message": "Đăng ký khai sinh cần gì?"} in [r.json() for r in rasa.requests]


@pytest.mark.parametrize(
    "make_signature",
    [
        lambda body: None,  # missing
        lambda body: "",  # empty
        lambda body: "mac=" + "0" * 64,  # forged
        lambda body: mac(body, "another-key"),  # wrong key
        lambda body: mac(body).removeprefix("mac="),  # without the mac= prefix
        lambda body: "mac=" + hashlib.sha256(body).hexdigest(),  # hash of the body alone
    ],
)
def test_bad_signatures_are_rejected_and_nothing_is_processed(app: App, platform: FakeHTTP, rasa: FakeHTTP,
                                                              make_signature) -> None:  # fmt: skip
    body = zalo_event("u-forged", "xin chào")
    before = len(rasa.requests)
    assert post(app, body, make_signature(body)).status_code == 403
    time.sleep(0.3)
    assert len(rasa.requests) == before and platform.requests == []


def test_tampered_body_is_rejected(app: App, rasa: FakeHTTP) -> None:
    body = zalo_event("u-tamper", "xin chào")
    signature = mac(body)
    before = len(rasa.requests)
    assert post(app, body.replace(b"u-tamper", b"u-victim"), signature).status_code == 403
    time.sleep(0.3)
    assert len(rasa.requests) == before


@pytest.mark.parametrize("age_s", [301, 3600, -400])
def test_stale_or_future_timestamps_are_rejected_even_when_signed(
    app: App, rasa: FakeHTTP, age_s: int
) -> None:
    body = zalo_event("u-replay", "xin chào", ts_ms=int((time.time() - age_s) * 1000))
    before = len(rasa.requests)
    assert post(app, body, mac(body)).status_code == 403
    time.sleep(0.3)
    assert len(rasa.requests) == before


def test_event_for_another_app_is_rejected(app: App) -> None:
    body = zalo_event("u-app", "xin chào", app_id="999")
    assert post(app, body, mac(body)).status_code == 403


def test_long_answer_is_split_for_zalo(app: App, platform: FakeHTTP) -> None:
    body = zalo_event("u-long", "dài")
    assert post(app, body, mac(body)).status_code == 200
    texts = [r.json()["message"]["text"] for r in sent_to(platform, "u-long", 2)]
    assert len(texts) >= 2 and all(len(t) <= 2000 for t in texts)
    assert all(t.split(".")[0].isdigit() for t in texts)
    assert "\n".join(texts).count("Giấy tờ số") == 48


def test_buttons_are_numbered_and_a_number_picks_the_payload(
    app: App, platform: FakeHTTP, rasa: FakeHTTP
) -> None:
    body = zalo_event("u-btn", "nút")
    assert post(app, body, mac(body)).status_code == 200
    [offer] = sent_to(platform, "u-btn", 1)
    text = offer.json()["message"]["text"]
    assert "1. Lựa chọn số 1" in text and "15. Lựa chọn số 15" in text and "Trả lời bằng số" in text
    body = zalo_event("u-btn", "2")
    assert post(app, body, mac(body)).status_code == 200
    sent_to(platform, "u-btn", 2)
    assert {"sender": "zalo-u-btn", "message": '/choose{"n": 2}'} in [r.json() for r in rasa.requests]


def test_follow_greets_as_automated_assistant_and_unfollow_is_ignored(app: App, platform: FakeHTTP) -> None:
    body = zalo_event("u-follow", event="follow")
    assert post(app, body, mac(body)).status_code == 200
    texts = [r.json()["message"]["text"] for r in sent_to(platform, "u-follow", 2)]
    assert "trợ lý tự động" in texts[0]
    body = zalo_event("u-unfollow", event="unfollow")
    assert post(app, body, mac(body)).status_code == 200
    time.sleep(0.3)
    assert not [r for r in platform.requests if r.path == CS_PATH and "u-unfollow" in r.body.decode()]


def test_expired_token_is_refreshed_and_stored(app: App, platform: FakeHTTP, tmp_path_factory) -> None:
    def cs(rec):
        if rec.headers.get("access_token") == "access-2":
            return 200, {"error": 0, "message": "Success", "data": {"message_id": "z2"}}
        return 200, {"error": -216, "message": "Access token is invalid"}

    platform.responders[CS_PATH] = cs
    platform.responders[OAUTH_PATH] = lambda rec: (
        200,
        {"access_token": "access-2", "refresh_token": "refresh-2", "expires_in": "90000"},
    )
    body = zalo_event("u-token", "xin chào")
    assert post(app, body, mac(body)).status_code == 200
    requests = sent_to(platform, "u-token", 2)
    assert [r.headers["access_token"] for r in requests] == ["access-1", "access-2"]
    [refresh] = [r for r in platform.requests if r.path == OAUTH_PATH]
    assert refresh.headers["secret_key"] == "zalo-app-secret"
    assert refresh.form() == {"refresh_token": "refresh-1", "app_id": APP_ID, "grant_type": "refresh_token"}
    var_dir = Path(app.log_path).parent / "var"
    stored = json.loads((var_dir / "channels" / "zalo_tokens.json").read_text())
    assert stored["access_token"] == "access-2" and stored["refresh_token"] == "refresh-2"
    assert not list((var_dir / "channels").glob("*.tmp"))
    # the next message uses the stored token straight away
    body = zalo_event("u-token2", "xin chào")
    assert post(app, body, mac(body)).status_code == 200
    assert [r.headers["access_token"] for r in sent_to(platform, "u-token2", 1)] == ["access-2"]


@pytest.mark.parametrize("error", [-213, -201, -230])
def test_window_errors_are_logged_not_crashes(app: App, platform: FakeHTTP, error: int) -> None:
    platform.responders[CS_PATH] = lambda rec: (200, {"error": error, "message": "refused"})
    body = zalo_event(f"u-err{error}", "dài")  # a multi-part answer: the rest is dropped after the refusal
    assert post(app, body, mac(body)).status_code == 200
    assert len(sent_to(platform, f"u-err{error}", 1)) == 1
    # the app still answers the next signed event
    platform.responders[CS_PATH] = lambda rec: (200, {"error": 0, "data": {"message_id": "ok"}})
    body = zalo_event(f"u-after{error}", "xin chào")
    assert post(app, body, mac(body)).status_code == 200
    sent_to(platform, f"u-after{error}", 1)
    assert "refused a message" in app.log()


def test_unconfigured_channel_refuses_traffic(tmp_path) -> None:
    app = start_app(tmp_path, {}, clear=tuple(ZALO_ENV))
    try:
        body = zalo_event("u1", "xin chào")
        response = post(app, body, mac(body))
        assert response.status_code == 503
        assert "chưa được cấu hình" in response.json()["detail"]
    finally:
        app.stop()


def test_chat_now_click_greets_once(app: App, platform: FakeHTTP) -> None:
    for _ in range(2):
        body = zalo_event("u-chatnow", event="user_click_chatnow")
        assert post(app, body, mac(body)).status_code == 200
    texts = [r.json()["message"]["text"] for r in sent_to(platform, "u-chatnow", 2)]
    assert len(texts) == 2 and "trợ lý tự động" in texts[0]  # notice + Rasa's greeting, sent once
