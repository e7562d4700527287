"""The importer protocol (``knowledge/importer/sources.py``) and its registry: every registered
source implements it, and a new source is one class plus one line in ``registry.SOURCES``."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from knowledge.importer import build, registry
from knowledge.importer.sources import OTHER_GROUP, ListSource, ProcedureSource, Source
from knowledge.schema import KnownProcedure, Procedure
from knowledge.store import KNOWN_PROCEDURES, load_known_procedures, load_procedure_file
from knowledge.validate import validate_dir
from tthc.settings import get_settings

RAW = get_settings().raw_data_dir
TODAY = dt.date(2026, 11, 27)


# --- a new source, as a newcomer would write it (README: "Adding a data source") ---


class TinySource(ProcedureSource):
    """One JSON file per procedure under ``<raw>/tiny-test/``."""

    dataset = "tiny-test"

    def iter_sources(self, raw_dir: Path) -> list[Source]:
        files = sorted((raw_dir / self.dataset).glob("*.json"))
        return [Source(p, group="bo-thu-nghiem", source_date=dt.date(2026, 1, 2)) for p in files]

    def load(self, source: Source, today: dt.date) -> Procedure:
        d = json.loads(source.path.read_text(encoding="utf-8"))
        return Procedure(
            code=d["code"],
            title=d["title"],
            source_date=d.get("date"),
            source_dataset=self.dataset,
            imported_at=today,
        )


class TinyList(ListSource):
    """A list of names without details: ``<raw>/tiny-list.json``."""

    dataset = "tiny-list"

    def read(self, raw_dir: Path) -> list[KnownProcedure] | None:
        path = raw_dir / "tiny-list.json"
        if not path.is_file():
            return None
        rows = json.loads(path.read_text(encoding="utf-8"))
        return [
            KnownProcedure(**r, source_url=f"https://example.org/{r['code']}", source_dataset=self.dataset)
            for r in rows
        ]


@pytest.fixture
def dirs(tmp_path: Path) -> tuple[Path, Path, Path]:
    """(raw, seeds, knowledge): a raw folder holding only the tiny source's two files and list."""
    raw, seeds, kdir = tmp_path / "raw", tmp_path / "seeds", tmp_path / "knowledge"
    (raw / "tiny-test").mkdir(parents=True)
    seeds.mkdir()
    kdir.mkdir()
    (raw / "tiny-test" / "a.json").write_text(
        json.dumps({"code": "9.999991", "title": "Thủ tục thử nghiệm không ngày"}), encoding="utf-8"
    )
    (raw / "tiny-test" / "b.json").write_text(
        json.dumps({"code": "9.999992", "title": "Thủ tục thử nghiệm có ngày", "date": "2026-03-04"}),
        encoding="utf-8",
    )
    (raw / "tiny-list.json").write_text(
        json.dumps([{"code": "9.999993", "title": "Thủ tục chỉ biết tên"}]), encoding="utf-8"
    )
    return raw, seeds, kdir


# --- the registry ---------------------------------------------------------------


def test_every_registered_source_implements_the_protocol() -> None:
    assert registry.SOURCES and registry.LISTS
    for src in registry.SOURCES:
        assert isinstance(src, ProcedureSource), src
        assert isinstance(src.dataset, str) and src.dataset, src
    for lst in registry.LISTS:
        assert isinstance(lst, ListSource), lst
        assert isinstance(lst.dataset, str) and lst.dataset, lst
    datasets = [s.dataset for s in registry.SOURCES]
    assert len(set(datasets)) == len(datasets), "one registration per source"
    assert datasets == ["dvc-chatbot-tthc", "bqp-nhdandz", "dvc-portal-export", "dvc-api-duynghiaqn"], (
        "the import order decides a tie of source dates"
    )


def test_a_source_without_load_cannot_be_registered() -> None:
    class Half(ProcedureSource):
        dataset = "half"

        def iter_sources(self, raw_dir: Path) -> list[Source]:
            return []

    with pytest.raises(TypeError, match="load"):
        Half()


@pytest.mark.skipif(not RAW.is_dir(), reason="needs ../shared/data/raw")
@pytest.mark.parametrize("src", registry.SOURCES, ids=lambda s: s.dataset)
def test_every_registered_source_loads_its_first_record(src: ProcedureSource) -> None:
    """On the real raw data: inputs found, a record of its own dataset, a folder and a date."""
    if src.dataset == "dvc-portal-export" and shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed")
    items = src.iter_sources(RAW)
    assert items and all(isinstance(i, Source) for i in items)
    proc = src.load_dated(items[0], TODAY)
    assert isinstance(proc, Procedure)
    assert proc.source_dataset == src.dataset and proc.imported_at == TODAY
    assert proc.source_date is not None
    assert src.group_of(items[0], proc)


# --- a new source is one class plus one registration line ------------------------


def test_a_registered_source_is_imported(dirs, monkeypatch) -> None:
    raw, seeds, kdir = dirs
    monkeypatch.setattr(registry, "SOURCES", [*registry.SOURCES, TinySource()])  # the registration line
    monkeypatch.setattr(registry, "LISTS", [*registry.LISTS, TinyList()])
    res = build.run(raw, seeds, kdir, today=TODAY)
    assert res.procedures == {"tiny-test": 2}
    undated = load_procedure_file(kdir / "procedures" / "bo-thu-nghiem" / "9.999991.yaml")
    assert undated.title == "Thủ tục thử nghiệm không ngày" and undated.imported_at == TODAY
    assert undated.source_date == dt.date(2026, 1, 2), "the source's date when the record has none"
    dated = load_procedure_file(kdir / "procedures" / "bo-thu-nghiem" / "9.999992.yaml")
    assert dated.source_date == dt.date(2026, 3, 4), "the record's own date first"
    assert [(k.code, k.source_dataset) for k in load_known_procedures(kdir)] == [("9.999993", "tiny-list")]
    errors, n_proc, _ = validate_dir(kdir)
    assert not errors and n_proc == 2


def test_an_unregistered_source_is_not_imported(dirs) -> None:
    raw, seeds, kdir = dirs
    res = build.run(raw, seeds, kdir, today=TODAY)
    assert res.procedures == {}
    assert not (kdir / "procedures" / "bo-thu-nghiem").exists()
    assert load_known_procedures(kdir) == []


def test_a_list_without_its_input_keeps_its_entries(dirs, monkeypatch) -> None:
    raw, seeds, kdir = dirs
    monkeypatch.setattr(registry, "LISTS", [*registry.LISTS, TinyList()])
    build.run(raw, seeds, kdir, today=TODAY)
    (raw / "tiny-list.json").unlink()
    build.run(raw, seeds, kdir, today=TODAY)
    assert [k.code for k in load_known_procedures(kdir)] == ["9.999993"]
    assert (kdir / KNOWN_PROCEDURES).is_file()


def test_the_group_is_the_sources_unless_the_importer_reads_it_from_the_record() -> None:
    proc = Procedure(
        code="9.999991", title="Thủ tục thử nghiệm", source_dataset="tiny-test", imported_at=TODAY
    )
    assert TinySource().group_of(Source(Path("a.json"), group="bo-thu-nghiem"), proc) == "bo-thu-nghiem"
    assert TinySource().group_of(Source(Path("a.json")), proc) == OTHER_GROUP
