"""Run every importer and write the knowledge base files (``tthc kb import``)."""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.importer import bqp, dvc_chatbot, notices, portal_api
from knowledge.importer.common import LEVEL_QUALIFIER, dump_yaml, norm_title, slug, write_text
from knowledge.importer.document_roles import assign_roles
from knowledge.schema import Notice, Procedure
from knowledge.store import NOTICES, PROCEDURES, render_notice

BQP_GROUP = "bo-quoc-phong"


@dataclass
class ImportResult:
    procedures: dict[str, int] = field(default_factory=dict)  # dataset -> count
    notices: int = 0
    written: int = 0
    removed: int = 0
    replaced: list[str] = field(default_factory=list)  # codes present in several sources
    seconds: float = 0.0


def level_free_title(title: str) -> str:
    """The title without a level qualifier, normalised: the key of one procedure across levels."""
    return norm_title(LEVEL_QUALIFIER.sub(" ", title))


def link_same_as(procs: list[Procedure]) -> None:
    """Procedures with the same normalised title (level qualifiers such as "(thực hiện tại cấp tỉnh)"
    removed) and the same field (lĩnh vực) but different codes point to each other: the same procedure
    published at xã / tỉnh / bộ level. The field is part of the key: "Gia hạn nộp thuế" exists both under
    Thuế and Hải quan, which are different procedures."""
    groups: dict[tuple[str, str], list[Procedure]] = defaultdict(list)
    for p in procs:
        groups[(level_free_title(p.title), norm_title(p.field))].append(p)
    for group in groups.values():
        codes = sorted({p.code for p in group})
        for p in group:
            p.same_as = [c for c in codes if c != p.code]


def finish(p: Procedure) -> Procedure:
    """What every source's record gets after parsing: each dossier row's role, in reading order."""
    p.documents = assign_roles(p.documents, p.title)
    return p


def procedure_yaml(p: Procedure) -> str:
    data = p.model_dump(mode="json", exclude_defaults=True)
    data = {"code": p.code, "title": p.title, **data}
    # an unknown unit is information for the reader of the file: always write it
    for ch, out in zip(p.channels, data.get("channels", []), strict=True):
        if ch.time is not None and "time" in out:
            out["time"] = {"value": ch.time.value, "unit": ch.time.unit.value, "text": ch.time.text}
    # so is every row's role, the ordinary one (submit) included
    for doc, out in zip(p.documents, data.get("documents", []), strict=True):
        out["role"] = doc.role.value
    return dump_yaml(data)


def run(
    raw_dir: Path, seeds_dir: Path, knowledge_dir: Path, progress=None, today: dt.date | None = None
) -> ImportResult:
    """Parse all sources and (re)write ``knowledge_dir``. ``progress(iterable, total, desc)`` wraps loops."""
    t0 = time.perf_counter()
    today = today or dt.date.today()
    wrap = progress or (lambda it, total=None, desc=None: it)
    res = ImportResult()
    by_code: dict[str, tuple[str, Procedure]] = {}

    def add(group: str, proc: Procedure) -> None:
        if proc.code in by_code:
            res.replaced.append(
                f"{proc.code}: {by_code[proc.code][1].source_dataset} -> {proc.source_dataset}"
            )
        by_code[proc.code] = (group, proc)
        res.procedures[proc.source_dataset] = res.procedures.get(proc.source_dataset, 0) + 1

    dvc_files = dvc_chatbot.iter_files(raw_dir)
    for group, path in wrap(dvc_files, total=len(dvc_files), desc="dvc-chatbot-tthc"):
        add(group, dvc_chatbot.load(path, today))
    bqp_files = bqp.iter_files(raw_dir)
    for path in wrap(bqp_files, total=len(bqp_files), desc="bqp-nhdandz"):
        add(BQP_GROUP, bqp.load(path, today))
    # The portal's structured API records are the most faithful: they replace a crawled copy of the same code.
    for path in portal_api.iter_files(raw_dir):
        proc, ministry = portal_api.load(path, today)
        add(slug(ministry) or "khac", proc)

    procs = [p for _, p in by_code.values()]
    link_same_as(procs)
    for p in procs:
        finish(p)

    written: set[Path] = set()
    proc_dir = knowledge_dir / PROCEDURES
    for group, proc in wrap(list(by_code.values()), total=len(by_code), desc="write"):
        path = proc_dir / group / f"{proc.code}.yaml"
        written.add(path)
        res.written += write_text(path, procedure_yaml(proc))
    for old in proc_dir.glob("*/*.yaml"):
        if old not in written:
            old.unlink()
            res.removed += 1

    notice_dir = knowledge_dir / NOTICES
    notice_written: set[Path] = set()
    for src in sorted(seeds_dir.glob("*.txt")):
        notice: Notice = notices.parse_file(src)
        path = notice_dir / f"{notice.id}.md"
        notice_written.add(path)
        res.written += write_text(path, render_notice(notice))
        res.notices += 1
    if seeds_dir.is_dir():
        for old in notice_dir.glob("*.md"):
            if old not in notice_written:
                old.unlink()
                res.removed += 1
    # drop per-procedure counts of records replaced by another source
    res.procedures = {}
    for _, p in by_code.values():
        res.procedures[p.source_dataset] = res.procedures.get(p.source_dataset, 0) + 1
    res.seconds = time.perf_counter() - t0
    return res
