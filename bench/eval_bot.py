"""The dev sets asked through the running bot (Rasa REST webhook), one new conversation
per question, as a citizen would.

Procedure questions: is an acceptable code cited in the bot's first reply?
- "answered": the reply is an answer about that procedure (its code in the heading);
- "cited": the code appears anywhere in the first reply (also inside a numbered choice).
Notice questions: does the first reply contain every expected fact and cite the notice file?

Targets (dialogue issue): right procedure cited in the first answer ≥ 85 %; all expected
facts for ≥ 90 % of notice questions.

    .venv/bin/python bench/eval_bot.py [--sets dev_procedures_citizen_style ...] [--errors]
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from indexer.evaluate import load_sets, norm_fact
from tests.e2e.servers import start_bot
from tthc.settings import get_settings

_HEADING_CODE = re.compile(r"\(mã ([0-9A-Za-z.\-]+)\)")


def first_reply(messages: list[dict]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sets", nargs="*", help="set names (default: every dev set with codes/sources)")
    parser.add_argument("--errors", action="store_true", help="print the questions that missed")
    args = parser.parse_args()
    sets = load_sets(get_settings().eval_dir, own=False)
    if args.sets:
        sets = {name: rows for name, rows in sets.items() if name in args.sets}
    with tempfile.TemporaryDirectory() as tmp:
        bot = start_bot(Path(tmp))
        try:
            bot.say("warmup", "đăng ký khai sinh cần gì")
            totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
            misses: list[str] = []
            latencies: list[float] = []
            for name, rows in sets.items():
                for row in rows:
                    t0 = time.perf_counter()
                    reply = first_reply(bot.say(f"eval-{uuid.uuid4().hex[:10]}", row["q"]))
                    latencies.append((time.perf_counter() - t0) * 1000)
                    t = totals[name]
                    t["n"] += 1
                    if "codes" in row:
                        heading = _HEADING_CODE.search(reply.splitlines()[0] if reply else "")
                        answered = bool(heading and heading.group(1) in row["codes"])
                        cited = any(code in reply for code in row["codes"])
                        t["answered"] += answered
                        t["cited"] += cited
                        if not cited:
                            misses.append(f"[{name}] {row['q']} → {reply[:120]!r}")
                    else:
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
    latencies.sort()
    print(
        f"turn latency: p50 {latencies[len(latencies) // 2]:.0f} ms, p95 {latencies[int(0.95 * (len(latencies) - 1))]:.0f} ms"
    )
    if args.errors:
        print("\n".join(misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
