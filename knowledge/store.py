"""The only loader of the knowledge base used by the rest of the system.

    from knowledge.store import load_procedures, load_notices, knowledge_hash

Files: ``procedures/<group>/<code>.yaml`` (one procedure each) and ``notices/<id>.md``
(YAML front matter + text, ``## `` starts a section, blank lines separate paragraphs).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
from pathlib import Path

import yaml

from knowledge.schema import AliasEntry, Coverage, KnownProcedure, LifeEvent, Notice, Procedure, StaleRule

try:  # libyaml is ~10x faster; fall back to the pure-Python loader
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader

PROCEDURES = "procedures"
NOTICES = "notices"
LEXICON = "lexicon"
ALIASES = "aliases"
COVERAGE = "coverage.yaml"
LIFE_EVENTS = "life_events.yaml"
FRESHNESS = "freshness.yaml"
KNOWN_PROCEDURES = "known_procedures.yaml"


def default_dir(knowledge_dir: Path | None = None) -> Path:
    if knowledge_dir is not None:
        return Path(knowledge_dir)
    from tthc.settings import get_settings

    return get_settings().knowledge_dir


def procedure_files(knowledge_dir: Path | None = None) -> list[Path]:
    return sorted((default_dir(knowledge_dir) / PROCEDURES).glob("*/*.yaml"))


def notice_files(knowledge_dir: Path | None = None) -> list[Path]:
    return sorted((default_dir(knowledge_dir) / NOTICES).glob("*.md"))


def read_procedure_data(path: Path) -> dict:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)


def load_procedure_file(path: Path) -> Procedure:
    """One validated record (no cache: for the importer's merge)."""
    return Procedure.model_validate(read_procedure_data(path))


def load_procedures(knowledge_dir: Path | None = None, *, use_cache: bool = True) -> list[Procedure]:
    """All procedures, sorted by (group folder, code). Raises on an invalid file.

    Parsing every YAML file takes seconds, so the validated records are also pickled under
    ``<var_dir>/cache/`` keyed by the sha256 of the procedure files (any edit invalidates it). The YAML files stay the single source of truth.
    """
    files = procedure_files(knowledge_dir)
    cache = _cache_path(knowledge_dir, files) if use_cache else None
    if cache is not None and cache.exists():
        try:
            with cache.open("rb") as fh:
                procs = pickle.load(fh)
            if isinstance(procs, list) and all(isinstance(p, Procedure) for p in procs[:1]):
                return procs
        except Exception:
            pass
    procs = [Procedure.model_validate(read_procedure_data(p)) for p in files]
    if cache is not None:
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            for old in cache.parent.glob(cache.name.rsplit("-", 1)[0] + "-*.pickle"):
                old.unlink(missing_ok=True)
            tmp = cache.with_suffix(f".tmp{os.getpid()}")
            with tmp.open("wb") as fh:
                pickle.dump(procs, fh, protocol=pickle.HIGHEST_PROTOCOL)
            tmp.replace(cache)
        except OSError:
            pass
    return procs


def _cache_path(knowledge_dir: Path | None, files: list[Path]) -> Path | None:
    try:
        from tthc.settings import get_settings

        var_dir = get_settings().var_dir
    except Exception:
        return None
    root = default_dir(knowledge_dir).resolve()
    h = hashlib.sha256()
    for f in files:
        rel = f.relative_to(root).as_posix().encode() if f.is_relative_to(root) else str(f).encode()
        data = f.read_bytes()
        h.update(len(rel).to_bytes(4, "big") + rel + len(data).to_bytes(8, "big") + data)
    h.update(Procedure.__module__.encode() + str(sorted(Procedure.model_fields)).encode())
    dir_key = hashlib.sha256(str(root).encode()).hexdigest()[:12]
    return var_dir / "cache" / f"procedures-{dir_key}-{h.hexdigest()[:24]}.pickle"


# --- notices ---------------------------------------------------------------------

_FRONT = re.compile(r"\A---\n(.*?)\n---\n?(.*)\Z", re.S)


def parse_notice_text(text: str) -> dict:
    """Front matter + body -> dict ready for ``Notice.model_validate``."""
    m = _FRONT.match(text.replace("\r\n", "\n"))
    if not m:
        raise ValueError("missing YAML front matter (--- … ---)")
    meta = yaml.load(m.group(1), Loader=_Loader) or {}
    sections: list[dict] = []
    current = {"heading": "", "paragraphs": []}
    para: list[str] = []

    def flush_para() -> None:
        if para:
            current["paragraphs"].append("\n".join(para).strip())
            para.clear()

    for line in m.group(2).split("\n"):
        if line.startswith("## "):
            flush_para()
            if current["heading"] or current["paragraphs"]:
                sections.append(current)
            current = {"heading": line[3:].strip(), "paragraphs": []}
        elif not line.strip():
            flush_para()
        else:
            para.append(line.rstrip())
    flush_para()
    if current["heading"] or current["paragraphs"]:
        sections.append(current)
    meta["sections"] = sections
    return meta


def render_notice(notice: Notice) -> str:
    meta = notice.model_dump(mode="json", exclude={"sections"})
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000).strip()
    out = [f"---\n{front}\n---\n"]
    for s in notice.sections:
        if s.heading:
            out.append(f"## {s.heading}\n")
        for p in s.paragraphs:
            out.append(p + "\n")
    return "\n".join(out)


