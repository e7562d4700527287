"""Bad input through every door, against the real assistant (uvicorn app → real Rasa →
real action server; Graph/Zalo are local stand-ins):

- the fuzz set (tests/reliability/fuzz_corpus.py, 1,000 messages + malformed bodies):
  every hand-written case through every door — ``POST /api/chat``, Rasa's REST webhook,
  both channel webhooks (correctly signed) — and the 940 generated ones shared between
  the doors (half through /api/chat, the other half split over the three others), so
  each of the 1,000 messages goes through at least one door: a clear answer or a 4xx,
  never a 5xx, the processes stay up, no connector task fails;
- afterwards the tracker store is readable event by event, a conversation held before
  the fuzzing is intact and continues;
- schemathesis against the app's OpenAPI schema (every operation): no 5xx.
"""

from __future__ import annotations

import concurrent.futures
import json
import sqlite3
import subprocess
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.channels.conftest import MESSENGER_ENV, ZALO_ENV, App, FakeHTTP, shared_bot, start_app
from tests.channels.test_messenger import sign
from tests.channels.test_zalo import APP_ID, CS_PATH, mac
from tests.reliability.fuzz_corpus import messages, raw_bodies
from tests.web_chat import WebChat, new_conversation
from tthc.stack.servers import APP_PYTHON, REPO_ROOT, Bot

pytestmark = pytest.mark.slow

CORPUS = messages(1000)
SEEDS = CORPUS[:60]  # the hand-written cases
GENERATED = CORPUS[60:]
API_SET = SEEDS + GENERATED[0::2]
# Rasa's REST webhook is reachable on loopback only and the app never forwards more than
# 2,000 characters: the very long cases go through the app's doors only (they cost Rasa seconds).
REST_SET = [m for m in SEEDS if len(m) <= 2000] + GENERATED[1::6]
MESSENGER_SET = SEEDS + GENERATED[3::6]
ZALO_SET = SEEDS + GENERATED[5::6]


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Bot:
    return shared_bot(tmp_path_factory)


@pytest.fixture(scope="module")
def platform() -> Iterator[FakeHTTP]:
    fake = FakeHTTP().start()
    fake.responders["/v19.0/me/messages"] = lambda rec: (200, {"message_id": "m"})
    fake.responders[CS_PATH] = lambda rec: (200, {"error": 0, "data": {"message_id": "z"}})
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, bot: Bot, platform: FakeHTTP) -> Iterator[App]:
    running = start_app(
        tmp_path_factory.mktemp("fuzz-app"),
        {
            **MESSENGER_ENV,
            **ZALO_ENV,
            "TTHC_RASA_URL": bot.rasa_url,
            "TTHC_ACTION_SERVER_URL": bot.actions.health_url.removesuffix("/health"),
            "TTHC_MESSENGER_API_BASE": f"{platform.url}/v19.0",
            "TTHC_ZALO_API_BASE": platform.url,
            "TTHC_ZALO_OAUTH_BASE": platform.url,
            "TTHC_RATE_LIMIT_IP_PER_S": "0",  # one client IP sends everything here
            "TTHC_VAR_DIR": str(REPO_ROOT / "var"),  # the built index and models (read only)
            "TTHC_STAFF_DB": str(tmp_path_factory.mktemp("staff") / "staff.db"),  # not the real one
        },
    )
    yield running
    running.stop()


@pytest.fixture(scope="module")
def baseline(app: App, bot: Bot) -> dict:
    """A normal conversation held before the fuzzing."""
    chat = WebChat(app.url)
    for text in ("xin chào", "đăng ký khai sinh cần giấy tờ gì?"):
        chat.say(text)
    return {"chat": chat, "events": tracker_rows(bot, chat.sender)}


def tracker_rows(bot: Bot, sender: str) -> list[str]:
    with sqlite3.connect(bot.tracker_db, timeout=30) as db:
        return [
            row[0] for row in db.execute("SELECT data FROM events WHERE sender_id = ? ORDER BY id", (sender,))
        ]


