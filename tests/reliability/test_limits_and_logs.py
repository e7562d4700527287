"""Fast tests: body-size and rate limits, CORS default, PII masking, JSON logs, metrics,
message cleaning — on the in-process app (no Rasa; a stand-in answers the REST webhook)."""

from __future__ import annotations

import io
import json
import logging

import httpx
import pytest
from fastapi.testclient import TestClient

from api import limits, logs, rasa_client
from common.text.personal_data import PLACEHOLDERS
from tests.rasa_stand_in import StandIn
from tests.run_async import run_async
from tthc import texts


def make_client(settings_env, **env) -> TestClient:
    settings_env(preload_index="false", var_dir="/nonexistent-tthc", secret_key="cle-de-test", **env)
    from api.main import create_app

    limits._memory = limits.MemoryBuckets()  # every test starts with full buckets

    return TestClient(create_app(), client=("127.0.0.1", 50000))


# ----------------------------------------------------------------------------- PII


def test_every_log_record_is_masked_and_api_logs_are_json() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter())
    logger = logging.getLogger("tthc.test.pii")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logs.install_pii_masking()
    try:
        logger.info("công dân %s, CCCD %s", "0912345678", "001099012345")
        try:
            raise ValueError("số 0987654321")
        except ValueError:
            logger.exception("lỗi với CMND 123456789")
    finally:
        logger.removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert lines[0]["msg"] == f"công dân {PLACEHOLDERS['phone']}, CCCD {PLACEHOLDERS['id']}"
    assert (
        lines[0]["level"] == "INFO" and lines[0]["logger"] == "tthc.test.pii" and lines[0]["ts"].endswith("Z")
    )
    assert "0987654321" not in lines[1]["exc"] and "123456789" not in lines[1]["msg"]


# ----------------------------------------------------------------------------- limits


