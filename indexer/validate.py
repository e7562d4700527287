"""Is a built index complete and consistent? (used by the API at start-up and before a
hot swap, see ``indexer/live_index.py``; the build itself lives in ``indexer/build.py``).

:func:`check_build` reads a build folder and returns the list of problems (empty = good):
every file of the layout present and non-empty, ``manifest.json`` readable, line counts
of ``docs.jsonl`` / ``procedures.jsonl`` / ``notices.jsonl`` equal to the manifest's,
every line valid JSON, ``rows.npy`` and the FAISS index of the manifest's row count and
pointing at existing documents, both BM25 folders loadable. It costs about a second.
"""

from __future__ import annotations

import json
from pathlib import Path

FILES = ("manifest.json", "docs.jsonl", "procedures.jsonl", "notices.jsonl", "dense.faiss", "rows.npy")
BM25_DIRS = ("bm25_seg", "bm25_fold")


class IndexInvalid(FileNotFoundError):
    """The index named by CURRENT is missing or damaged (a FileNotFoundError, so callers that
    answer "no index yet" with 503 treat a damaged index the same way)."""


def _jsonl_count(path: Path) -> int:
    n = 0
    with path.open("rb") as f:
        for n, line in enumerate(f, 1):  # noqa: B007 (n is the count)
            json.loads(line)
    return n


def check_build(path: Path) -> list[str]:
    """Problems found in the build folder ``path`` (empty list = usable)."""
    path = Path(path)
    if not path.is_dir():
        return [f"{path}: thư mục không tồn tại / folder missing"]
    problems = [f"{name}: thiếu hoặc rỗng / missing or empty" for name in FILES if not _nonempty(path / name)]
    problems += [
        f"{name}/: thiếu hoặc rỗng / missing or empty"
        for name in BM25_DIRS
        if not (path / name).is_dir() or not any((path / name).iterdir())
    ]
    if problems:
        return problems
    try:
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
        counts = manifest["counts"]
    except (ValueError, KeyError, TypeError, OSError) as exc:
        return [f"manifest.json: không đọc được / unreadable ({exc})"]
    for name, key in (
        ("docs.jsonl", "docs"),
        ("procedures.jsonl", "procedures"),
        ("notices.jsonl", "notices"),
    ):
        try:
            n = _jsonl_count(path / name)
        except (ValueError, OSError) as exc:
            problems.append(f"{name}: dòng JSON hỏng / corrupt line ({exc})")
            continue
        if n != counts.get(key):
            problems.append(f"{name}: {n} dòng, manifest ghi {counts.get(key)} / line count mismatch")
    try:
        import numpy as np

        rows = np.load(path / "rows.npy")
        if len(rows) != counts.get("dense_rows"):
            problems.append(f"rows.npy: {len(rows)} dòng, manifest ghi {counts.get('dense_rows')}")
        elif len(rows) and (rows.min() < 0 or rows.max() >= counts.get("docs", 0)):
            problems.append("rows.npy: trỏ ra ngoài docs.jsonl / points outside docs")
    except Exception as exc:
        problems.append(f"rows.npy: không đọc được / unreadable ({exc})")
    try:
        import faiss

        index = faiss.read_index(str(path / "dense.faiss"))
        if index.ntotal != counts.get("dense_rows"):
            problems.append(f"dense.faiss: {index.ntotal} vectơ, manifest ghi {counts.get('dense_rows')}")
    except Exception as exc:
        problems.append(f"dense.faiss: không đọc được / unreadable ({exc})")
    try:
        import bm25s

        for name in BM25_DIRS:
            bm25s.BM25.load(str(path / name), show_progress=False)
    except Exception as exc:
        problems.append(f"bm25: không đọc được / unreadable ({exc})")
    return problems


def _nonempty(path: Path) -> bool:
    try:
        return path.is_file() and path.stat().st_size > 0
    except OSError:
        return False
