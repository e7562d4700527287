"""Load test of the chat: N concurrent sessions through Rasa's REST webhook.

    .venv/bin/python bench/load_chat.py                       # 200 sessions × 60 s, ~40 turns/s
    .venv/bin/python bench/load_chat.py --step-search         # + highest rate with p95 ≤ 500 ms
    .venv/bin/python bench/load_chat.py --rasa-instances 2    # one Rasa server per core, shared SQLite
    .venv/bin/python bench/load_chat.py --multi --rasa-instances 2   # PostgreSQL + Redis
    .venv/bin/python bench/load_chat.py --sessions 20 --duration 10   # smoke

Without ``--rasa-url`` it starts its own Rasa server(s) + action server (free loopback
ports, own SQLite tracker store, or PostgreSQL + Redis with ``--multi``) and stops them
at the end. Several Rasa servers get the conversations as the API routes them (CRC32 of
the sender). Every session is one citizen: it sends a message about every
``--interval`` seconds (start times spread, ±20 % jitter; the next message waits for
the answer), from a realistic mix — greetings, procedure questions with and without
diacritics, follow-ups ("thế còn lệ phí?"), numbered choices, thanks, ratings.

Reported: errors (non-200, timeouts, connection errors), turns, throughput, latency
p50/p95/p99/max, and lost turns: for every sender, the user events in the tracker
store (``--tracker-db``, SQLite) are counted and compared with the turns Rasa answered.
Bounded: each phase stops sending at its deadline; stragglers get ``--timeout`` seconds.
Loopback only. Exit code 0 always (it measures; targets are judged by the reader and by
``tests/reliability/test_load_smoke.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.rasa_client import KEEPALIVE_S

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


def conversation(rng: random.Random):
    """Endless realistic turns of one citizen."""
    yield rng.choice(GREETINGS)
    while True:
        yield rng.choice(QUESTIONS)
        for _ in range(rng.randint(0, 2)):
            yield rng.choice(FOLLOW_UPS)
        if rng.random() < 0.3:
            yield rng.choice(CLOSING)


@dataclass
class Phase:
    name: str
    sessions: int
    interval: float
    duration: float
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
        if not self.latencies:
            return float("nan")
        xs = sorted(self.latencies)
        return xs[min(len(xs) - 1, round(q / 100 * (len(xs) - 1)))] * 1000

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
    client: httpx.AsyncClient, url: str, phase: Phase, sender: str, seed: int, deadline: float, timeout: float
) -> None:
    rng = random.Random(seed)
    turns = conversation(rng)
    await asyncio.sleep(rng.uniform(0, phase.interval))  # spread the sessions' start
    while time.monotonic() < deadline:
        started = time.monotonic()
        text = next(turns)
        phase.sent += 1
        try:
            response = await client.post(url, json={"sender": sender, "message": text}, timeout=timeout)
            if response.status_code == 200 and isinstance(response.json(), list):
                phase.latencies.append(time.monotonic() - started)
                phase.answered[sender] = phase.answered.get(sender, 0) + 1
            else:
                key = f"http_{response.status_code}"
                phase.errors[key] = phase.errors.get(key, 0) + 1
        except (httpx.HTTPError, ValueError) as exc:
            key = type(exc).__name__
            phase.errors[key] = phase.errors.get(key, 0) + 1
        pause = phase.interval * rng.uniform(0.8, 1.2) - (time.monotonic() - started)
        if pause > 0:
            await asyncio.sleep(min(pause, max(0.0, deadline - time.monotonic())))


def url_for(rasa_url: str, sender: str) -> str:
    """Several comma-separated Rasa servers: each conversation on one of them, as the API routes
    it (api/rasa_client.instances_for: CRC32 of the sender)."""
    import zlib

    urls = [u.strip() for u in rasa_url.split(",") if u.strip()]
    return f"{urls[zlib.crc32(sender.encode()) % len(urls)]}/webhooks/rest/webhook"


async def run_phase(rasa_url: str, phase: Phase, timeout: float, prefix: str) -> Phase:
    # idle connections expire before the servers' 5 s keep-alive (no request on a closing one)
    limits = httpx.Limits(
        max_connections=phase.sessions + 10,
        max_keepalive_connections=phase.sessions + 10,
        keepalive_expiry=KEEPALIVE_S,
    )
    async with httpx.AsyncClient(limits=limits) as client:
        t0 = time.monotonic()
        deadline = t0 + phase.duration
        tasks = [
            asyncio.create_task(
                run_session(
                    client,
                    url_for(rasa_url, f"{prefix}-{phase.name}-{i:04d}"),
                    phase,
                    f"{prefix}-{phase.name}-{i:04d}",
                    i,
                    deadline,
                    timeout,
                )
            )
            for i in range(phase.sessions)
        ]
        # bounded: every session stops sending at the deadline; a request in flight gets `timeout`
        await asyncio.wait(tasks, timeout=phase.duration + timeout + 5)
        for task in tasks:
            task.cancel()
        phase.elapsed = time.monotonic() - t0
    return phase


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


def group_cpu_seconds(pgid: int) -> float:
    """CPU time (user + system) of every live process in process group ``pgid`` (Linux /proc)."""
    import os

    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields after ")": state ppid pgrp ... utime(11) stime(12)
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rasa-url", help="a running Rasa server (default: start one)")
    ap.add_argument("--tracker-db", type=Path, help="its SQLite tracker store (for lost turns)")
    ap.add_argument("--sessions", type=int, default=200)
    ap.add_argument("--duration", type=float, default=60.0)
    ap.add_argument("--interval", type=float, default=5.0, help="seconds between a session's messages")
    ap.add_argument("--timeout", type=float, default=30.0)
    ap.add_argument("--warmup", type=float, default=5.0, help="seconds of light traffic first (not counted)")
    ap.add_argument("--step-search", action="store_true", help="then find the highest rate with p95 ≤ 500 ms")
    ap.add_argument("--steps", default="20,30,40,50,60,80", help="offered turns/s of the step search")
    ap.add_argument("--step-duration", type=float, default=20.0)
    ap.add_argument("--p95-target-ms", type=float, default=500.0)
    ap.add_argument("--json", type=Path, help="write the results here too")
    ap.add_argument(
        "--multi",
        action="store_true",
        help="start Rasa with endpoints.multi.yml (PostgreSQL tracker store + Redis lock store)",
    )
    ap.add_argument("--rasa-workers", type=int, default=1, help="Sanic workers of Rasa (needs --multi)")
    ap.add_argument(
        "--rasa-instances",
        type=int,
        default=1,
        help="Rasa servers sharing the tracker store (SQLite file, or PostgreSQL + Redis with --multi)",
    )
    ap.add_argument("--action-workers", type=int, default=1, help="ACTION_SERVER_SANIC_WORKERS")
    args = ap.parse_args(argv)

    bot = None
    stores, servers = None, []
    rasa_url, tracker_db = args.rasa_url, args.tracker_db
    if rasa_url is None and (args.multi or args.rasa_instances > 1):
        from tests.e2e.servers import sqlite_endpoints
        from tests.reliability.services import SharedStores, action_server, rasa_server

        workdir = Path(tempfile.mkdtemp(prefix="load-chat-"))
        actions = action_server(workdir, env={"ACTION_SERVER_SANIC_WORKERS": str(args.action_workers)})
        if args.multi:
            stores = SharedStores.create()
            endpoints = Path(__file__).resolve().parents[1] / "endpoints.multi.yml"
            env = stores.env(f"http://127.0.0.1:{actions.port}/webhook")
            shared = f"PostgreSQL {stores.db} + Redis"
        else:
            tracker_db = workdir / "tracker.db"
            endpoints, env = sqlite_endpoints(workdir, actions.port, tracker_db), {}
            shared = f"SQLite {tracker_db}"
        rasas = [
            rasa_server(workdir, endpoints, env, workers=args.rasa_workers)
            for _ in range(args.rasa_instances)
        ]
        servers = [actions, *rasas]
        print(
            f"starting {args.rasa_instances} Rasa ({args.rasa_workers} workers each) sharing {shared} …",
            flush=True,
        )
        t = time.monotonic()
        for server in servers:
            server.start()
        for server in servers:
            server.wait_ready()
        rasa_url = ",".join(f"http://127.0.0.1:{r.port}" for r in rasas)
        print(f"ready in {time.monotonic() - t:.0f} s: {rasa_url}", flush=True)
    elif rasa_url is None:
        from tests.e2e.servers import start_bot

        workdir = Path(tempfile.mkdtemp(prefix="load-chat-"))
        print(f"starting Rasa + action server in {workdir} …", flush=True)
        t = time.monotonic()
        bot = start_bot(workdir)
        rasa_url, tracker_db = bot.rasa_url, bot.tracker_db
        print(f"ready in {time.monotonic() - t:.0f} s: {rasa_url}", flush=True)
    prefix = "load-" + uuid.uuid4().hex[:8]
    results: dict = {"rasa_url": rasa_url, "config": vars(args) | {"json": None}, "phases": []}
    try:
        print(f"warm after {wait_until_warm(rasa_url, prefix):.0f} s", flush=True)
        if args.warmup > 0:
            asyncio.run(run_phase(rasa_url, Phase("warmup", 10, 1.0, args.warmup), args.timeout, prefix))
        groups = {}
        if bot is not None:
            groups = {"rasa": bot.rasa.process.pid, "actions": bot.actions.process.pid}
        elif servers:
            groups = {"actions": servers[0].process.pid}
            groups |= {f"rasa{i}": server.process.pid for i, server in enumerate(servers[1:])}
        cpu_before = {name: group_cpu_seconds(pgid) for name, pgid in groups.items()}
        own_cpu_before = time.process_time()  # this generator shares the cores too
        main_phase = asyncio.run(
            run_phase(
                rasa_url, Phase("main", args.sessions, args.interval, args.duration), args.timeout, prefix
            )
        )
        if groups and main_phase.latencies:
            results["cpu_ms_per_turn"] = {
                name: round((group_cpu_seconds(pgid) - cpu_before[name]) * 1000 / main_phase.sent, 1)
                for name, pgid in groups.items()
            }
            results["cpu_ms_per_turn"]["load generator"] = round(
                (time.process_time() - own_cpu_before) * 1000 / main_phase.sent, 1
            )
        phases = [main_phase]
        if args.step_search:
            for rate in [float(x) for x in args.steps.split(",")]:
                step = Phase(f"step{int(rate)}", args.sessions, args.sessions / rate, args.step_duration)
                asyncio.run(run_phase(rasa_url, step, args.timeout, prefix))
                phases.append(step)
                s = step.summary()
                print(
                    f"  step {rate:>5.0f} turns/s offered: {s['throughput_turns_per_s']:>5} done/s, "
                    f"p95 {s['p95_ms']} ms, errors {s['errors']}",
                    flush=True,
                )
                if s["errors"] or s["p95_ms"] > args.p95_target_ms * 2:
                    break  # far past the knee: stop loading the machine
        time.sleep(1.0)  # let the tracker store commit the last turns
        if stores is not None:
            recorded = stores.user_events(prefix + "-%")
        else:
            recorded = recorded_user_turns(tracker_db, prefix) if tracker_db else {}
        for phase in phases:
            row = phase.summary()
            if tracker_db or stores is not None:
                row.update(lost_turns(phase, recorded))
            results["phases"].append(row)
        best = None
        for row in results["phases"][1:]:
            ok = (
                row["errors"] == 0
                and row["p95_ms"] <= args.p95_target_ms
                and row["throughput_turns_per_s"] >= 0.9 * row["offered_turns_per_s"]
            )
            if ok:
                best = max(best or 0, row["throughput_turns_per_s"])
        if args.step_search:
            results["max_sustained_turns_per_s_p95_le_target"] = best
    finally:
        if bot is not None:
            bot.stop()
        for server in reversed(servers):
            server.stop()
        if stores is not None:
            stores.drop()
    for row in results["phases"]:
        print(json.dumps(row, ensure_ascii=False))
    if "cpu_ms_per_turn" in results:
        print(f"CPU per turn (main phase): {results['cpu_ms_per_turn']} ms")
    if args.step_search:
        print(
            f"highest sustained rate with p95 ≤ {args.p95_target_ms:.0f} ms: "
            f"{results['max_sustained_turns_per_s_p95_le_target']} turns/s"
        )
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
