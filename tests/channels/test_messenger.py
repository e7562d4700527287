"""Messenger webhook over real HTTP: verification, signatures, Send API calls.

The app runs under uvicorn; the Graph API is a local server (conftest ``platform``);
Rasa is a stand-in that answers canned REST-webhook messages (conftest ``rasa``) —
it only exercises the connector's parsing and splitting. The real Rasa is used in
test_real_rasa.py.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import httpx
import pytest

from tests.channels.conftest import MESSENGER_ENV, App, FakeHTTP, start_app

SECRET = MESSENGER_ENV["TTHC_MESSENGER_APP_SECRET"]


def sign(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def event(
    psid: str,
    text: str | None = None,
    *,
    payload: str | None = None,
    postback: str | None = None,
    age_s: float = 0.0,
) -> bytes:
    messaging: dict = {
        "sender": {"id": psid},
        "recipient": {"id": "PAGE"},
        "timestamp": int((time.time() - age_s) * 1000),
    }
    if postback is not None:
        messaging["postback"] = {"title": "Bắt đầu", "payload": postback, "mid": f"m_{psid}_{time.time_ns()}"}
    else:
        message: dict = {"mid": f"m_{psid}_{time.time_ns()}", "text": text}
        if payload:
            message["quick_reply"] = {"payload": payload}
        messaging["message"] = message
    # compact separators and non-ASCII text: the signature must be computed on these exact bytes
    return json.dumps(
        {"object": "page", "entry": [{"id": "PAGE", "time": 1, "messaging": [messaging]}]},
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()


@pytest.fixture(autouse=True)
def _send_api(platform: FakeHTTP) -> None:
    platform.requests.clear()
    platform.responders["/v19.0/me/messages"] = lambda rec: (
        200,
        {"recipient_id": "x", "message_id": "mid.1"},
    )


def sent_to(platform: FakeHTTP, psid: str, n: int, timeout: float = 10.0) -> list[dict]:
    def messages(reqs):
        return [
            r.json()
            for r in reqs
            if r.path == "/v19.0/me/messages"
            and r.json()["recipient"]["id"] == psid
            and "message" in r.json()
        ]

    platform.wait_for(lambda reqs: len(messages(reqs)) >= n, timeout)
    time.sleep(0.2)  # let any extra message arrive, so counts are exact
    return messages(platform.requests)


def test_get_verification(app: App) -> None:
    ok = httpx.get(
        f"{app.url}/webhooks/messenger",
        params={"hub.mode": "subscribe", "hub.verify_token": "verify-me-123", "hub.challenge": "1158201444"},
    )
    assert ok.status_code == 200 and ok.text == "1158201444"
    wrong_token = httpx.get(
        f"{app.url}/webhooks/messenger",
        params={"hub.mode": "subscribe", "hub.verify_token": "nope", "hub.challenge": "1"},
    )
    assert wrong_token.status_code == 403
    wrong_mode = httpx.get(
        f"{app.url}/webhooks/messenger",
        params={"hub.mode": "unsubscribe", "hub.verify_token": "verify-me-123", "hub.challenge": "1"},
    )
    assert wrong_mode.status_code == 403
    assert httpx.get(f"{app.url}/webhooks/messenger").status_code == 403


@pytest.mark.parametrize(
    "header",
    [
        None,  # missing
        "",  # empty
        "sha1=" + hmac.new(SECRET.encode(), b"x", hashlib.sha1).hexdigest(),  # legacy SHA-1 only
        "sha256=" + "0" * 64,  # forged
        "sha256=not-hex",
    ],
)
def test_bad_signatures_are_rejected_and_nothing_is_processed(
    app: App, platform: FakeHTTP, rasa: FakeHTTP, header: str | None
) -> None:
    body = event("psid-forged", "xin chào")
    rasa_before = len(rasa.requests)
    headers = {"Content-Type": "application/json"}
    if header is not None:
        headers["X-Hub-Signature-256"] = header
    response = httpx.post(f"{app.url}/webhooks/messenger", content=body, headers=headers)
    assert response.status_code == 403
    time.sleep(0.3)
    assert len(rasa.requests) == rasa_before
    assert platform.requests == []


def test_signature_of_other_secret_or_other_body_is_rejected(app: App, rasa: FakeHTTP) -> None:
    body = event("psid-x", "xin chào")
    rasa_before = len(rasa.requests)
    for header, content in [
        (sign(body, "another-secret"), body),
        (sign(body), body.replace("xin chào".encode(), "tạm biệt".encode())),  # body tampered after signing
        (sign(json.dumps(json.loads(body)).encode()), body),  # signed a re-serialised body, not the raw one
    ]:
        response = httpx.post(
            f"{app.url}/webhooks/messenger",
            content=content,
            headers={"Content-Type": "application/json", "X-Hub-Signature-256": header},
        )
        assert response.status_code == 403
    time.sleep(0.3)
    assert len(rasa.requests) == rasa_before


def test_signed_text_message_is_answered_through_send_api(
    app: App, platform: FakeHTTP, rasa: FakeHTTP
) -> None:
    body = event("psid-1", "Đăng ký khai sinh cần gì?")
    response = httpx.post(
        f"{app.url}/webhooks/messenger",
        content=body,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": sign(body)},
    )
    assert response.status_code == 200
    [message] = sent_to(platform, "psid-1", 1)
    assert message["messaging_type"] == "RESPONSE"
    assert message["message"] == {"text": "Bạn đã gửi: Đăng ký khai sinh cần gì?"}
    assert any(
        r.json() == {"sender": "messenger-psid-1", "message": "Đăng ký khai sinh cần gì?"}
        for r in rasa.requests
    )
    request = next(r for r in platform.requests if "message" in r.json())
    assert request.headers["authorization"] == "Bearer page-token-abc"
    assert "access_token" not in request.query  # the token never travels in the URL
    # the typing indicator was shown first
    assert any(r.json().get("sender_action") == "typing_on" for r in platform.requests)


def test_long_answer_is_split_under_2000_characters_at_line_boundaries(app: App, platform: FakeHTTP) -> None:
    body = event("psid-long", "dài")
    httpx.post(
        f"{app.url}/webhooks/messenger", content=body, headers={"X-Hub-Signature-256": sign(body)}
    ).raise_for_status()
    messages = sent_to(platform, "psid-long", 2)
    texts = [m["message"]["text"] for m in messages]
    assert len(texts) >= 2 and all(len(t) < 2000 for t in texts)
    for text in texts:  # every chunk starts at a list item ("N. Giấy tờ số N")
        assert text.split(".")[0].isdigit(), text[:40]
    assert "\n".join(texts).count("Giấy tờ số") == 48


def test_buttons_become_at_most_13_quick_replies_with_short_titles(app: App, platform: FakeHTTP) -> None:
    body = event("psid-btn", "nút")
    httpx.post(
        f"{app.url}/webhooks/messenger", content=body, headers={"X-Hub-Signature-256": sign(body)}
    ).raise_for_status()
    [message] = sent_to(platform, "psid-btn", 1)
    quick = message["message"]["quick_replies"]
    assert len(quick) == 13
    assert all(q["content_type"] == "text" and len(q["title"]) <= 20 for q in quick)
    assert quick[0]["payload"].startswith('/choose{"n": 1}~')  # signed for this conversation
    # the two choices that did not fit are listed in the text
    assert "Lựa chọn số 14" in message["message"]["text"] and "Lựa chọn số 15" in message["message"]["text"]


def post(app: App, body: bytes) -> httpx.Response:
    return httpx.post(
        f"{app.url}/webhooks/messenger", content=body, headers={"X-Hub-Signature-256": sign(body)}
    )


def test_quick_reply_sends_the_offered_payload_and_typed_payloads_are_text(
    app: App, platform: FakeHTTP, rasa: FakeHTTP
) -> None:
    post(app, event("psid-qr", "nút")).raise_for_status()
    [offer] = sent_to(platform, "psid-qr", 1)
    second = offer["message"]["quick_replies"][1]["payload"]  # signed for this conversation
    assert second.startswith('/choose{"n": 2}~')
    post(app, event("psid-qr", "Lựa chọn số 2", payload=second)).raise_for_status()
    # another user replaying the captured payload, and a postback the bot never offered
    post(app, event("psid-other", "Lựa chọn số 2", payload=second)).raise_for_status()
    post(app, event("psid-pb", postback='/ask_detail{"detail": "fee"}')).raise_for_status()
    assert sent_to(platform, "psid-qr", 2)[1]["message"]["text"] == 'Bạn đã gửi: /choose{"n": 2}'
    [other] = sent_to(platform, "psid-other", 1)
    [pb] = sent_to(platform, "psid-pb", 1)
    assert other["message"]["text"].startswith('Bạn đã gửi: choose{"n": 2}~')  # text, not the intent
    assert pb["message"]["text"] == 'Bạn đã gửi: ask_detail{"detail": "fee"}'


def test_events_outside_the_replay_window_are_refused(app: App, platform: FakeHTTP, rasa: FakeHTTP) -> None:
    for offset_s in (-3600, 3600):  # captured an hour ago; dated an hour ahead
        assert post(app, event("psid-stale", "xin chào", age_s=-offset_s)).status_code == 403
    time.sleep(0.5)
    assert not [r for r in rasa.requests if r.json()["sender"] == "messenger-psid-stale"]


def test_get_started_greets_as_an_automated_assistant(app: App, platform: FakeHTTP) -> None:
    body = event("psid-start", postback="GET_STARTED")
    httpx.post(
        f"{app.url}/webhooks/messenger", content=body, headers={"X-Hub-Signature-256": sign(body)}
    ).raise_for_status()
    messages = sent_to(platform, "psid-start", 2)
    assert "trợ lý tự động" in messages[0]["message"]["text"]


def test_redelivered_message_is_answered_once(app: App, platform: FakeHTTP) -> None:
    body = event("psid-dup", "xin chào")
    for _ in range(2):
        httpx.post(
            f"{app.url}/webhooks/messenger", content=body, headers={"X-Hub-Signature-256": sign(body)}
        ).raise_for_status()
    time.sleep(0.5)
    assert len(sent_to(platform, "psid-dup", 1)) == 1


def test_send_api_5xx_is_retried(app: App, platform: FakeHTTP) -> None:
    calls = {"n": 0}

    def flaky(rec):
        if "message" not in rec.json():
            return 200, {}
        calls["n"] += 1
        return (500, {"error": {"message": "temporary"}}) if calls["n"] == 1 else (200, {"message_id": "m"})

    platform.responders["/v19.0/me/messages"] = flaky
    body = event("psid-retry", "xin chào")
    httpx.post(
        f"{app.url}/webhooks/messenger", content=body, headers={"X-Hub-Signature-256": sign(body)}
    ).raise_for_status()
    messages = sent_to(platform, "psid-retry", 2)
    assert messages[0] == messages[1] and calls["n"] == 2


def test_unconfigured_channel_refuses_traffic(tmp_path) -> None:
    app = start_app(tmp_path, {}, clear=tuple(MESSENGER_ENV))
    try:
        body = event("psid-1", "xin chào")
        response = httpx.post(
            f"{app.url}/webhooks/messenger", content=body, headers={"X-Hub-Signature-256": sign(body)}
        )
        assert response.status_code == 503
        assert "chưa được cấu hình" in response.json()["detail"]
        verify = httpx.get(
            f"{app.url}/webhooks/messenger",
            params={"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1"},
        )
        assert verify.status_code == 503
    finally:
        app.stop()


def test_oversized_body_is_refused_before_processing(app: App, rasa: FakeHTTP) -> None:
    body = b'{"object":"page","entry":[],"pad":"' + b"x" * 1_100_000 + b'"}'
    before = len(rasa.requests)
    response = httpx.post(
        f"{app.url}/webhooks/messenger", content=body, headers={"X-Hub-Signature-256": sign(body)}
    )
    assert response.status_code == 413
    assert len(rasa.requests) == before
