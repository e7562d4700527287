"""The dev sets asked through the running bot (Rasa REST webhook), one new conversation
per question, as a citizen would.

Procedure questions: is an acceptable code cited in the bot's first reply?
- "answered": the reply is an answer about that procedure (its code in the heading);
- "cited": the code appears anywhere in the first reply (also among the alternatives).
Notice questions: does the first reply contain every expected fact and cite the notice file?

The project's everyday sets (``bench/data/everyday_*.jsonl``) are asked the same way: the
blind ones are reported, never tuned on.

Usable first replies (sets with ``core``: ``shared/eval/dev_usable_answers.jsonl`` and the
project's own blind sets ``bench/data/usable_answers_blind*.jsonl``, reported separately): the
first reply answers directly with an acceptable code, names every core group in its first 12
lines, fits in 1,800 characters, writes levels with diacritics, and the follow-up "mất bao
lâu?" stays on the procedure (``indexer.evaluate.usable_checks``). The same first reply as
Messenger and Zalo would send it (``api/channels``): every message within the platform's
limit, the core groups in the first message's first 12 lines, Messenger quick replies within
13 and their titles within 20 characters.

    .venv/bin/python bench/eval_bot.py [--sets dev_procedures_citizen_style ...] [--errors]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.channels import messenger, zalo
from api.channels.formatting import from_rasa
from indexer.evaluate import (
    USABLE_CORE_LINES,
    USABLE_FOLLOW_UP,
    heading_code,
    load_sets,
    norm_fact,
    usable_checks,
)
from tthc.settings import get_settings
from tthc.stack.servers import start_bot

OWN_DATA = Path(__file__).resolve().parent / "data"


def first_reply(messages: list[dict]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


def _core_in_head(text: str, row: dict) -> bool:
    head = norm_fact("\n".join(text.splitlines()[:USABLE_CORE_LINES]))
    return all(any(norm_fact(s) in head for s in group) for group in row["core"])


def channel_checks(messages: list[dict], row: dict) -> dict[str, bool]:
    """The first reply as Messenger and Zalo send it."""
    replies = from_rasa(messages)
    send_api = messenger.to_send_api(replies)
    quick = [q for m in send_api for q in m.get("quick_replies", [])]
    texts = zalo.to_texts(replies)
    return {
        "messenger": bool(send_api)
        and all(len(m["text"]) <= 2000 for m in send_api)
        and _core_in_head(send_api[0]["text"], row)
        and len(quick) <= 13
        and all(len(q["title"]) <= 20 for q in quick),
        "zalo": bool(texts) and all(len(t) <= 2000 for t in texts) and _core_in_head(texts[0], row),
    }


def load_usable(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sets", nargs="*", help="set names (default: every dev set and the own blind set)")
    parser.add_argument("--errors", action="store_true", help="print the questions that missed")
    args = parser.parse_args()
    sets = load_sets(get_settings().eval_dir, own=False)
    for path in sorted(OWN_DATA.glob("usable_answers_blind*.jsonl")):
        sets[f"own:{path.stem}"] = load_usable(path)
    for path in sorted(OWN_DATA.glob("everyday_*.jsonl")):
        sets[f"own:{path.stem}"] = load_usable(path)
    if args.sets:
        sets = {name: rows for name, rows in sets.items() if name in args.sets}
    with tempfile.TemporaryDirectory() as tmp:
        bot = start_bot(Path(tmp))
        try:
            bot.say("warmup", "đăng ký khai sinh cần gì")
            totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
            usable: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
            misses: list[str] = []
            latencies: list[float] = []
            for name, rows in sets.items():
                for row in rows:
                    sender = f"eval-{uuid.uuid4().hex[:10]}"
                    t0 = time.perf_counter()
                    messages = bot.say(sender, row["q"])
                    latencies.append((time.perf_counter() - t0) * 1000)
                    reply = first_reply(messages)
                    t = totals[name]
                    t["n"] += 1
                    if "core" in row:
                        t0 = time.perf_counter()
                        follow = first_reply(bot.say(sender, USABLE_FOLLOW_UP))
                        latencies.append((time.perf_counter() - t0) * 1000)
                        checks = usable_checks(reply, follow, row) | channel_checks(messages, row)
                        for key, ok in checks.items():
                            usable[name][key] += ok
                        if not checks["usable"]:
                            failed = [k for k, v in checks.items() if not v]
                            misses.append(f"[{name}] {row['q']} fails {failed} → {reply[:200]!r}")
                    if "codes" in row:
                        t["answered"] += heading_code(reply) in row["codes"]
                        cited = any(code in reply for code in row["codes"])
                        t["cited"] += cited
                        if not cited:
                            misses.append(f"[{name}] {row['q']} → {reply[:120]!r}")
                    elif "sources" in row:
                        cites = any(source in reply for source in row.get("sources", []))
                        facts = row.get("facts") or []
                        has_facts = all(norm_fact(f) in norm_fact(reply) for f in facts)
                        t["notice_cited"] += cites
                        t["with_facts"] += bool(facts)
                        t["facts_ok"] += bool(facts) and has_facts
                        if not (cites and has_facts):
                            misses.append(f"[{name}] {row['q']} → {reply[:160]!r}")
        finally:
            bot.stop()
    print(f"{'set':<34} {'n':>4} {'answered':>9} {'cited':>7} {'notice':>7} {'facts':>7}")
    for name, t in totals.items():
        n = t["n"]
        if t["with_facts"] or t["notice_cited"]:
            facts = f"{t['facts_ok'] / t['with_facts']:.3f}" if t["with_facts"] else "-"
            print(f"{name:<34} {n:>4} {'-':>9} {'-':>7} {t['notice_cited'] / n:>7.3f} {facts:>7}")
        else:
            print(f"{name:<34} {n:>4} {t['answered'] / n:>9.3f} {t['cited'] / n:>7.3f} {'-':>7} {'-':>7}")
    for name, counts in usable.items():
        n = totals[name]["n"]
        print(
            f"usable first replies, {name} (n={n}): "
            + ", ".join(f"{k} {v / n:.3f}" for k, v in counts.items())
        )
    latencies.sort()
    print(
        f"turn latency: p50 {latencies[len(latencies) // 2]:.0f} ms, p95 {latencies[int(0.95 * (len(latencies) - 1))]:.0f} ms"
    )
    if args.errors:
        print("\n".join(misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
