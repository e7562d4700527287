"""Life-event recognition on the project's own blind set (``bench/data/life_events_blind.jsonl``:
100 questions written by a helper that never saw ``knowledge/life_events.yaml``; 80 describe
one of 20 events, 20 are ordinary questions that describe none).

Measured through the answer policy, as a citizen gets it: an event question is right when the
reply lists that event's procedures; an ordinary question is right when the reply is not an
event list. Printed by diacritics (with / without) and style.

    .venv/bin/python bench/eval_life_events.py [--show-misses]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from indexer.answer_policy import answer_question
from indexer.procedure_search import Retriever

DATA = Path(__file__).resolve().parent / "data" / "life_events_blind.jsonl"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show-misses", action="store_true", help="print the questions answered wrongly")
    args = parser.parse_args()
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    retriever = Retriever.load()
    groups: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    misses = []
    started = time.perf_counter()
    for row in rows:
        answer = answer_question(retriever, row["question"]).answer
        got = answer.code if answer.kind == "event" else "none"
        ok = got == row["event"]
        keys = ["ALL", "events" if row["event"] != "none" else "none (no event)"]
        if row["event"] != "none":
            keys.append("events, with diacritics" if row["diacritics"] else "events, without diacritics")
            keys.append(f"events, style {row['style']}")
        for key in keys:
            groups[key][0] += 1
            groups[key][1] += ok
        if not ok:
            misses.append((row["id"], row["event"], got, row["question"]))
    elapsed = time.perf_counter() - started
    print(f"{'life_events_blind':<34} {'n':>4} {'right':>7}")
    for key, (n, right) in groups.items():
        print(f"  {key:<32} {n:>4} {right / n:>7.3f}")
    print(f"  ({len(rows)} questions in {elapsed:.1f} s)")
    if args.show_misses:
        for miss in misses:
            print("  miss", *miss)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
