"""A minimal raw-record → schema mapping, for tests and development only.

The real importer is ``knowledge`` (``tthc kb import`` → ``knowledge.store``). Until it is
available (or to build a small, self-contained corpus in tests) this maps a few fields of the
raw crawl records onto :class:`knowledge.schema.Procedure` / :class:`Notice` without parsing
anything it is not sure of (no times, no fees).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from knowledge.schema import Document, Level, Notice, NoticeSection, Procedure

SHARED = Path(__file__).resolve().parents[3] / "shared"
RAW = SHARED / "data" / "raw"
_LEVELS = {"xã": Level.XA, "huyện": Level.HUYEN, "tỉnh": Level.TINH, "bộ": Level.BO}


def _levels(text: str) -> list[Level]:
    low = text.lower()
    out = [lv for key, lv in _LEVELS.items() if f"cấp {key}" in low]
    return out or ([Level.KHAC] if text.strip() else [])


def procedure_from_record(d: dict) -> Procedure:
    docs = []
    for part in re.split(r"(?:^|\s)- ", d.get("thanh_phan_ho_so", ""))[1:6]:
        name = re.split(r"\d+ bản (?:chính|sao)", part)[0].strip()
        if name:
            docs.append(Document(name=name[:300]))
    return Procedure(
        code=d["ma_thu_tuc"],
        title=d["ten_thu_tuc"],
        field=d.get("linh_vuc", ""),
        levels=_levels(d.get("cap_thuc_hien", "")),
        agency=d.get("co_quan_thuc_hien", "") if d.get("co_quan_thuc_hien") != "Không có thông tin" else "",
        documents=docs,
        source_url=d.get("detail_url", ""),
        source_dataset="dvc-chatbot-tthc",
        imported_at=dt.date(2026, 11, 23),
    )


def load_raw_procedures(limit: int | None = None, codes: set[str] | None = None) -> list[Procedure]:
    out: dict[str, Procedure] = {}
    for path in sorted((RAW / "dvc-chatbot-tthc" / "records").glob("*/*.json")):
        if codes is not None and path.stem not in codes:
            continue
        d = json.loads(path.read_text(encoding="utf-8"))
        if d.get("ma_thu_tuc") and d.get("ten_thu_tuc"):
            out.setdefault(d["ma_thu_tuc"], procedure_from_record(d))
        if limit and len(out) >= limit:
            break
    return list(out.values())


def load_seed_notices() -> list[Notice]:
    out = []
    for path in sorted((SHARED / "seeds").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        paras = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
        sections: list[NoticeSection] = [NoticeSection()]
        for p in paras:
            if re.match(r"^[IVX]+\.\s", p) and len(p) < 120:
                sections.append(NoticeSection(heading=p))
            else:
                sections[-1].paragraphs.append(p)
        m = re.search(r"Số:\s*([^\n]+)", text)
        out.append(
            Notice(
                id=path.stem,
                source_file=path.name,
                number=m.group(1).strip() if m else "",
                title=next((p for p in paras[:6] if p.isupper() and len(p) > 5), ""),
                sections=[s for s in sections if s.paragraphs or s.heading],
            )
        )
    return out