def load_notice_file(path: Path) -> Notice:
    return Notice.model_validate(parse_notice_text(path.read_text(encoding="utf-8")))


def load_notices(knowledge_dir: Path | None = None) -> list[Notice]:
    return [load_notice_file(p) for p in notice_files(knowledge_dir)]


# --- aliases ---------------------------------------------------------------------


def alias_files(knowledge_dir: Path | None = None) -> list[Path]:
    return sorted((default_dir(knowledge_dir) / ALIASES).glob("*.yaml"))


def _read_list(path: Path, model) -> list:
    """A knowledge file that is a YAML list of ``model`` entries."""
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader) or []
    if not isinstance(data, list):
        raise ValueError(f"{path.name} is a list of entries")
    return [model.model_validate(entry) for entry in data]


def read_alias_file(path: Path) -> list[AliasEntry]:
    return _read_list(path, AliasEntry)


def load_aliases(knowledge_dir: Path | None = None) -> dict[str, list[str]]:
    """Code → everyday names and question forms (``knowledge/aliases/*.yaml``), every level
    variant of an entry getting the entry's texts."""
    out: dict[str, list[str]] = {}
    for path in alias_files(knowledge_dir):
        for entry in read_alias_file(path):
            for code in entry.codes:
                out.setdefault(code, []).extend(t for t in entry.texts() if t not in out.get(code, []))
    return out


def load_coverage(knowledge_dir: Path | None = None) -> Coverage:
    """The areas the knowledge base does not hold (``knowledge/coverage.yaml``; none if absent)."""
    path = default_dir(knowledge_dir) / COVERAGE
    if not path.exists():
        return Coverage()
    return Coverage.model_validate(yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader) or {})


def _load_list(name: str, model, knowledge_dir: Path | None) -> list:
    """:func:`_read_list` of ``knowledge/<name>`` (none if the file is absent)."""
    path = default_dir(knowledge_dir) / name
    return _read_list(path, model) if path.exists() else []


def load_life_events(knowledge_dir: Path | None = None) -> list[LifeEvent]:
    """Life events and their usual procedures (``knowledge/life_events.yaml``; none if absent)."""
    return _load_list(LIFE_EVENTS, LifeEvent, knowledge_dir)


def load_stale_rules(knowledge_dir: Path | None = None) -> list[StaleRule]:
    """Names of bodies and levels that no longer exist (``knowledge/freshness.yaml``; none if absent)."""
    return _load_list(FRESHNESS, StaleRule, knowledge_dir)


def load_known_procedures(knowledge_dir: Path | None = None) -> list[KnownProcedure]:
    """Procedures known by name only (``knowledge/known_procedures.yaml``; none if absent)."""
    return _load_list(KNOWN_PROCEDURES, KnownProcedure, knowledge_dir)


# --- content hash ----------------------------------------------------------------


def knowledge_hash(knowledge_dir: Path | None = None) -> str:
    """sha256 over (relative path, content) of every procedure, notice, alias, coverage, known-procedure
    and lexicon file (what the index is built from; life events are read at run time), in sorted order."""
    root = default_dir(knowledge_dir)
    files = procedure_files(root) + notice_files(root) + alias_files(root)
    files += [root / name for name in (COVERAGE, KNOWN_PROCEDURES) if (root / name).exists()]
    lex = root / LEXICON
    if lex.is_dir():
        files += [
            p for p in lex.rglob("*") if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
        ]
    h = hashlib.sha256()
    for p in sorted(set(files), key=lambda p: p.relative_to(root).as_posix()):
        rel = p.relative_to(root).as_posix().encode()
        data = p.read_bytes()
        h.update(len(rel).to_bytes(4, "big") + rel + len(data).to_bytes(8, "big") + data)
    return h.hexdigest()
