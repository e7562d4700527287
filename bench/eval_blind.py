"""The project's own sets, reported apart from the dev sets (``bench/data/``):

- ``everyday_blind.jsonl`` (233), ``everyday_blind2.jsonl`` and ``everyday_blind3.jsonl`` (200
  each, written 2026-11-28): everyday questions, each set written by a helper that never saw the
  code, the aliases, the lexicon or the dev sets; Recall@1/@5 and how many were wrongly answered
  "no data", by style (diacritics, none, abbreviations, story). ``everyday_dev2.jsonl`` (220) and
  ``everyday_dev3.jsonl`` (250) were written the same way but are dev sets: the aliases were
  reviewed against their misses, and the ranking and the scope gate are fitted on them;
- ``everyday_blind4.jsonl`` (120, written 2026-11-28, tenth session, the same way): questions typed
  without diacritics but with one to three words marked ("… o đâu ạ", "cho em hỏi …"), as a phone
  keyboard or a polite particle leaves them;
- ``out_of_coverage_blind*.jsonl`` (held out, 125 + 160): questions about procedures the
  knowledge base does not hold, and non-administrative ones: share answered "no data", by kind
  and style;
- ``coverage_calibration*.jsonl`` (dev): the sets the coverage areas and the scope gate were
  fitted on (out-of-coverage questions answered "no data", in-KB questions wrongly rejected);
- ``usable_answers_blind*.jsonl``: usable first replies through the answer policy (the same
  checks as ``bench/eval_bot.py``, which asks the running bot).

    .venv/bin/python bench/eval_blind.py
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from indexer.answer_policy import answer_question
from indexer.evaluate import _rank, run_usable
from indexer.procedure_search import Retriever

DATA = Path(__file__).resolve().parent / "data"


def rows(name: str) -> list[dict]:
    path = DATA / name
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--show-known",
        action="store_true",
        help="print the out-of-coverage questions answered with a known name",
    )
    args = parser.parse_args()
    r = Retriever.load()
    for path in sorted(DATA.glob("everyday_*.jsonl")):
        by_style: dict[str, list[int]] = defaultdict(
            lambda: [0, 0, 0, 0, 0]
        )  # n, r1, r5, rejected by search, by reply
        for row in rows(path.name):
            res = r.search(row["q"], k=5)
            rank = _rank(row, res.hits)
            replied = answer_question(r, row["q"], response=res)
            for key in ("ALL", row.get("style", "?")):
                acc = by_style[key]
                acc[0] += 1
                acc[1] += rank is not None and rank < 1
                acc[2] += rank is not None and rank < 5
                acc[3] += res.no_match
                acc[4] += replied.no_match
        print(f"{path.stem:<28} {'n':>4} {'R@1':>6} {'R@5':>6} {'no data: search / reply':>24}")
        for key, (n, r1, r5, rej, said) in sorted(by_style.items()):
            print(f"  {key:<26} {n:>4} {r1 / n:>6.3f} {r5 / n:>6.3f} {rej / n:>15.3f} / {said / n:.3f}")
    # out of coverage: what the first reply says (a life event's list, a procedure, or "no data")
    for path in sorted(DATA.glob("out_of_coverage_blind*.jsonl")):
        kinds: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # n, search, reply, known named
        named: list[tuple[str, str]] = []
        for row in rows(path.name):
            res = r.search(row["q"], k=5)
            replied = answer_question(r, row["q"], response=res)
            for key in ("ALL", row["kind"], f"style={row.get('style', '?')}"):
                acc = kinds[key]
                acc[0] += 1
                acc[1] += res.no_match
                acc[2] += replied.no_match
                acc[3] += res.known is not None
            if res.known is not None:
                named.append((row["q"], res.known.procedure.title))
        for kind, (n, said, replied_no, known) in sorted(kinds.items()):
            print(
                f"{path.stem} {kind:<22} n={n:>4}  'no data': search {said / n:.3f}, first reply {replied_no / n:.3f}"
                f" (naming a procedure known by name only: {known})"
            )
        if args.show_known:
            for q, title in named:
                print(f"  {q[:70]} → {title[:70]}")
    for path in sorted(DATA.glob("coverage_calibration*.jsonl")):
        calib = rows(path.name)
        outside = [x for x in calib if not x["in_kb"]]
        inside = [x for x in calib if x["in_kb"]]
        said = sum(r.search(x["q"], k=5).no_match for x in outside) / len(outside)
        rejected = sum(r.search(x["q"], k=5).no_match for x in inside) / len(inside)
        print(
            f"{path.stem} (dev, fitted on): out-of-coverage 'no data' {said:.3f} (n={len(outside)}); "
            f"in-KB rejected {rejected:.3f} (n={len(inside)})"
        )
    for path in sorted(DATA.glob("usable_answers_blind*.jsonl")):
        shares, _ = run_usable(r, rows(path.name))
        print(f"{path.stem}: " + ", ".join(f"{k} {v:.3f}" for k, v in shares.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
