"""The chat load generator: N concurrent sessions of realistic turns through Rasa's REST webhook.

Used by ``bench/load_chat.py`` (the full benchmark, its command line) and by
``tests/reliability/test_load_smoke.py`` (a short run in the test suite). Every session is one
citizen: it sends a message about every ``Phase.interval`` seconds (start times spread, ±20 %
jitter; the next message waits for the answer), from a realistic mix — greetings, procedure
questions with and without diacritics, follow-ups ("thế còn lệ phí?"), numbered choices, thanks,
ratings. Several comma-separated Rasa servers get the conversations as the API routes them (CRC32
of the sender). Lost turns: the user events per sender in the tracker store compared with the
turns Rasa answered.
"""

from __future__ import annotations

import asyncio
import json
import random
import sqlite3
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from api.rasa_client import KEEPALIVE_S
from tthc.stack.http_client import HttpError, KeepAliveConnection

GREETINGS = ["xin chào", "chào bạn", "chao ban", "alo", "hello"]
QUESTIONS = [
    "đăng ký khai sinh cần giấy tờ gì?",
    "làm lại căn cước bị mất ở đâu?",
    "lệ phí đăng ký kết hôn bao nhiêu?",
    "thủ tục đăng ký tạm trú",
    "cấp giấy phép xây dựng nhà ở riêng lẻ cần hồ sơ gì",
    "đăng ký thường trú mất bao lâu",
    "xin cấp phiếu lý lịch tư pháp ở đâu",
    "chứng thực bản sao từ bản chính",
    "đăng ký khai tử cần gì",
    "thủ tục cấp đổi giấy phép lái xe",
    "dang ky khai sinh can giay to gi",
    "lam lai cccd bi mat o dau",
    "le phi dang ky ket hon bao nhieu",
    "thu tuc dang ky tam tru cho nguoi thue nha",
    "cap giay chung nhan quyen su dung dat lan dau",
    "dang ky ho kinh doanh can nhung gi",
]
FOLLOW_UPS = ["thế còn lệ phí?", "mất bao lâu?", "nộp ở đâu?", "the con le phi", "can nhung giay to gi", "1"]
CLOSING = ["cảm ơn", "cam on ban", "/rate_helpful", "bạn là người hay máy?", "tạm biệt"]


def conversation(rng: random.Random, questions: Sequence[str] = tuple(QUESTIONS)):
    """Endless realistic turns of one citizen, asking ``questions``."""
    yield rng.choice(GREETINGS)
    while True:
        yield rng.choice(questions)
        for _ in range(rng.randint(0, 2)):
            yield rng.choice(FOLLOW_UPS)
        if rng.random() < 0.3:
            yield rng.choice(CLOSING)


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank ``p``-th percentile (``p`` in percent) of ``values``; NaN when empty.
    The one definition the load generator and the benchmarks print."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


@dataclass
class Phase:
    name: str
    sessions: int
    interval: float
    duration: float
    # the questions sessions ask (the other turns are greetings, follow-ups and thanks)
    questions: tuple[str, ...] = tuple(QUESTIONS)
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    answered: dict[str, int] = field(default_factory=dict)  # sender → turns answered with 200
    sent: int = 0
    elapsed: float = 0.0

    @property
    def offered_rate(self) -> float:
        return self.sessions / self.interval

    def error_count(self) -> int:
        return sum(self.errors.values())

    def pct(self, q: float) -> float:
        return percentile(self.latencies, q) * 1000

    def summary(self) -> dict:
        return {
            "phase": self.name,
            "sessions": self.sessions,
            "offered_turns_per_s": round(self.offered_rate, 1),
            "duration_s": round(self.elapsed, 1),
            "turns_sent": self.sent,
            "turns_ok": len(self.latencies),
            "errors": self.error_count(),
            "error_kinds": self.errors,
            "throughput_turns_per_s": round(len(self.latencies) / self.elapsed, 1) if self.elapsed else 0,
            "p50_ms": round(self.pct(50), 1),
            "p95_ms": round(self.pct(95), 1),
            "p99_ms": round(self.pct(99), 1),
            "max_ms": round(max(self.latencies) * 1000, 1) if self.latencies else None,
            "mean_ms": round(statistics.fmean(self.latencies) * 1000, 1) if self.latencies else None,
        }