def messenger_event(psid: str, text: str) -> bytes:
    """A Messenger text event; JSON-escaped, so lone surrogates travel as the platform would send them."""
    messaging = {
        "sender": {"id": psid},
        "recipient": {"id": "PAGE"},
        "timestamp": int(time.time() * 1000),
        "message": {"mid": f"m_{psid}_{time.time_ns()}", "text": text},
    }
    return json.dumps(
        {"object": "page", "entry": [{"id": "PAGE", "time": 1, "messaging": [messaging]}]}
    ).encode()


def zalo_event(user_id: str, text: str) -> bytes:
    body = {
        "app_id": APP_ID,
        "user_id_by_app": "by-app-" + user_id,
        "event_name": "user_send_text",
        "timestamp": str(int(time.time() * 1000)),
        "sender": {"id": user_id},
        "recipient": {"id": "OA1"},
        "message": {"msg_id": f"z_{user_id}_{time.time_ns()}", "text": text},
    }
    return json.dumps(body).encode()


def run_all(fn, items, workers: int = 6) -> list:
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        return list(pool.map(fn, items))


def test_fuzz_set_is_large_and_varied() -> None:
    assert len(CORPUS) >= 1000
    assert any(len(m) >= 20_000 for m in CORPUS) and "" in CORPUS and any("\x00" in m for m in CORPUS)
    assert any("\ud800" in m for m in CORPUS) and any("<script>" in m for m in CORPUS)
    covered = set(API_SET) | set(REST_SET) | set(MESSENGER_SET) | set(ZALO_SET)
    assert covered == set(CORPUS)


