"""Importer for the public notices in ``shared/seeds`` (OCR text of scanned documents)."""

from __future__ import annotations

from pathlib import Path

from knowledge.importer import common as c
from knowledge.schema import Notice, NoticeSection


def parse_text(text: str, file_name: str) -> Notice:
    body = c.clean(text)
    paragraphs = [p.strip() for p in body.split("\n\n") if p.strip()]
    return Notice(
        id=Path(file_name).stem,
        source_file=file_name,
        sections=[NoticeSection(heading="", paragraphs=paragraphs)],
    )


def parse_file(path: Path) -> Notice:
    return parse_text(path.read_text(encoding="utf-8"), path.name)
