"""Diacritic-restoration accuracy and latency on the development questions.

Usage: .venv/bin/python bench/bench_normalize.py [--errors] [--model PATH] [--dev FILE]

FILE: one question per line, or a ``.jsonl`` set whose accented questions are stripped and
restored (``--dev bench/data/everyday_dev2.jsonl``: chat wording).

Uses the model built by ``tthc text build`` (``<var_dir>/text``), or builds one into a
temporary folder when none exists. Prints word accuracy, whole-question accuracy and
the per-question latency (p50/p95) of ``Restorer.restore``, plus of the whole ``analyze``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from common.text.restore import Restorer, current_model_path  # noqa: E402
from indexer.text.train import build, evaluate, iter_questions, strip_diacritics  # noqa: E402


def dev_questions(path: Path) -> list[str]:
    """One question per line, or, from a ``.jsonl`` set (``bench/data/everyday_dev2.jsonl``,
    ``life_events_dev*.jsonl``), the questions written with diacritics (the reference)."""
    if path.suffix != ".jsonl":
        return list(iter_questions(path))
    from common.text.normalize import has_diacritics

    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [q for row in rows if has_diacritics(q := row.get("q") or row.get("question") or "")]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", type=Path, default=None)
    ap.add_argument(
        "--dev", type=Path, default=REPO / "tests" / "common" / "text" / "data" / "restore_dev.txt"
    )
    ap.add_argument("--errors", action="store_true", help="print the questions restored wrongly")
    args = ap.parse_args()
    path = args.model or current_model_path()
    if path is None:
        print("no model in var/text: building one into a temporary folder", file=sys.stderr)
        path = build(Path(tempfile.mkdtemp(prefix="tthc-text-")))
    t0 = time.perf_counter()
    restorer = Restorer.load(path)
    load_s = time.perf_counter() - t0
    questions = dev_questions(args.dev)
    evaluate(restorer, questions[:10])  # warm-up
    r = evaluate(restorer, questions)
    print(f"model: {path} (loaded in {load_s:.2f}s)")
    print(f"dev:   {args.dev} ({r['questions']} questions)")
    print(f"word accuracy     {r['word_accuracy']:.4f}")
    print(f"question accuracy {r['question_accuracy']:.4f}")
    print(f"restore latency   p50 {r['p50_ms']:.2f} ms   p95 {r['p95_ms']:.2f} ms (wall clock)")
    print(f"restore CPU time  p50 {r['cpu_p50_ms']:.2f} ms   p95 {r['cpu_p95_ms']:.2f} ms (this thread only)")
    for mode in ("partial", "accented"):
        m = evaluate(restorer, questions, mode)
        print(f"{mode:<8} input    word {m['word_accuracy']:.4f}   question {m['question_accuracy']:.4f}")
    holdout = args.dev.parent / "restore_holdout.txt"
    if holdout.exists() and args.dev.name == "restore_dev.txt":
        h = evaluate(restorer, list(iter_questions(holdout)))
        print(
            f"held-out ({h['questions']} q)  word {h['word_accuracy']:.4f}   question {h['question_accuracy']:.4f}"
        )

    import os

    os.environ["TTHC_TEXT_MODEL"] = str(path)
    from common.text.normalize import analyze

    times = []
    for q in questions:
        plain = strip_diacritics(q)
        t = time.perf_counter()
        analyze(plain)
        times.append(time.perf_counter() - t)
    times.sort()
    n = len(times)
    print(f"analyze() latency p50 {times[n // 2] * 1000:.2f} ms   p95 {times[int(n * 0.95)] * 1000:.2f} ms")
    if args.errors:
        for ref, got in r["errors"]:
            print(f"  - {ref}\n  + {got}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
