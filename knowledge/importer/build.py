"""Run every registered source (:mod:`knowledge.importer.registry`) and write the knowledge base
files (``tthc kb import``), or merge a folder of the portal's official exports into them
(``tthc kb import --exports DIR``).

One record per procedure code: when two sources hold the same code, the newer source (its
``source_date``) wins and the other is kept in ``knowledge/history/<code>/<dataset>.yaml``."""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.importer import notices, portal_export, procedure_lists, registry
from knowledge.importer.common import LEVEL_QUALIFIER, dump_yaml, norm_title, write_text
from knowledge.importer.document_roles import assign_roles
from knowledge.schema import KnownProcedure, Notice, Procedure
from knowledge.store import (
    KNOWN_PROCEDURES,
    NOTICES,
    PROCEDURES,
    load_known_procedures,
    load_procedure_file,
    procedure_files,
    render_notice,
)

HISTORY = "history"


@dataclass
class ImportResult:
    procedures: dict[str, int] = field(default_factory=dict)  # dataset -> count
    notices: int = 0
    written: int = 0
    removed: int = 0
    replaced: list[str] = field(default_factory=list)  # codes present in several sources
    seconds: float = 0.0
    added: int = 0  # merge: codes new to the knowledge base
    kept_older: list[str] = field(default_factory=list)  # merge: exports older than the record held
    known: int = 0  # listed procedures known by name only (knowledge/known_procedures.yaml)


def _content(p: Procedure) -> dict:
    """What a record says, as written (roles given; the import date and level links aside)."""
    return finish(p).model_dump(mode="json", exclude={"imported_at", "same_as"})


class Records:
    """The records being written, one per code, by group folder; the losing record of a
    shared code goes to history (newer ``source_date`` wins; on a tie, the later source)."""

    def __init__(self) -> None:
        self.by_code: dict[str, tuple[str, Procedure]] = {}
        self.history: list[Procedure] = []
        self.replaced: list[str] = []

    def add(self, group: str, proc: Procedure) -> bool:
        """Keep ``proc`` unless the record held for its code comes from a newer source."""
        held = self.by_code.get(proc.code)
        if held is None:
            self.by_code[proc.code] = (group, proc)
            return True
        old_group, old = held
        newer = (proc.source_date or dt.date.min) >= (old.source_date or dt.date.min)
        winner, loser = (proc, old) if newer else (old, proc)
        self.by_code[proc.code] = (old_group, winner)  # a code keeps its folder
        if _content(loser) != _content(winner):  # the same record again is no history
            self.history.append(loser)
            self.replaced.append(f"{proc.code}: {loser.source_dataset} -> {winner.source_dataset}")
        return newer

    def procedures(self) -> list[Procedure]:
        return [p for _, p in self.by_code.values()]


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
    """Parse every registered source and (re)write ``knowledge_dir``. ``progress(iterable, total,
    desc)`` wraps loops."""
    t0 = time.perf_counter()
    today = today or dt.date.today()
    wrap = progress or (lambda it, total=None, desc=None: it)
    res = ImportResult()
    records = Records()
    for importer in registry.SOURCES:
        items = importer.iter_sources(raw_dir)
        for item in wrap(items, total=len(items), desc=importer.dataset):
            proc = importer.load_dated(item, today)
            records.add(importer.group_of(item, proc), proc)
    res.replaced = records.replaced
    res.written, res.removed = write_records(records, knowledge_dir, wrap)
    listed: list[KnownProcedure] = []
    read: set[str] = set()
    for source in registry.LISTS:
        entries = source.read(raw_dir)
        if entries is not None:
            listed += entries
            read.add(source.dataset)
    # a list whose input is not here keeps the entries it gave before
    listed += [k for k in load_known_procedures(knowledge_dir) if k.source_dataset not in read]
    res.known, written = write_known(listed, set(records.by_code), knowledge_dir)
    res.written += written

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
    res.procedures = _by_dataset(records.procedures())
    res.seconds = time.perf_counter() - t0
    return res


def _by_dataset(procs: list[Procedure]) -> dict[str, int]:
    out: dict[str, int] = {}
    for p in procs:
        out[p.source_dataset] = out.get(p.source_dataset, 0) + 1
    return out


def write_records(records: Records, knowledge_dir: Path, wrap=None) -> tuple[int, int]:
    """Link levels, give every row its role, write one file per record (and the history);
    remove files of codes no longer held. Returns (files written or changed, files removed)."""
    wrap = wrap or (lambda it, total=None, desc=None: it)
    procs = records.procedures()
    link_same_as(procs)
    for p in procs:
        finish(p)
    written_paths: set[Path] = set()
    written = removed = 0
    proc_dir = knowledge_dir / PROCEDURES
    for group, proc in wrap(list(records.by_code.values()), total=len(records.by_code), desc="write"):
        path = proc_dir / group / f"{proc.code}.yaml"
        written_paths.add(path)
        written += write_text(path, procedure_yaml(proc))
    for old in records.history:
        path = knowledge_dir / HISTORY / old.code / f"{old.source_dataset}.yaml"
        written_paths.add(path)
        written += write_text(path, procedure_yaml(finish(old)))
    for old in [*proc_dir.glob("*/*.yaml"), *(knowledge_dir / HISTORY).glob("*/*.yaml")]:
        if old not in written_paths:
            old.unlink()
            removed += 1
    return written, removed


def write_known(listed: list, held: set[str], knowledge_dir: Path) -> tuple[int, int]:
    """``knowledge/known_procedures.yaml``: the listed procedures not held in detail. Returns (entries,
    files written)."""
    known = procedure_lists.known_only(listed, held)
    return len(known), write_text(knowledge_dir / KNOWN_PROCEDURES, procedure_lists.known_yaml(known))


def merge_exports(
    folder: Path, knowledge_dir: Path, progress=None, today: dt.date | None = None
) -> ImportResult:
    """Merge a folder of the portal's official exports (PDF, DOCX) into ``knowledge_dir`` by
    procedure code: the newer source wins (an export without a date counts as of its file's
    date), the other is kept in history. What an office runs on its own downloaded list."""
    t0 = time.perf_counter()
    today = today or dt.date.today()
    wrap = progress or (lambda it, total=None, desc=None: it)
    res = ImportResult()
    records = Records()
    for path in procedure_files(knowledge_dir):
        records.add(path.parent.name, load_procedure_file(path))
    for old in (knowledge_dir / HISTORY).glob("*/*.yaml"):
        records.history.append(load_procedure_file(old))
    exports = portal_export.PortalExport()
    items = exports.sources_in(folder, dated_by_file=True)
    for item in wrap(items, total=len(items), desc=exports.dataset):
        proc = exports.load_dated(item, today)
        known = proc.code in records.by_code
        if not records.add(exports.group_of(item, proc), proc):
            res.kept_older.append(f"{proc.code}: {item.path.name}")
        res.added += not known
        res.procedures[proc.source_dataset] = res.procedures.get(proc.source_dataset, 0) + 1
    res.replaced = records.replaced
    res.written, res.removed = write_records(records, knowledge_dir, wrap)
    # the office's list spreadsheets: names it publishes whose detail exports are not in the folder
    listed = [*load_known_procedures(knowledge_dir), *procedure_lists.load_list_folder(folder)]
    res.known, written = write_known(listed, set(records.by_code), knowledge_dir)
    res.written += written
    res.seconds = time.perf_counter() - t0
    return res
