"""Merging an office's folder of official exports into the knowledge base by procedure code
(``tthc kb import --exports DIR``): the newer source wins, the older is kept in history, a new
code is added, and the result validates. Real records, a real export PDF."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

from knowledge.importer import build
from knowledge.store import load_procedure_file, load_procedures
from knowledge.validate import validate_dir
from tests.knowledge.test_portal_export import SAMPLE, needs_pdftotext, needs_sample

KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"
CODE = "1.012787"  # held from the crawl before the exports were imported (kept in history)
EXPORT = "200_1.012787.pdf"
OTHER = "001_1.115729.pdf"  # a code the small knowledge base below does not hold


@pytest.fixture
def small_kb(tmp_path: Path) -> Path:
    """A knowledge base of two records: the crawled 1.012787 and the birth registration."""
    kdir = tmp_path / "knowledge"
    crawled = KNOWLEDGE / build.HISTORY / CODE / "dvc-chatbot-tthc.yaml"
    (kdir / "procedures" / "bo-nong-nghiep-mt").mkdir(parents=True)
    shutil.copy(crawled, kdir / "procedures" / "bo-nong-nghiep-mt" / f"{CODE}.yaml")
    (kdir / "procedures" / "bo-tu-phap").mkdir(parents=True)
    shutil.copy(KNOWLEDGE / "procedures" / "bo-tu-phap" / "1.001193.yaml", kdir / "procedures" / "bo-tu-phap")
    return kdir


def _exports(tmp_path: Path, *names: str, date: dt.date | None = None) -> Path:
    folder = tmp_path / "exports"
    folder.mkdir(exist_ok=True)
    for name in names:
        target = shutil.copy(SAMPLE / "pdf" / name, folder / name)
        if date is not None:
            stamp = dt.datetime.combine(date, dt.time(12)).timestamp()
            os.utime(target, (stamp, stamp))
    return folder


@needs_sample
@needs_pdftotext
def test_a_newer_export_replaces_the_record_and_the_old_one_goes_to_history(small_kb, tmp_path) -> None:
    before = load_procedure_file(small_kb / "procedures" / "bo-nong-nghiep-mt" / f"{CODE}.yaml")
    res = build.merge_exports(_exports(tmp_path, EXPORT, OTHER), small_kb, today=dt.date(2026, 11, 27))
    assert res.added == 1 and not res.kept_older
    procs = {p.code: p for p in load_procedures(small_kb, use_cache=False)}
    assert set(procs) == {CODE, "1.001193", "1.115729"}
    assert procs[CODE].source_dataset == "dvc-portal-export" and procs[CODE].source_date > before.source_date
    old = load_procedure_file(small_kb / build.HISTORY / CODE / "dvc-chatbot-tthc.yaml")
    assert old.title == before.title and old.source_date == before.source_date
    assert (small_kb / "procedures" / "bo-nong-nghiep-mt" / f"{CODE}.yaml").exists(), (
        "a code keeps its folder"
    )
    assert validate_dir(small_kb)[0] == []
    again = build.merge_exports(tmp_path / "exports", small_kb, today=dt.date(2026, 11, 27))
    assert again.written == 0 and again.removed == 0, "merging the same folder twice changes nothing"


@needs_sample
@needs_pdftotext
def test_an_export_older_than_the_record_held_does_not_replace_it(small_kb, tmp_path) -> None:
    folder = _exports(tmp_path, EXPORT, date=dt.date(2025, 1, 1))
    res = build.merge_exports(folder, small_kb, today=dt.date(2026, 11, 27))
    assert [line.split(":")[0] for line in res.kept_older] == [CODE]
    held = load_procedure_file(small_kb / "procedures" / "bo-nong-nghiep-mt" / f"{CODE}.yaml")
    assert held.source_dataset == "dvc-chatbot-tthc"
    assert load_procedure_file(small_kb / build.HISTORY / CODE / "dvc-portal-export.yaml").code == CODE


def test_the_committed_knowledge_base_keeps_one_record_per_code_and_the_newer_source() -> None:
    procs = load_procedures()
    assert len({p.code for p in procs}) == len(procs)
    for path in (KNOWLEDGE / build.HISTORY).glob("*/*.yaml"):
        old = load_procedure_file(path)
        held = next(p for p in procs if p.code == old.code)
        assert (held.source_date or dt.date.min) >= (old.source_date or dt.date.min), path
