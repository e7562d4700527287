"""Memory of the whole default stack (`make run`: honcho and every process of the Procfile).

Starts the Procfile's processes under honcho, as `make run` does, on free loopback ports with a
conversation store in a temporary folder (the trained Rasa model and the index of var/ are read
only); waits until GET /api/health is ok; sends 100 varied turns through POST /api/chat (new
questions in everyday words, follow-ups, small talk, as the web widget does); then prints the
resident memory (RSS, from /proc) of every process of the session and the total, against the
2.0 GiB target.

    .venv/bin/python bench/bench_memory.py [--turns 100]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
TARGET_MIB = 2048
FOLLOW_UPS = ["thế còn lệ phí?", "mất bao lâu?", "nộp ở đâu?", "cần giấy tờ gì?", "nộp online được không?"]
SMALL_TALK = ["xin chào", "cảm ơn bạn", "bạn là ai?"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def procfile(tmp: Path, rasa_port: int, api_port: int) -> Path:
    """The repository's Procfile, with this run's ports and conversation store."""
    endpoints = tmp / "endpoints.yml"
    text = (ROOT / "endpoints.yml").read_text(encoding="utf-8")
    text = text.replace("http://127.0.0.1:8000/webhook", f"http://127.0.0.1:{api_port}/webhook")
    text = text.replace('db: "var/rasa/tracker.db"', f'db: "{tmp / "tracker.db"}"')
    endpoints.write_text(text, encoding="utf-8")
    lines = []
    for line in (ROOT / "Procfile").read_text(encoding="utf-8").splitlines():
        line = line.replace("--endpoints endpoints.yml", f"--endpoints {endpoints}")
        line = line.replace("--port 5005", f"--port {rasa_port}").replace("--port 8000", f"--port {api_port}")
        lines.append(line)
    path = tmp / "Procfile"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def questions(n: int) -> list[str]:
    """New questions in everyday words (the project's own blind set), then follow-ups."""
    rows = [
        json.loads(x)
        for x in (ROOT / "bench/data/everyday_blind.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    out: list[str] = []
    for i, row in enumerate(rows):
        out.append(row["q"])
        if i % 2 == 0:
            out.append(FOLLOW_UPS[i % len(FOLLOW_UPS)])
        if i % 7 == 0:
            out.append(SMALL_TALK[i % len(SMALL_TALK)])
        if len(out) >= n:
            break
    return out[:n]


def tree_rss(root: int) -> list[tuple[int, str, int]]:
    """(pid, command, RSS in KiB) of ``root`` and every process below it (honcho starts each
    Procfile entry in a session of its own, so the tree is walked by parent pid)."""
    procs: dict[int, tuple[int, str, int]] = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text()
            status = (proc / "status").read_text()
            cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        m = re.search(r"VmRSS:\s+(\d+) kB", status)
        procs[int(proc.name)] = (ppid, cmd, int(m.group(1)) if m else 0)
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        if pid in procs:
            out.append((pid, procs[pid][1], procs[pid][2]))
            todo += [child for child, (ppid, _, _) in procs.items() if ppid == pid]
    return sorted(out, key=lambda x: -x[2])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        rasa_port, api_port = free_port(), free_port()
        env = {
            **os.environ,
            "TTHC_API_PORT": str(api_port),
            "TTHC_RASA_URL": f"http://127.0.0.1:{rasa_port}",
            "TTHC_PUBLIC_BASE_URL": f"http://127.0.0.1:{api_port}",
            "TTHC_STAFF_DB": str(tmp / "staff.db"),
            "TTHC_TRACKER_DB_URL": f"sqlite:///{tmp / 'tracker.db'}",
            "TTHC_RATE_LIMIT_IP_PER_S": "0",
            "RASA_TELEMETRY_ENABLED": "false",
            "HF_HUB_OFFLINE": "1",
        }
        started = time.monotonic()
        honcho = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/honcho"),
                "start",
                "-f",
                str(procfile(tmp, rasa_port, api_port)),
                "-d",
                str(ROOT),
            ],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=(tmp / "honcho.log").open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        api = f"http://127.0.0.1:{api_port}"
        try:
            deadline = time.monotonic() + 600
            while True:
                try:
                    if httpx.get(f"{api}/api/health", timeout=5).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if honcho.poll() is not None or time.monotonic() > deadline:
                    print((tmp / "honcho.log").read_text(errors="replace")[-4000:])
                    print("the stack did not become healthy", file=sys.stderr)
                    return 1
                time.sleep(1)
            ready = time.monotonic() - started
            after_start = sum(kib for _, _, kib in tree_rss(honcho.pid))
            turns = questions(args.turns)
            failures, t0 = 0, time.monotonic()
            sender = ""
            for i, text in enumerate(turns):
                body = {"message": text}
                if i % 10:  # ten turns per conversation; the API issues its id with the first answer
                    body["sender"] = sender
                r = httpx.post(f"{api}/api/chat", json=body, timeout=120)
                failures += r.status_code != 200 or not r.json().get("messages")
                if r.status_code == 200:
                    sender = r.json()["sender"]
            elapsed = time.monotonic() - t0
            rows = tree_rss(honcho.pid)
        finally:
            os.killpg(honcho.pid, signal.SIGINT)
            try:
                honcho.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(honcho.pid, signal.SIGKILL)
    total = sum(kib for _, _, kib in rows) / 1024
    print(f"stack healthy after {ready:.1f} s; RSS then {after_start / 1024:,.0f} MiB")
    print(f"{len(turns)} turns through /api/chat in {elapsed:.1f} s, {failures} failed")
    print(f"{'RSS MiB':>8}  process")
    for pid, cmd, kib in rows:
        print(f"{kib / 1024:>8,.0f}  {pid:>7} {cmd[:110]}")
    print(
        f"{total:>8,.0f}  total ({len(rows)} processes); target ≤ {TARGET_MIB:,} MiB: {'met' if total <= TARGET_MIB else 'NOT met'}"
    )
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
