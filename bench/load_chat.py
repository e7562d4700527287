"""Load test of the chat: N concurrent sessions through Rasa's REST webhook.

    .venv/bin/python bench/load_chat.py                       # 200 sessions × 60 s, ~40 turns/s
    .venv/bin/python bench/load_chat.py --step-search         # + highest rate with p95 ≤ 500 ms
    .venv/bin/python bench/load_chat.py --rasa-instances 2    # one Rasa server per core, shared SQLite
    .venv/bin/python bench/load_chat.py --multi --rasa-instances 2   # PostgreSQL + Redis
    .venv/bin/python bench/load_chat.py --sessions 20 --duration 10   # smoke
    .venv/bin/python bench/load_chat.py --rasa-instances 2 --questions bench/data/everyday_dev*.jsonl

Without ``--rasa-url`` it starts its own Rasa server(s) + action server (free loopback
ports, own SQLite tracker store, or PostgreSQL + Redis with ``--multi``) and stops them
at the end. Several Rasa servers get the conversations as the API routes them (CRC32 of
the sender). Every session is one citizen: it sends a message about every
``--interval`` seconds (start times spread, ±20 % jitter; the next message waits for
the answer), from a realistic mix — greetings, procedure questions with and without
diacritics, follow-ups ("thế còn lệ phí?"), numbered choices, thanks, ratings. The built-in mix
repeats 16 questions, which the embedding caches remember after their first turn;
``--questions FILE`` (JSON lines with "q") asks questions that are mostly new instead.

Reported: errors (non-200, timeouts, connection errors), turns, throughput, latency
p50/p95/p99/max, and lost turns: for every sender, the user events in the tracker
store (``--tracker-db``, SQLite) are counted and compared with the turns Rasa answered.
Bounded: each phase stops sending at its deadline; stragglers get ``--timeout`` seconds.
Loopback only. Exit code 0 always (it measures; targets are judged by the reader and by
``tests/reliability/test_load_smoke.py``). The sessions, phases and lost-turn count are in
``tthc/stack/load.py``, the servers it starts in ``tthc/stack/``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tthc.stack.load import Phase, lost_turns, recorded_user_turns, run_phase, wait_until_warm
from tthc.stack.machine import StealMeter


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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rasa-url", help="a running Rasa server (default: start one)")
    ap.add_argument("--tracker-db", type=Path, help="its SQLite tracker store (for lost turns)")
    ap.add_argument("--sessions", type=int, default=200)
    ap.add_argument("--duration", type=float, default=60.0)
    ap.add_argument("--interval", type=float, default=5.0, help="seconds between a session's messages")
    ap.add_argument("--timeout", type=float, default=30.0)
    ap.add_argument(
        "--questions",
        type=Path,
        nargs="+",
        help='files of JSON lines whose "q" (or "question") are the questions asked (default: the built-in 16)',
    )
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
        from tthc.stack.servers import sqlite_endpoints
        from tthc.stack.services import SharedStores, action_server, rasa_server

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
        from tthc.stack.servers import start_bot

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
        steal = StealMeter()  # the host's other guests share the physical cores too
        main = Phase("main", args.sessions, args.interval, args.duration)
        if args.questions:
            lines = [line for f in args.questions for line in f.read_text(encoding="utf-8").splitlines()]
            rows = [json.loads(line) for line in lines if line.strip()]
            main.questions = tuple(dict.fromkeys(r.get("q") or r["question"] for r in rows))
            print(f"{len(main.questions)} questions from {len(args.questions)} files", flush=True)
        main_phase = asyncio.run(run_phase(rasa_url, main, args.timeout, prefix))
        if groups and main_phase.latencies:
            results["cpu_ms_per_turn"] = {
                name: round((group_cpu_seconds(pgid) - cpu_before[name]) * 1000 / main_phase.sent, 1)
                for name, pgid in groups.items()
            }
            results["cpu_ms_per_turn"]["load generator"] = round(
                (time.process_time() - own_cpu_before) * 1000 / main_phase.sent, 1
            )
        results["cpu_steal"] = steal.describe()
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
        print(f"CPU per turn (main phase): {results['cpu_ms_per_turn']} ms; {results['cpu_steal']}")
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