def test_body_over_the_limit_is_refused_before_the_handler(settings_env) -> None:
    client = make_client(settings_env)
    body = json.dumps({"message": "a" * 20_000})
    r = client.post("/api/chat", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 413
    # chunked (no Content-Length): refused as soon as the limit is passed
    r = client.post(
        "/api/chat", content=iter([b'{"message": "', b"a" * 40_000, b'"}']),
        headers={"content-type": "application/json"},
    )  # fmt: skip
    assert r.status_code == 413
    r = client.post("/webhooks/zalo", content=b"x" * 1_000_001)
    assert r.status_code == 413
    r = client.post("/api/chat", content=b"{}", headers={"content-length": "abc"})
    assert r.status_code == 400


def test_message_length_limit_and_empty_messages(settings_env) -> None:
    client = make_client(settings_env, max_message_chars=50)
    r = client.post("/api/chat", json={"message": "a" * 51})
    assert r.status_code == 413 and "50" in r.json()["detail"]
    assert client.post("/api/chat", json={"message": "  \n\t "}).status_code == 422


def test_rate_limit_per_ip(settings_env) -> None:
    client = make_client(settings_env, rate_limit_ip_per_s=0.5, rate_limit_ip_burst=3)
    statuses = [client.get("/api/search", params={"q": ""}).status_code for _ in range(5)]
    assert statuses[:3] == [422, 422, 422] and statuses[3:] == [429, 429]
    r = client.get("/api/search", params={"q": ""})
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    assert client.get("/api/health").status_code in (200, 503)  # health checks are not limited


def test_memory_token_bucket_refills() -> None:
    buckets = limits.MemoryBuckets()
    assert [buckets.take("k", 1000.0, 2) for _ in range(2)] == [0.0, 0.0]
    assert buckets.take("k", 1000.0, 2) > 0
    import time

    time.sleep(0.01)
    assert buckets.take("k", 1000.0, 2) == 0.0


def test_redis_token_bucket_is_shared_and_fails_open(settings_env) -> None:
    import redis

    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    import uuid

    key = f"test-{uuid.uuid4().hex}"

    async def scenario() -> list[float]:
        a = limits.RedisBuckets("redis://127.0.0.1:6379/0", prefix="tthc:test:")
        b = limits.RedisBuckets("redis://127.0.0.1:6379/0", prefix="tthc:test:")  # "another instance"
        waits = [await a.take(key, 0.1, 2), await b.take(key, 0.1, 2), await a.take(key, 0.1, 2)]
        down = limits.RedisBuckets("redis://127.0.0.1:1/0")
        waits.append(await down.take(key, 0.1, 1))
        waits.append(await down.take(key, 0.1, 1))
        await a.client.aclose()
        await b.client.aclose()
        return waits

    waits = run_async(scenario())
    assert waits[0] == 0 and waits[1] == 0 and waits[2] > 0  # the second instance used the same bucket
    assert waits[3] == 0 and waits[4] == 0  # Redis unreachable: let citizens through


def test_cors_default_is_the_public_origin_only(settings_env) -> None:
    client = make_client(settings_env, public_base_url="https://tro-ly.tinh.gov.vn/")
    pre = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    ok = client.options("/api/chat", headers={"Origin": "https://tro-ly.tinh.gov.vn", **pre})
    assert ok.headers.get("access-control-allow-origin") == "https://tro-ly.tinh.gov.vn"
    evil = client.options("/api/chat", headers={"Origin": "https://evil.example", **pre})
    assert "access-control-allow-origin" not in evil.headers
    client = make_client(settings_env, widget_allowed_origins="https://dichvucong.tinh.gov.vn")
    ok = client.options("/api/chat", headers={"Origin": "https://dichvucong.tinh.gov.vn", **pre})
    assert ok.headers.get("access-control-allow-origin") == "https://dichvucong.tinh.gov.vn"


# ----------------------------------------------------------------------------- rasa client


def test_clean_text_removes_what_would_break_rasa_or_the_store() -> None:
    assert rasa_client.clean_text("a\x00b\x1b[31mc\u200b d\ud800e") == "ab[31mc\u200b d?e"
    assert rasa_client.clean_text("  dòng 1\r\ndòng\t2  ") == "dòng 1 dòng 2"
    assert rasa_client.clean_text("Đăng ky\u0301") == "Đăng ký"  # NFC
    assert rasa_client.clean_text("\x01\x02 \x7f") == ""


def test_empty_answer_becomes_please_try_again(settings_env, monkeypatch) -> None:
    stand_in = StandIn(lambda body: httpx.Response(200, json=[]))
    stand_in.install(monkeypatch)
    client = make_client(settings_env)
    r = client.post("/api/chat", json={"message": "đăng ký khai sinh"})
    assert r.status_code == 200
    assert r.json()["messages"][0]["text"] == texts.ASSISTANT_FAULT


def test_rasa_error_is_a_polite_503_and_sender_limit_429(settings_env, monkeypatch) -> None:
    StandIn(lambda body: httpx.Response(500, text="boom")).install(monkeypatch)
    client = make_client(settings_env, rate_limit_sender_per_s=0.01, rate_limit_sender_burst=2)
    r = client.post("/api/chat", json={"message": "xin chào"})
    assert r.status_code == 503 and "thử lại" in r.json()["detail"]
    StandIn(lambda body: httpx.Response(200, json=[{"text": "chào"}])).install(monkeypatch)
    r = client.post("/api/chat", json={"message": "xin chào"})
    assert r.status_code == 200
    sender = r.json()["sender"]
    assert client.post("/api/chat", json={"sender": sender, "message": "xin chào"}).status_code == 200
    r = client.post("/api/chat", json={"sender": sender, "message": "xin chào"})
    assert r.status_code == 429 and r.headers["retry-after"]
    assert client.post("/api/chat", json={"message": "xin chào"}).status_code == 200


def test_channel_messages_are_cleaned_and_bounded(settings_env, monkeypatch) -> None:
    stand_in = StandIn(lambda body: httpx.Response(200, json=[{"text": "ok"}]))
    stand_in.install(monkeypatch)
    settings_env(max_message_chars=100)
    long = run_async(rasa_client.send_message("zalo-1", "a" * 101))
    assert "quá dài" in long[0]["text"] and not stand_in.received
    empty = run_async(rasa_client.send_message("zalo-1", "\x00\x01"))
    assert "trống" in empty[0]["text"] and not stand_in.received
    run_async(rasa_client.send_message("zalo-1", "xin\x00 chào \ud83d"))
    assert stand_in.received == [{"sender": "zalo-1", "message": "xin chào ?"}]


# ----------------------------------------------------------------------------- metrics


def test_metrics_count_turns_and_never_read_reply_texts(settings_env, monkeypatch) -> None:
    """Turns and latency are counted per channel; what a turn came to is not guessed from the
    reply's words or buttons (the actions' slot events count it: tests/api/test_actions.py)."""
    offered = [{"title": p, "payload": p} for p in ("/handoff", "/rate_helpful", "/rate_not_helpful")]
    answers = {
        "không biết": [{"text": "Tôi chưa tìm thấy", "buttons": offered}],
        "/handoff": [{"text": texts.handoff_done("…")}],
        "/rate_helpful": [{"text": texts.RATED_HELPFUL}],
        "/rate_not_helpful": [{"text": texts.RATED_NOT_HELPFUL}],
    }
    StandIn(lambda body: httpx.Response(200, json=answers[body["message"]])).install(monkeypatch)
    client = make_client(settings_env)

    def value(name: str, **labels: str) -> float:
        from prometheus_client import REGISTRY

        return REGISTRY.get_sample_value(name, labels) or 0.0

    counted = {
        "tthc_turns_total": {"channel": "web"},
        "tthc_turn_latency_seconds_count": {"channel": "web"},
        "tthc_no_match_total": {"channel": "web"},
        "tthc_handoffs_total": {"channel": "web"},
        "tthc_ratings_total": {"channel": "web", "rating": "helpful"},
    }
    before = {name: value(name, **labels) for name, labels in counted.items()}
    first = client.post("/api/chat", json={"message": "không biết"}).json()
    sender = first["sender"]
    for button in first["messages"][0]["buttons"]:  # the citizen taps each button (signed payloads)
        assert (
            client.post("/api/chat", json={"sender": sender, "message": button["payload"]}).status_code == 200
        )
    after = {name: value(name, **labels) for name, labels in counted.items()}
    assert after["tthc_turns_total"] == before["tthc_turns_total"] + 4
    assert after["tthc_turn_latency_seconds_count"] == before["tthc_turn_latency_seconds_count"] + 4
    for name in ("tthc_no_match_total", "tthc_handoffs_total", "tthc_ratings_total"):
        assert after[name] == before[name], name
    page = client.get("/metrics")
    assert page.status_code == 200 and "tthc_turn_latency_seconds_bucket" in page.text


def test_metrics_need_loopback_or_the_token(settings_env) -> None:
    settings_env(preload_index="false", var_dir="/nonexistent-tthc")
    from api.main import create_app

    app = create_app()
    assert TestClient(app, client=("203.0.113.9", 1)).get("/metrics").status_code == 403
    settings_env(metrics_token="s3cret")
    remote = TestClient(app, client=("203.0.113.9", 1))
    assert remote.get("/metrics").status_code == 403
    assert remote.get("/metrics", headers={"Authorization": "Bearer s3cret"}).status_code == 200
