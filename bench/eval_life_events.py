"""Life-event recognition on the project's own sets, each written by a helper that never saw
``knowledge/life_events.yaml``: ``life_events_blind.jsonl`` (100 questions: 80 describe one
of 20 events, 20 describe none; reported, never tuned on) and ``life_events_dev.jsonl`` (150:
120 events, 30 none; the phrases were reviewed against its misses).

Three figures: *recognised* (the matcher names the right event; "none" for an ordinary
question), *event list* (through the answer policy, as a citizen gets it: the reply lists that
event's procedures; an ordinary question gets no event list) and *list or link* (the reply
lists the event, or answers the procedure the message asks a part of — "bé mới đẻ, làm giấy
khai sinh ở đâu" — with the event's list one tap away). By diacritics and style; the questions
written with diacritics are also asked with their marks removed (same words, same style), which
separates what the marks cost from what the chat style of unaccented questions costs.
``life_events_blind5.jsonl`` (220, held out) pairs each message with the same writer's own
version typed without diacritics (shortcuts such as "ko", "dc" included): the natural measure
of what typing without marks costs.

    .venv/bin/python bench/eval_life_events.py [--set dev] [--show-misses]
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
from indexer.life_event_answer import EVENT_PAYLOAD
from indexer.life_events import default_matcher
from indexer.procedure_search import Retriever
from indexer.text.train import strip_diacritics

DATA = Path(__file__).resolve().parent / "data"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--set",
        choices=sorted(f.stem.removeprefix("life_events_") for f in DATA.glob("life_events_*.jsonl")),
        default="blind",
        help="which set (default blind)",
    )
    parser.add_argument("--show-misses", action="store_true", help="print the questions answered wrongly")
    args = parser.parse_args()
    path = DATA / f"life_events_{args.set}.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    retriever = Retriever.load()
    matcher = default_matcher()
    groups: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # n, recognised, list, list or link
    misses = []
    started = time.perf_counter()

    def judge(question: str, expected: str) -> tuple[bool, bool, bool, object]:
        answer = answer_question(retriever, question).answer
        forms = retriever.search(question, k=1).forms
        match = matcher.match(question, [forms.normalized] if forms else [])
        recognised = (match.event.id if match else "none") == expected
        listed = (answer.code if answer.kind == "event" else "none") == expected
        linked = any(b.payload == f"{EVENT_PAYLOAD}{expected}" for b in answer.buttons)
        return recognised, listed, listed or linked, answer

    for row in rows:
        row["event"] = row["event"] or "none"  # some sets write an ordinary question's event as null
        event = matcher.get(row["event"])
        recognised, listed, served, answer = judge(row["question"], row["event"])
        keys = ["ALL", "events" if event else "none (no event)"]
        if event:
            keys.append("events, with diacritics" if row["diacritics"] else "events, without diacritics")
            keys.append(f"events, style {row['style']}")
        for key in keys:
            acc = groups[key]
            acc[0] += 1
            acc[1] += recognised
            acc[2] += listed
            acc[3] += served
        if event and row["diacritics"]:
            # the same message with its marks removed: the diacritics alone, without the change of
            # style that comes with questions written without them
            acc = groups["events, with diacritics, marks removed"]
            for i, value in enumerate((1, *judge(strip_diacritics(row["question"]), row["event"])[:3])):
                acc[i] += value
        if not listed and not (row["event"] == "none" and recognised):
            misses.append((row["id"], row["event"], answer.kind, answer.code, row["question"]))
    elapsed = time.perf_counter() - started
    print(f"{path.stem:<41} {'n':>4} {'recognised':>11} {'event list':>11} {'list or link':>13}")
    for key, (n, recognised, listed, served) in sorted(groups.items()):
        print(f"  {key:<39} {n:>4} {recognised / n:>11.3f} {listed / n:>11.3f} {served / n:>13.3f}")
    print(f"  ({len(rows)} questions in {elapsed:.1f} s)")
    if args.show_misses:
        for miss in misses:
            print("  miss", *miss)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