async def run_session(
    connection: KeepAliveConnection,
    url: str,
    phase: Phase,
    sender: str,
    seed: int,
    deadline: float,
    timeout: float,
) -> None:
    rng = random.Random(seed)
    turns = conversation(rng, phase.questions)
    await asyncio.sleep(rng.uniform(0, phase.interval))  # spread the sessions' start
    while time.monotonic() < deadline:
        started = time.monotonic()
        text = next(turns)
        phase.sent += 1
        try:
            status, body = await connection.post_json(url, {"sender": sender, "message": text}, timeout)
            if status == 200 and isinstance(json.loads(body), list):
                phase.latencies.append(time.monotonic() - started)
                phase.answered[sender] = phase.answered.get(sender, 0) + 1
            else:
                key = f"http_{status}"
                phase.errors[key] = phase.errors.get(key, 0) + 1
        except HttpError as exc:
            phase.errors[exc.kind] = phase.errors.get(exc.kind, 0) + 1
        except ValueError as exc:  # not JSON
            phase.errors[type(exc).__name__] = phase.errors.get(type(exc).__name__, 0) + 1
        pause = phase.interval * rng.uniform(0.8, 1.2) - (time.monotonic() - started)
        if pause > 0:
            await asyncio.sleep(min(pause, max(0.0, deadline - time.monotonic())))


def url_for(rasa_url: str, sender: str) -> str:
    """Several comma-separated Rasa servers: each conversation on one of them, as the API routes
    it (api/rasa_client.instances_for: CRC32 of the sender)."""
    import zlib

    urls = [u.strip() for u in rasa_url.split(",") if u.strip()]
    return f"{urls[zlib.crc32(sender.encode()) % len(urls)]}/webhooks/rest/webhook"


async def run_clients(
    phase: Phase, timeout: float, client_loop: Callable[[KeepAliveConnection, int, float], Awaitable[None]]
) -> Phase:
    """Run ``phase.sessions`` copies of ``client_loop(connection, index, deadline)``, each on its own
    keep-alive connection, for ``phase.duration`` seconds (bounded: a loop stops sending at the
    deadline, a request in flight gets ``timeout``)."""
    # idle connections are replaced before the servers' 5 s keep-alive (no request on a closing one)
    connections = [KeepAliveConnection(KEEPALIVE_S) for _ in range(phase.sessions)]
    t0 = time.monotonic()
    deadline = t0 + phase.duration
    tasks = [asyncio.create_task(client_loop(c, i, deadline)) for i, c in enumerate(connections)]
    await asyncio.wait(tasks, timeout=phase.duration + timeout + 5)
    for task in tasks:
        task.cancel()
    phase.elapsed = time.monotonic() - t0
    for connection in connections:
        connection.close()
    return phase


async def run_phase(rasa_url: str, phase: Phase, timeout: float, prefix: str) -> Phase:
    def session(connection: KeepAliveConnection, i: int, deadline: float) -> Awaitable[None]:
        sender = f"{prefix}-{phase.name}-{i:04d}"
        return run_session(connection, url_for(rasa_url, sender), phase, sender, i, deadline, timeout)

    return await run_clients(phase, timeout, session)


def wait_until_warm(rasa_url: str, prefix: str, limit_s: float = 180.0) -> float:
    """Ask a procedure question until it is answered within 1 s (the action server loads the
    model and index in the background after start); return the seconds it took."""
    t0 = time.monotonic()
    for url in rasa_url.split(","):
        _warm(url.strip(), prefix, t0, limit_s)
    return time.monotonic() - t0


def _warm(rasa_url: str, prefix: str, t0: float, limit_s: float) -> None:
    while time.monotonic() - t0 < limit_s:
        t = time.monotonic()
        try:
            httpx.post(
                f"{rasa_url}/webhooks/rest/webhook",
                json={"sender": f"{prefix}-warm", "message": "đăng ký khai sinh cần giấy tờ gì"},
                timeout=60,
            ).raise_for_status()
        except httpx.HTTPError:
            time.sleep(1.0)
            continue
        if time.monotonic() - t < 1.0:
            break


def recorded_user_turns(tracker_db: Path, prefix: str) -> dict[str, int]:
    """User events per sender in a SQLite tracker store (Rasa's ``events`` table)."""
    with sqlite3.connect(f"file:{tracker_db}?mode=ro", uri=True, timeout=30) as db:
        rows = db.execute(
            "SELECT sender_id, COUNT(*) FROM events WHERE type_name = 'user' AND sender_id LIKE ? "
            "GROUP BY sender_id",
            (prefix + "-%",),
        ).fetchall()
    return dict(rows)


def lost_turns(phase: Phase, recorded: dict[str, int]) -> dict:
    prefix = f"-{phase.name}-"
    mine = {s: n for s, n in recorded.items() if prefix in s}
    lost = sum(max(0, answered - mine.get(s, 0)) for s, answered in phase.answered.items())
    return {
        "answered_turns": sum(phase.answered.values()),
        "recorded_user_events": sum(mine.values()),
        "lost_turns": lost,
    }
