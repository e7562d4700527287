"""Audit of the time units the crawl lost: does any page state what we did not recover?

For every record of ``dvc-chatbot-tthc`` still flagged "number without unit", search its raw page
(``../shared``) far more loosely than the importer does: the same number followed by a time unit
anywhere, dates ("ngày 01 tháng 6 năm 2021") left out. Each hit is printed with its context for a
person to judge; the importer's rule (``common.recover_unit``) takes only statements of the time
limit. Prints how many flagged records have no such mention at all.

    .venv/bin/python bench/audit_time_units.py [--all]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from knowledge.report import SOURCE_GAPS
from knowledge.schema import TimeUnit
from knowledge.store import load_procedures
from tthc.settings import get_settings

_UNIT = r"(ngày làm việc|ngày|giờ làm việc|giờ|tháng|năm)(?![a-zà-ỹ])"
_DATE = re.compile(r"ngày\s*$|tháng\s*$", re.IGNORECASE)  # "ngày 01 tháng", "tháng 6 năm"


def mentions(text: str, value: int) -> list[str]:
    out = []
    for m in re.finditer(rf"(?<![\d.,/])0*{value}\s*(?:\([^)]{{1,20}}\)\s*)?{_UNIT}", text, re.IGNORECASE):
        before = text[max(0, m.start() - 12) : m.start()]
        if _DATE.search(before) or (
            m.group(1).lower() in ("tháng", "năm") and re.match(r"\s*\d", text[m.end() :])
        ):
            continue
        out.append(text[max(0, m.start() - 90) : m.end() + 30].replace("\n", " "))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="print every context, not the first per record")
    args = parser.parse_args()
    records = get_settings().raw_data_dir / "dvc-chatbot-tthc" / "records"
    if not records.is_dir():
        print(f"Không thấy dữ liệu thô ở {records} (đặt TTHC_SHARED_DIR)", file=sys.stderr)
        return 1
    raw = {p.stem: p for p in records.glob("*/*.json")}
    flagged = [p for p in load_procedures() if any(f.problem in SOURCE_GAPS for f in p.flags)]
    silent = 0
    for p in flagged:
        page = json.loads(raw[p.code].read_text(encoding="utf-8"))["raw_text"]
        values = {
            int(ch.time.value)
            for ch in p.channels
            if ch.time and ch.time.value is not None and ch.time.unit is TimeUnit.UNKNOWN
        }
        hits = [h for v in sorted(values) for h in mentions(page, v)]
        if not hits:
            silent += 1
            continue
        print(f"{p.code} {p.title[:70]} (bare {sorted(values)})")
        for h in hits if args.all else hits[:1]:
            print(f"    … {h}")
    print(f"\nRecords with a time unit lost by the crawl: {len(flagged)}")
    print(f"  their page never mentions the number with a unit: {silent}")
    print(f"  their page mentions it (printed above, to judge): {len(flagged) - silent}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
