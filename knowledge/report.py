"""Parse-quality report (``tthc kb report``): per field, clean / flagged-raw / missing."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from knowledge.freshness import check
from knowledge.importer.common import RECOVERED_UNIT_NOTE
from knowledge.importer.document_roles import is_form
from knowledge.importer.dvc_chatbot import UNIT_LOST
from knowledge.schema import DocumentRole, Procedure, StaleRule, TimeUnit

CLEAN, FLAGGED, MISSING = "clean", "flagged", "missing"
FIELDS = (
    "channels",
    "time",
    "fees",
    "documents",
    "legal_bases",
    "steps",
    "result",
    "agency",
    "levels",
    "field",
    "applicants",
    "conditions",
)
CORE = ("channels", "time", "fees", "documents")


def _has_value(p: Procedure, name: str) -> bool:
    if name == "time":
        return bool(p.channels) and all(
            ch.time is not None and (ch.time.value is not None or ch.time.text) for ch in p.channels
        )
    if name == "fees":
        return bool(p.channels) and all(ch.fees for ch in p.channels)
    return bool(getattr(p, name))


def status(p: Procedure, name: str) -> str:
    flagged = {f.field for f in p.flags}
    if name in flagged or (name in p.raw and name not in ("channels",)):
        return FLAGGED
    if name == "time" and any(
        ch.time is not None and ch.time.value is not None and ch.time.unit is TimeUnit.UNKNOWN
        for ch in p.channels
    ):
        return FLAGGED
    return CLEAN if _has_value(p, name) else MISSING


def core_clean(p: Procedure) -> bool:
    """Clean documents list, and time and fee for every channel."""
    return all(status(p, f) == CLEAN for f in CORE)


SOURCE_GAPS = {UNIT_LOST}


def core_parsed(p: Procedure) -> bool:
    """No parse problem in the core fields: only gaps of the source itself (a time unit the crawl lost,
    a cell saying "Không có thông tin") keep the record from being clean."""
    return not any(f.field in CORE and f.problem not in SOURCE_GAPS for f in p.flags)


def badness(p: Procedure) -> tuple[int, int]:
    st = [status(p, f) for f in FIELDS]
    core = [status(p, f) for f in CORE]
    return (sum(s != CLEAN for s in core) * 10 + st.count(FLAGGED) * 2 + st.count(MISSING), len(p.flags))


@dataclass
class Report:
    total: int = 0
    by_dataset: Counter = field(default_factory=Counter)
    counts: dict[str, Counter] = field(default_factory=dict)
    core_clean: int = 0
    core_clean_by_dataset: Counter = field(default_factory=Counter)
    core_parsed: int = 0
    unit_lost: int = 0  # bare number; neither the cell nor the page text states its unit
    unit_recovered: int = 0  # bare number whose unit the page text states
    time_failed: int = 0  # a time cell we could not parse
    fee_failed: int = 0  # a fee cell we could not parse
    fee_no_info: int = 0
    time_no_info: int = 0
    time_units: Counter = field(default_factory=Counter)
    fee_kinds: Counter = field(default_factory=Counter)
    flag_problems: Counter = field(default_factory=Counter)
    roles: Counter = field(default_factory=Counter)  # document rows per role
    with_ordinary: int = 0  # records with at least one document to submit or show in the ordinary case
    by_situation: int = 0  # records whose dossier depends on the situation (conditional rows only)
    with_forms_first: int = 0  # records whose first ordinary row is a form the citizen fills in
    stale: Counter = field(default_factory=Counter)  # records per freshness rule (knowledge/freshness.yaml)
    stale_records: int = 0  # records matching at least one freshness rule
    worst: list[tuple[Procedure, list[str]]] = field(default_factory=list)


def build_report(procs: list[Procedure], worst: int = 10, stale_rules: Sequence[StaleRule] = ()) -> Report:
    r = Report(total=len(procs))
    r.counts = {f: Counter() for f in FIELDS}
    freshness = check(stale_rules)
    for p in procs:
        matched = freshness.stale(p)
        r.stale_records += bool(matched)
        r.stale.update(rule.id for rule in matched)
        r.by_dataset[p.source_dataset] += 1
        for f in FIELDS:
            r.counts[f][status(p, f)] += 1
        if core_clean(p):
            r.core_clean += 1
            r.core_clean_by_dataset[p.source_dataset] += 1
        r.core_parsed += core_parsed(p)
        r.unit_lost += any(f.problem in SOURCE_GAPS for f in p.flags)
        r.unit_recovered += any(ch.time and RECOVERED_UNIT_NOTE in ch.time.text for ch in p.channels)
        fee_failed = any(f.field == "fees" for f in p.flags)
        r.fee_failed += fee_failed
        r.fee_no_info += bool(p.channels) and any(not ch.fees for ch in p.channels) and not fee_failed
        time_failed = any(f.field == "time" and f.problem not in SOURCE_GAPS for f in p.flags)
        r.time_failed += time_failed
        r.time_no_info += bool(p.channels) and any(ch.time is None for ch in p.channels) and not time_failed
        for ch in p.channels:
            r.time_units[ch.time.unit.value if ch.time and ch.time.value is not None else "(no number)"] += 1
            for fee in ch.fees:
                r.fee_kinds[fee.kind.value] += 1
        for doc in p.documents:
            r.roles[doc.role.value] += 1
        ordinary = [d for d in p.documents if d.role in (DocumentRole.SUBMIT, DocumentRole.SHOW)]
        r.with_ordinary += bool(ordinary)
        r.by_situation += (
            bool(p.documents)
            and not ordinary
            and any(d.role is DocumentRole.CONDITIONAL for d in p.documents)
        )
        r.with_forms_first += bool(ordinary) and is_form(ordinary[0])
        for fl in p.flags:
            r.flag_problems[
                f"{fl.field}: {fl.problem.split(':')[0] if fl.field == 'documents' else fl.problem}"
            ] += 1
    ranked = sorted(procs, key=badness, reverse=True)[:worst]
    r.worst = [(p, [f"{f}={status(p, f)}" for f in FIELDS if status(p, f) != CLEAN]) for p in ranked]
    return r


def _pct(n: int, total: int) -> str:
    return f"{100.0 * n / total:5.1f} %" if total else "  n/a"


def format_report(r: Report, worst: int = 10) -> str:
    lines = [f"Thủ tục: {r.total}  ({', '.join(f'{k} {v}' for k, v in sorted(r.by_dataset.items()))})", ""]
    lines.append(f"{'field':<12} {'clean':>14} {'flagged-raw':>14} {'missing':>14}")
    for f in FIELDS:
        c = r.counts[f]
        lines.append(
            f"{f:<12} {c[CLEAN]:>6} {_pct(c[CLEAN], r.total)} {c[FLAGGED]:>6} {_pct(c[FLAGGED], r.total)} "
            f"{c[MISSING]:>6} {_pct(c[MISSING], r.total)}"
        )
    lines.append("")
    lines.append(
        f"Clean documents list + time + fee for every channel: {r.core_clean}/{r.total} = "
        f"{_pct(r.core_clean, r.total).strip()}"
    )
    for ds, n in sorted(r.by_dataset.items()):
        lines.append(
            f"  {ds}: {r.core_clean_by_dataset[ds]}/{n} = {_pct(r.core_clean_by_dataset[ds], n).strip()}"
        )
    lines.append("Why not clean, records per cause:")
    lines.append("  the source does not state it:")
    lines.append(f"    time: a number without unit, and the page text states none: {r.unit_lost}")
    lines.append(f"    time: a channel whose cell says 'Không có thông tin': {r.time_no_info}")
    lines.append(f"    fee: a channel whose cell says 'Không có thông tin': {r.fee_no_info}")
    lines.append("  we failed to parse it:")
    lines.append(f"    time: {r.time_failed}; fee: {r.fee_failed} (causes under Flags)")
    lines.append(f"Time unit recovered from the record's own page text: {r.unit_recovered} records")
    lines.append(
        f"Core fields without any parse problem (source gaps aside): {r.core_parsed}/{r.total} = "
        f"{_pct(r.core_parsed, r.total).strip()}"
    )
    lines.append("")
    with_docs = r.counts["documents"][CLEAN] + r.counts["documents"][FLAGGED]
    lines.append(
        "Document rows by role: " + ", ".join(f"{role.value} {r.roles[role.value]}" for role in DocumentRole)
    )
    lines.append(
        f"Records with documents: {with_docs}; with an ordinary-case list: {r.with_ordinary} "
        f"(a form first: {r.with_forms_first}); whose dossier depends on the situation: {r.by_situation}"
    )
    lines.append("")
    lines.append(
        f"Records naming bodies or levels that no longer exist (knowledge/freshness.yaml): {r.stale_records}"
        + (" — " + ", ".join(f"{k} {v}" for k, v in r.stale.most_common()) if r.stale else "")
    )
    lines.append("")
    lines.append("Time units per channel: " + ", ".join(f"{k} {v}" for k, v in r.time_units.most_common()))
    lines.append("Fee kinds per channel: " + ", ".join(f"{k} {v}" for k, v in r.fee_kinds.most_common()))
    lines.append("")
    lines.append("Flags:")
    for k, v in r.flag_problems.most_common(15):
        lines.append(f"  {v:>5}  {k}")
    lines.append("")
    lines.append(f"{worst} worst records:")
    for p, problems in r.worst[:worst]:
        lines.append(f"  {p.code:<10} {p.source_dataset:<18} {p.title[:60]}")
        lines.append(f"             {', '.join(problems)}; flags: {len(p.flags)}")
    return "\n".join(lines)
