"""Load test of ``GET /api/search``: 50 concurrent clients, then a step search.

    .venv/bin/python bench/load_search.py                   # 50 clients × 30 s, closed loop
    .venv/bin/python bench/load_search.py --step-search     # + highest rate with p95 ≤ 500 ms
    .venv/bin/python bench/load_search.py --api-url http://127.0.0.1:8000

Without ``--api-url`` it starts the real app (``uvicorn api.main:app``, the built index
in var/index, per-IP rate limit off since every request comes from 127.0.0.1) on a free
loopback port and stops it at the end. Closed loop: each client sends its next query as
soon as the previous one is answered (the most the server can do with 50 clients). Step
search: open loop at fixed offered rates (requests spread evenly over the 50 clients).
Queries are a realistic mix (accented and unaccented questions, keywords, filters).
Bounded in time and count; exit code 0 always (it measures).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tthc.stack.http_client import HttpError, KeepAliveConnection
from tthc.stack.load import QUESTIONS, Phase, run_clients

KEYWORDS = ["khai sinh", "căn cước", "tam tru", "ket hon", "giấy phép xây dựng", "hộ kinh doanh", "lý lịch"]


def queries(rng: random.Random):
    while True:
        r = rng.random()
        if r < 0.6:
            yield {"q": rng.choice(QUESTIONS), "k": 5}
        elif r < 0.9:
            yield {"q": rng.choice(KEYWORDS), "k": 10}
        else:
            yield {"q": rng.choice(KEYWORDS), "k": 10, "level": "xa"}


async def client_loop(
    connection: KeepAliveConnection,
    url,
    phase: Phase,
    seed: int,
    deadline: float,
    period: float | None,
    timeout: float,
):
    rng = random.Random(seed)
    gen = queries(rng)
    if period:
        await asyncio.sleep(rng.uniform(0, period))
    while time.monotonic() < deadline:
        started = time.monotonic()
        phase.sent += 1
        try:
            status, _ = await connection.get(url, next(gen), timeout)
            if status == 200:
                phase.latencies.append(time.monotonic() - started)
            else:
                key = f"http_{status}"
                phase.errors[key] = phase.errors.get(key, 0) + 1
        except HttpError as exc:
            phase.errors[exc.kind] = phase.errors.get(exc.kind, 0) + 1
        if period:
            pause = period - (time.monotonic() - started)
            if pause > 0:
                await asyncio.sleep(min(pause, max(0.0, deadline - time.monotonic())))


async def run_phase(api_url: str, phase: Phase, open_loop: bool, timeout: float) -> Phase:
    url = f"{api_url}/api/search"
    period = phase.interval if open_loop else None
    return await run_clients(
        phase,
        timeout,
        lambda connection, i, deadline: client_loop(connection, url, phase, i, deadline, period, timeout),
    )


def start_api(workdir: Path) -> tuple[subprocess.Popen, str]:
    from tthc.stack.servers import REPO_ROOT, api_command, free_port

    port = free_port()
    env = dict(
        os.environ, TTHC_RATE_LIMIT_IP_PER_S="0", TTHC_RATE_LIMIT_SENDER_PER_S="0", PYTHONUNBUFFERED="1"
    )
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
    log = (workdir / "api.log").open("wb")
    process = subprocess.Popen(
        api_command(port),
        cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError((workdir / "api.log").read_text(errors="replace")[-3000:])
        try:
            if httpx.get(f"{url}/api/search", params={"q": "khai sinh"}, timeout=30).status_code == 200:
                return process, url
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    stop(process)
    raise TimeoutError("API not ready")


def stop(process: subprocess.Popen) -> None:
    import signal

    if process.poll() is None:
        os.killpg(os.getpgid(process.pid), signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(os.getpgid(process.pid), signal.SIGKILL)
            process.wait(timeout=10)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--api-url")
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--duration", type=float, default=30.0)
    ap.add_argument("--timeout", type=float, default=30.0)
    ap.add_argument("--step-search", action="store_true")
    ap.add_argument("--steps", default="10,20,40,60,80,100")
    ap.add_argument("--step-duration", type=float, default=15.0)
    ap.add_argument("--p95-target-ms", type=float, default=500.0)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)

    process, api_url = None, args.api_url
    if api_url is None:
        workdir = Path(tempfile.mkdtemp(prefix="load-search-"))
        print(f"starting the API in {workdir} …", flush=True)
        process, api_url = start_api(workdir)
    results: dict = {"api_url": api_url, "phases": []}
    try:
        asyncio.run(run_phase(api_url, Phase("warmup", 4, 1.0, 5.0), False, args.timeout))
        main_phase = asyncio.run(
            run_phase(api_url, Phase("closed", args.clients, 1.0, args.duration), False, args.timeout)
        )
        results["phases"].append(main_phase.summary())
        best = None
        if args.step_search:
            for rate in [float(x) for x in args.steps.split(",")]:
                step = Phase(f"step{int(rate)}", args.clients, args.clients / rate, args.step_duration)
                asyncio.run(run_phase(api_url, step, True, args.timeout))
                row = step.summary()
                results["phases"].append(row)
                print(f"  step {rate:>4.0f}/s: {row['throughput_turns_per_s']}/s done, p95 {row['p95_ms']} ms, "
                      f"errors {row['errors']}", flush=True)  # fmt: skip
                if (
                    row["errors"] == 0
                    and row["p95_ms"] <= args.p95_target_ms
                    and (row["throughput_turns_per_s"] >= 0.9 * rate)
                ):
                    best = max(best or 0, row["throughput_turns_per_s"])
                elif row["p95_ms"] > 2 * args.p95_target_ms:
                    break
            results["max_sustained_requests_per_s_p95_le_target"] = best
    finally:
        if process is not None:
            stop(process)
    for row in results["phases"]:
        row = {k.replace("turns", "requests"): v for k, v in row.items()}
        print(json.dumps(row, ensure_ascii=False))
    if args.step_search:
        print(f"highest sustained rate with p95 ≤ {args.p95_target_ms:.0f} ms: {best} requests/s")
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
