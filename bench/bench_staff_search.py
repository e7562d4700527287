"""Per-keystroke latency of the staff page's search (``GET /api/search?mode=lexical``).

Types a few queries one character at a time, as the page does, through the real app
(FastAPI TestClient: routing, validation, JSON) on the real index, and prints p50/p95
per mode. The hybrid mode (e5 encoding + BM25, what the chat uses) is measured on the
same keystrokes for comparison.

    .venv/bin/python bench/bench_staff_search.py [--hybrid]
"""

from __future__ import annotations

import argparse
import statistics
import time

from tthc.stack.load import percentile

QUERIES = [
    "đăng ký khai sinh",
    "dang ky tam tru",
    "cấp lại thẻ căn cước",
    "giay phep xay dung",
    "1.001193",
    "đăng ký kết hôn có yếu tố nước ngoài",
    "chung thuc ban sao",
]


def keystrokes(query: str) -> list[str]:
    return [query[:i] for i in range(1, len(query) + 1) if query[:i].strip()]


def run(client, mode: str) -> list[float]:
    times = []
    for query in QUERIES:
        for typed in keystrokes(query):
            t0 = time.perf_counter()
            response = client.get("/api/search", params={"q": typed, "mode": mode, "k": 20})
            times.append((time.perf_counter() - t0) * 1e3)
            response.raise_for_status()
    return times


def title_prefix_recall(n: int = 300, seed: int = 7) -> None:
    """Quality of the lexical mode: type the first 40/60/100 % of a random title's words,
    without diacritics, the last word cut short; is that procedure (at any level) first /
    in the first five?"""
    import random

    from indexer.prefix_search import quick_index
    from indexer.procedure_search import Retriever
    from indexer.query import fold

    retriever = Retriever.load()
    index = quick_index(retriever)
    procedures = sorted(retriever.procedures.values(), key=lambda p: p.code)
    sample = random.Random(seed).sample(procedures, min(n, len(procedures)))
    by_title: dict[str, set[str]] = {}
    for p in procedures:
        by_title.setdefault(p.title, set()).add(p.code)
    for frac in (0.4, 0.6, 1.0):
        top1 = top5 = 0
        for p in sample:
            words = fold(p.title).split()
            k = max(2, round(len(words) * frac))
            typed = " ".join(words[:k])
            if frac < 1 and len(words[k - 1]) > 2:
                typed = typed[:-1]
            codes = [h["code"] for h in index.search(typed, k=5).hits]
            same = by_title[p.title]
            top1 += bool(codes and codes[0] in same)
            top5 += bool(same & set(codes))
        print(
            f"typed {frac:.0%} of a title's words, no diacritics: "
            f"top-1 {top1 / len(sample):.2f}  top-5 {top5 / len(sample):.2f}  (n={len(sample)})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hybrid", action="store_true", help="also measure mode=hybrid (slow)")
    args = parser.parse_args()
    import os

    # measure the search, not the per-IP rate limit of /api/* (all keystrokes come from one client here)
    os.environ.setdefault("TTHC_RATE_LIMIT_IP_PER_S", "0")
    from fastapi.testclient import TestClient

    from api.main import create_app

    with TestClient(create_app()) as client:
        t0 = time.perf_counter()
        client.get("/api/search", params={"q": "khởi động", "mode": "lexical"}).raise_for_status()
        print(f"first request (index + lexical index load): {time.perf_counter() - t0:.1f} s")
        t0 = time.perf_counter()
        client.get("/staff").raise_for_status()
        print(f"GET /staff (server side): {(time.perf_counter() - t0) * 1e3:.1f} ms")
        modes = ["hybrid", "lexical"] if args.hybrid else ["lexical"]  # hybrid first: cold query cache
        for mode in modes:
            times = run(client, mode)
            print(
                f"mode={mode:8s} keystrokes={len(times)}  p50={percentile(times, 50):6.1f} ms  "
                f"p95={percentile(times, 95):6.1f} ms  max={max(times):6.1f} ms  mean={statistics.mean(times):6.1f} ms"
            )
    title_prefix_recall()


if __name__ == "__main__":
    main()