def test_fuzz_through_api_chat(app: App, baseline: dict) -> None:
    senders = [new_conversation(app.url) for _ in range(len(API_SET) // 10 + 1)]

    def send(item: tuple[int, str]) -> tuple[int, str, int, bool]:
        i, text = item
        body = json.dumps({"sender": senders[i // 10], "message": text}).encode()  # ASCII-escaped
        r = httpx.post(
            f"{app.url}/api/chat", content=body, headers={"Content-Type": "application/json"}, timeout=120
        )
        answered = (
            r.status_code == 200
            and bool(r.json()["messages"])
            and all(isinstance(m, dict) for m in r.json()["messages"])
        )
        return i, text[:60], r.status_code, answered

    results = run_all(send, list(enumerate(API_SET)))
    bad = [
        (i, t, s)
        for i, t, s, ok in results
        if s >= 500 or (s == 200 and not ok) or s not in (200, 413, 422, 429)
    ]
    assert not bad, bad[:10]
    statuses = {s for _, _, s, _ in results}
    assert 200 in statuses and 413 in statuses and 422 in statuses

    for body in raw_bodies():
        r = httpx.post(
            f"{app.url}/api/chat", content=body, headers={"Content-Type": "application/json"}, timeout=60
        )
        assert 400 <= r.status_code < 500 or (r.status_code == 200 and r.json()["messages"]), (
            body[:80],
            r.text,
        )
    assert app.process.poll() is None


def test_fuzz_through_rasa_rest_webhook(bot: Bot, baseline: dict) -> None:
    sample = REST_SET

    def send(item: tuple[int, str]) -> tuple[int, str, int]:
        i, text = item
        body = json.dumps({"sender": f"fuzz-rest-{i // 10:04d}", "message": text}).encode()
        r = httpx.post(
            f"{bot.rasa_url}/webhooks/rest/webhook",
            content=body,
            headers={"Content-Type": "application/json"},
            timeout=120,
        )
        return i, text[:60], r.status_code

    results = run_all(send, list(enumerate(sample)))
    assert not [r for r in results if r[2] >= 500], [r for r in results if r[2] >= 500][:10]
    assert bot.rasa.process.poll() is None and bot.actions.process.poll() is None


def test_fuzz_through_signed_channel_webhooks(app: App, platform: FakeHTTP, baseline: dict) -> None:
    before = len(platform.requests)

    def messenger(item: tuple[int, str]) -> int:
        i, text = item
        body = messenger_event(f"fuzz{i // 10:04d}", text)
        r = httpx.post(
            f"{app.url}/webhooks/messenger", content=body, headers={"X-Hub-Signature-256": sign(body)}
        )
        return r.status_code

    def zalo(item: tuple[int, str]) -> int:
        i, text = item
        body = zalo_event(f"fuzz{i // 10:04d}", text)
        r = httpx.post(f"{app.url}/webhooks/zalo", content=body, headers={"X-ZEvent-Signature": mac(body)})
        return r.status_code

    statuses = run_all(messenger, list(enumerate(MESSENGER_SET))) + run_all(zalo, list(enumerate(ZALO_SET)))
    assert all(s == 200 or 400 <= s < 500 for s in statuses), sorted(set(statuses))
    # wait for the background replies to settle
    deadline, last = time.monotonic() + 240, -1
    while time.monotonic() < deadline:
        time.sleep(3)
        if len(platform.requests) == last:
            break
        last = len(platform.requests)
    assert len(platform.requests) > before
    failed = [line for line in app.log().splitlines() if "reply to" in line and "failed" in line]
    assert not failed, failed[:3]
    assert app.process.poll() is None


def test_tracker_store_intact_after_fuzzing(app: App, bot: Bot, baseline: dict) -> None:
    with sqlite3.connect(bot.tracker_db, timeout=30) as db:
        rows = db.execute("SELECT sender_id, type_name, data FROM events").fetchall()
    assert rows
    for sender, type_name, data in rows:
        event = json.loads(data)
        assert event["event"] == type_name, (sender, type_name)
    fuzzed = {s for s, _, _ in rows if s.startswith(("web-", "fuzz-rest-", "messenger-fuzz", "zalo-fuzz"))}
    assert len(fuzzed) > 50
    chat = baseline["chat"]
    after = tracker_rows(bot, chat.sender)
    assert after[: len(baseline["events"])] == baseline["events"]
    chat.say("thế còn lệ phí?")
    text = chat.text().lower()
    assert "khai sinh" in text and "lệ phí" in text, text


def test_schemathesis_no_server_error_on_any_operation(app: App, tmp_path) -> None:
    report = tmp_path / "schemathesis.txt"
    cmd = [
        str(APP_PYTHON.parent / "schemathesis"), "run", f"{app.url}/openapi.json",
        "--checks", "not_a_server_error", "--max-examples", "25", "--workers", "2",
        "--request-timeout", "120", "--generation-deterministic", "--suppress-health-check", "all",
        # the coverage phase crashes inside schemathesis 4.32 on Python 3.11 ("AST constructor
        # recursion depth mismatch"); examples + fuzzing exercise every operation
        "--phases", "examples,fuzzing",
    ]  # fmt: skip
    # cwd: schemathesis keeps its example database in ./.schemathesis
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=420, check=False, cwd=tmp_path)
    report.write_text(out.stdout + out.stderr, encoding="utf-8")
    assert out.returncode == 0, (out.stdout + out.stderr)[-6000:]


# ----------------------------------------------------------------------------- observability (same real stack)


def test_metrics_and_health_through_the_real_bot(app: App, bot: Bot) -> None:
    """Through the real bot: the API the citizen talks to counts turns; the API serving the
    actions counts no-match, handoff and rating from the actions' slot events."""

    def value(page: str, name: str) -> float:
        total = 0.0
        for line in page.splitlines():
            if line.startswith(name + "{") and 'channel="web"' in line:
                total += float(line.rsplit(" ", 1)[1])
        return total

    actions_url = bot.actions.health_url.removesuffix("/health")
    pages = {url: httpx.get(f"{url}/metrics", timeout=30).text for url in (app.url, actions_url)}
    chat = WebChat(app.url)
    chat.say("qwertyuiop zxcvbnm asdfgh")
    chat.click("Gặp cán bộ")
    chat.say("đăng ký khai sinh cần giấy tờ gì?")
    chat.click("Hữu ích")
    after = httpx.get(f"{app.url}/metrics", timeout=30).text
    outcomes = httpx.get(f"{actions_url}/metrics", timeout=30).text
    before, before_outcomes = pages[app.url], pages[actions_url]
    assert value(after, "tthc_turns_total") - value(before, "tthc_turns_total") == 4
    assert value(outcomes, "tthc_no_match_total") - value(before_outcomes, "tthc_no_match_total") == 1
    assert value(outcomes, "tthc_handoffs_total") - value(before_outcomes, "tthc_handoffs_total") == 1
    assert value(outcomes, "tthc_ratings_total") - value(before_outcomes, "tthc_ratings_total") == 1
    assert "tthc_turn_latency_seconds_bucket" in after
    health = httpx.get(f"{app.url}/api/health", timeout=30)
    assert health.json()["checks"]["rasa"] is True and health.json()["checks"]["action_server"] is True
    # the app's logs are JSON lines
    lines = [line for line in app.log().splitlines() if line.startswith("{")]
    assert lines and all("level" in json.loads(line) for line in lines[-20:])


# ----------------------------------------------------------------------------- trust boundaries (same real stack)

NOT_UNDERSTOOD_START = "Xin lỗi, tôi chưa hiểu tin nhắn này"
WORDLESS = ["😀", "👍👍👍👍", "%", "\ud800", "asdfghjkl qwerty"]


def test_typed_intents_get_an_ordinary_answer_not_a_fault(app: App) -> None:
    """The outside probe's injected payloads: read as text by the real bot, never 'system fault'."""
    for text in [
        '/ask_detail{"procedure_code":{"a":1}}',
        "/restart",
        "/session_start",
        '/ask_detail{"x": [1, {}]}',
    ]:
        chat = WebChat(app.url)
        chat.say(text)
        answer = chat.text()
        assert answer and "sự cố" not in answer and "Khai báo tạm vắng" not in answer, (text, answer)


def test_a_message_without_words_is_not_understood_on_every_channel(app: App, platform: FakeHTTP) -> None:
    for text in WORDLESS:
        body = json.dumps({"message": text}).encode()  # JSON-escaped: the lone surrogate travels as \ud800
        r = httpx.post(
            f"{app.url}/api/chat", content=body, headers={"Content-Type": "application/json"}, timeout=120
        )
        assert r.status_code == 200 and r.json()["messages"][0]["text"].startswith(NOT_UNDERSTOOD_START), (
            text,
            r.text,
        )
        search = httpx.get(
            f"{app.url}/api/search", params={"q": text.replace("\ud800", "\ufffd")}, timeout=60
        )
        assert search.status_code == 200 and search.json()["no_match"] is True, (text, search.text)
    for i, text in enumerate(WORDLESS):
        m = messenger_event(f"wordless{i}", text)
        httpx.post(
            f"{app.url}/webhooks/messenger", content=m, headers={"X-Hub-Signature-256": sign(m)}
        ).raise_for_status()
        z = zalo_event(f"wordless{i}", text)
        httpx.post(
            f"{app.url}/webhooks/zalo", content=z, headers={"X-ZEvent-Signature": mac(z)}
        ).raise_for_status()

    def replies(reqs) -> dict[str, str]:
        out = {}
        for r in reqs:
            body = r.json()
            who = str((body.get("recipient") or {}).get("id") or (body.get("recipient") or {}).get("user_id"))
            text = (body.get("message") or {}).get("text")
            if who.startswith("wordless") and text:  # not the typing indicator
                out[f"{r.path}:{who}"] = text
        return out

    got = replies(platform.wait_for(lambda reqs: len(replies(reqs)) >= 2 * len(WORDLESS), timeout=120))
    assert all(text.startswith(NOT_UNDERSTOOD_START) for text in got.values()), got


def test_personal_identifiers_are_not_stored(app: App, bot: Bot, platform: FakeHTTP) -> None:
    secret = "số căn cước của tôi là 001203004567, sđt 0912345678, mail an.nguyen@gmail.com, làm lại thẻ"
    chat = WebChat(app.url)
    chat.say(secret)
    assert "căn cước" in chat.text().lower()  # still answered: the question is kept, the numbers are not
    m = messenger_event("pii1", secret)
    httpx.post(
        f"{app.url}/webhooks/messenger", content=m, headers={"X-Hub-Signature-256": sign(m)}
    ).raise_for_status()
    deadline = time.monotonic() + 60
    while not tracker_rows(bot, "messenger-pii1") and time.monotonic() < deadline:
        time.sleep(0.5)
    rows = tracker_rows(bot, chat.sender) + tracker_rows(bot, "messenger-pii1")
    stored = " ".join(rows)  # as written (JSON)
    said = " ".join(json.loads(row).get("text") or "" for row in rows)
    for number in ("001203004567", "0912345678", "an.nguyen@gmail.com"):
        assert number not in stored
    assert said.count("số căn cước của tôi là [số định danh], sđt [số điện thoại], mail [email]") == 2
    assert "001203004567" not in app.log() and "0912345678" not in app.log()
