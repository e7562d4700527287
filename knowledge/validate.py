"""Validation of every knowledge file against the schema (``tthc kb validate``)."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from knowledge import store
from knowledge.schema import Notice, Procedure


def _errors(rel: str, exc: ValidationError) -> list[str]:
    out = []
    for e in exc.errors():
        loc = ".".join(str(x) for x in e["loc"]) or "(record)"
        out.append(f"{rel}: {loc}: {e['msg']}")
    return out


def _alias_errors(knowledge_dir: Path, procs: dict[str, tuple[str, Procedure]]) -> list[str]:
    """Alias files: valid entries, known codes, "record" names found in the record, no name twice."""
    from knowledge.importer.common import fold_text

    errors: list[str] = []
    seen: dict[str, str] = {}
    for path in store.alias_files(knowledge_dir):
        rel = path.relative_to(knowledge_dir).as_posix()
        try:
            entries = store.read_alias_file(path)
        except (ValueError, yaml.YAMLError) as exc:
            errors += (
                _errors(rel, exc)
                if isinstance(exc, ValidationError)
                else [f"{rel}: {str(exc).splitlines()[0]}"]
            )
            continue
        for i, entry in enumerate(entries):
            where = f"{rel}: [{i}] {entry.title[:40]}"
            for code in entry.codes:
                if code not in procs:
                    errors.append(f"{where}: codes: unknown code {code!r}")
            record_text = " ".join(
                fold_text(procs[c][1].model_dump_json()) for c in entry.codes if c in procs
            )
            for name in entry.names:
                key = fold_text(name.text)
                if name.source.value == "record" and key not in record_text:
                    errors.append(
                        f"{where}: names: {name.text!r} is marked 'record' but the record does not say it"
                    )
                if key in seen and seen[key] != where:
                    errors.append(f"{where}: names: {name.text!r} also names {seen[key]}")
                seen.setdefault(key, where)
    return errors


def _load_list(rel: str, load, knowledge_dir: Path) -> tuple[list, list[str]]:
    """(entries, []) of a knowledge file that is a list, or ([], the reasons it does not load)."""
    try:
        return load(knowledge_dir), []
    except ValidationError as exc:
        return [], _errors(rel, exc)
    except (ValueError, yaml.YAMLError) as exc:
        return [], [f"{rel}: {str(exc).splitlines()[0]}"]


def _life_event_errors(knowledge_dir: Path, procs: dict[str, tuple[str, Procedure]]) -> list[str]:
    """Life events: valid entries, unique ids, known codes, and every deadline quoted from the
    step's record (its words, compared without diacritics and spacing)."""
    from knowledge.importer.common import fold_text

    rel = store.LIFE_EVENTS
    events, errors = _load_list(rel, store.load_life_events, knowledge_dir)
    ids: set[str] = set()
    squash = lambda text: " ".join(fold_text(text).split())  # noqa: E731
    for event in events:
        where = f"{rel}: {event.id}"
        if event.id in ids:
            errors.append(f"{where}: id: duplicate")
        ids.add(event.id)
        for code in [s.code for s in event.steps] + event.combined:
            if code not in procs:
                errors.append(f"{where}: unknown code {code!r}")
        for step in event.steps:
            if step.deadline_quote and step.code in procs:
                record = squash(procs[step.code][1].model_dump_json().replace("\\n", " "))
                if squash(step.deadline_quote) not in record:
                    errors.append(f"{where}: {step.code}: deadline_quote is not in the record")
    return errors


def _known_errors(knowledge_dir: Path, procs: dict) -> list[str]:
    """Procedures known by name only: valid entries, one per code, none also held in detail."""
    rel = store.KNOWN_PROCEDURES
    known, errors = _load_list(rel, store.load_known_procedures, knowledge_dir)
    seen: set[str] = set()
    for entry in known:
        if entry.code in seen:
            errors.append(f"{rel}: {entry.code}: duplicate")
        if entry.code in procs:
            errors.append(f"{rel}: {entry.code}: held in detail in {procs[entry.code][0]}")
        seen.add(entry.code)
    return errors


def validate_dir(knowledge_dir: Path) -> tuple[list[str], int, int]:
    """Returns (errors as 'file: field: problem', number of procedure files, number of notice files)."""
    errors: list[str] = []
    codes: dict[str, str] = {}
    procs: list[tuple[str, Procedure]] = []
    pfiles = store.procedure_files(knowledge_dir)
    for path in pfiles:
        rel = path.relative_to(knowledge_dir).as_posix()
        try:
            data = store.read_procedure_data(path)
        except yaml.YAMLError as exc:
            errors.append(f"{rel}: (yaml): {str(exc).splitlines()[0]}")
            continue
        if not isinstance(data, dict):
            errors.append(f"{rel}: (record): not a mapping")
            continue
        for i, doc in enumerate(data.get("documents") or []):
            if isinstance(doc, dict) and "role" not in doc:
                errors.append(f"{rel}: documents.{i}.role: missing (submit, show, conditional or note)")
        try:
            p = Procedure.model_validate(data)
        except ValidationError as exc:
            errors += _errors(rel, exc)
            continue
        if path.stem != p.code:
            errors.append(f"{rel}: code: file name {path.stem!r} differs from code {p.code!r}")
        if p.code in codes:
            errors.append(f"{rel}: code: duplicate of {codes[p.code]}")
        codes[p.code] = rel
        if not (p.source_url or p.source_dataset):
            errors.append(f"{rel}: source_url: missing origin")
        procs.append((rel, p))
    for rel, p in procs:
        for other in p.same_as:
            if other not in codes:
                errors.append(f"{rel}: same_as: unknown code {other!r}")
        for fl in p.flags:
            if fl.field not in Procedure.model_fields and fl.field not in {"time", "fees"}:
                errors.append(f"{rel}: flags: unknown field {fl.field!r}")
    by_code = {p.code: (rel, p) for rel, p in procs}
    errors += _alias_errors(knowledge_dir, by_code)
    errors += _life_event_errors(knowledge_dir, by_code)
    errors += _known_errors(knowledge_dir, by_code)
    try:
        store.load_coverage(knowledge_dir)
    except ValidationError as exc:
        errors += _errors(store.COVERAGE, exc)
    except yaml.YAMLError as exc:
        errors.append(f"{store.COVERAGE}: (yaml): {str(exc).splitlines()[0]}")
    errors += _load_list(store.FRESHNESS, store.load_stale_rules, knowledge_dir)[1]
    nfiles = store.notice_files(knowledge_dir)
    for path in nfiles:
        rel = path.relative_to(knowledge_dir).as_posix()
        try:
            n = Notice.model_validate(store.parse_notice_text(path.read_text(encoding="utf-8")))
        except (ValueError, yaml.YAMLError) as exc:
            if isinstance(exc, ValidationError):
                errors += _errors(rel, exc)
            else:
                errors.append(f"{rel}: (front matter): {str(exc).splitlines()[0]}")
            continue
        if n.id != path.stem:
            errors.append(f"{rel}: id: {n.id!r} differs from file name")
        if not n.sections:
            errors.append(f"{rel}: sections: empty notice")
    return errors, len(pfiles), len(nfiles)
