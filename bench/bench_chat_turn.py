"""Latency of one chat turn through Rasa's REST webhook (single user, bot warm).

Starts a real Rasa server and action server (the trained model in var/rasa/models,
the index in var/index), warms them up, then sends a realistic mix of turns one at a
time and prints p50/p95/max per kind of turn and overall. Target: p95 ≤ 150 ms.

    .venv/bin/python bench/bench_chat_turn.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tthc.stack.load import percentile
from tthc.stack.servers import start_bot

# (kind, message) — a new question, follow-ups on it, and small talk
CONVERSATION = [
    ("small talk", "xin chào"),
    ("question", "đăng ký khai sinh cần giấy tờ gì"),
    ("follow-up", "thế còn lệ phí?"),
    ("follow-up", "mất bao lâu?"),
    ("question", "lam lai cccd bi mat o dau"),
    ("follow-up", "nộp online được không?"),
    ("question", "đăng ký tạm trú cho người thuê trọ"),
    ("question", "Bắc Kạn tinh giản biên chế bao nhiêu người"),
    ("small talk", "cảm ơn"),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5, help="times the conversation is replayed")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        started = time.monotonic()
        bot = start_bot(Path(tmp))
        print(f"servers ready in {time.monotonic() - started:.1f} s")
        try:
            for _, text in CONVERSATION:  # warm-up: model, index, caches
                bot.say("warmup", text)
            timings: dict[str, list[float]] = {}
            for _ in range(args.rounds):
                sender = f"bench-{uuid.uuid4().hex[:8]}"
                for kind, text in CONVERSATION:
                    t0 = time.perf_counter()
                    bot.say(sender, text)
                    timings.setdefault(kind, []).append((time.perf_counter() - t0) * 1000)
        finally:
            bot.stop()
    every = [t for values in timings.values() for t in values]
    print(f"{'turn kind':<12} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for kind, values in [*timings.items(), ("all", every)]:
        print(
            f"{kind:<12} {len(values):>4} {statistics.median(values):>8.1f} "
            f"{percentile(values, 95):>8.1f} {max(values):>8.1f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
