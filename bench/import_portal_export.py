"""Parse the portal's per-procedure exports (PDF/DOCX) and print what came out.

Usage: .venv/bin/python bench/import_portal_export.py [FOLDER] [--flags]

FOLDER defaults to ``<shared_dir>/data/raw/portal-export-pdfs`` (207 official PDFs). Prints:
files, parsed, validated with documents, with time parsed (every channel a value with a known
unit), with fee parsed (every channel at least one fee, no fee flag), flags by field, words of
table cells rejoined where the generator cut them, seconds (text extraction and parsing apart).
Needs ``pdftotext`` (Debian package poppler-utils).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from knowledge.importer import portal_export as pe  # noqa: E402
from knowledge.schema import Procedure, TimeUnit  # noqa: E402
from tthc.settings import get_settings  # noqa: E402


def main() -> int:
    settings = get_settings()
    default = (
        Path(getattr(settings, "shared_dir", REPO.parent / "shared")) / "data" / "raw" / "portal-export-pdfs"
    )
    ap = argparse.ArgumentParser()
    ap.add_argument("folder", nargs="?", type=Path, default=default)
    ap.add_argument("--flags", action="store_true", help="list every flag problem with its count")
    args = ap.parse_args()
    files = pe.iter_files(args.folder)
    if not files:
        print(f"no .pdf/.docx under {args.folder}", file=sys.stderr)
        return 1
    today = dt.date.today()
    t0 = time.perf_counter()
    extract_s = parse_s = 0.0
    joins = cuts = 0
    parsed: list[Procedure] = []
    failed: list[tuple[str, str]] = []
    for path in files:
        t = time.perf_counter()
        try:
            text = pe.export_text(path)
        except pe.ExportError as exc:
            failed.append((path.name, str(exc)))
            continue
        finally:
            extract_s += time.perf_counter() - t
        t = time.perf_counter()
        try:
            url, exported = pe.source_of(path)
            ex = pe.read_export(text)
            joins += len(ex.word_joins)
            cuts += len(ex.word_cuts)
            parsed.append(pe.to_procedure(ex, source_url=url, today=today, exported=exported))
        except Exception as exc:  # a figure to print, not a crash
            failed.append((path.name, f"{type(exc).__name__}: {exc}"))
        finally:
            parse_s += time.perf_counter() - t
    total_s = time.perf_counter() - t0

    valid_docs = [p for p in parsed if p.documents and Procedure.model_validate(p.model_dump())]
    with_time = [
        p
        for p in parsed
        if p.channels
        and all(
            ch.time and ch.time.value is not None and ch.time.unit is not TimeUnit.UNKNOWN
            for ch in p.channels
        )
    ]
    with_fee = [
        p
        for p in parsed
        if p.channels and all(ch.fees for ch in p.channels) and not any(f.field == "fees" for f in p.flags)
    ]
    channels = [ch for p in parsed for ch in p.channels]
    ch_time = sum(
        ch.time is not None and ch.time.value is not None and ch.time.unit is not TimeUnit.UNKNOWN
        for ch in channels
    )
    by_field = Counter(f.field for p in parsed for f in p.flags)
    records_flagged = Counter(field for p in parsed for field in {f.field for f in p.flags})
    n = len(files)

    def pct(k: int) -> str:
        return f"{k} ({100 * k / n:.1f} %)"

    print(f"folder: {args.folder}")
    print(f"files: {n}")
    print(f"parsed: {pct(len(parsed))}")
    print(f"validated with documents: {pct(len(valid_docs))}")
    print(
        f"with time parsed (unit known, every channel): {pct(len(with_time))}; channels {ch_time}/{len(channels)}"
    )
    print(f"with fee parsed (every channel, no fee flag): {pct(len(with_fee))}")
    print(
        f"documents: {sum(len(p.documents) for p in parsed)}; legal bases: {sum(len(p.legal_bases) for p in parsed)}"
    )
    print(
        "flags by field (flags / records): "
        + (", ".join(f"{k} {v}/{records_flagged[k]}" for k, v in by_field.most_common()) or "none")
    )
    print(f"table cells: words rejoined at line/page cuts {joins}, undecided page-break cuts {cuts}")
    if args.flags:
        for (field, problem), k in Counter(
            (f.field, f.problem) for p in parsed for f in p.flags
        ).most_common():
            print(f"  {k:4d}  {field}: {problem}")
    for name, err in failed:
        print(f"failed: {name}: {err}")
    print(f"seconds: {total_s:.2f} (text extraction {extract_s:.2f}, parsing {parse_s:.2f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
