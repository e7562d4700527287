"""``knowledge/importer/procedure_lists.py``: lists of procedures (names without details)."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from knowledge import store
from knowledge.importer import build, procedure_lists
from knowledge.importer.build import procedure_yaml
from knowledge.schema import ChannelKind, Procedure
from tthc.settings import get_settings

RAW = get_settings().raw_data_dir
LISTS = RAW / "dvc-chatbot-tthc" / "lists"
KDIR = Path(__file__).resolve().parents[2] / "knowledge"
HEADER = ["Mã số", "Tên", "Cơ quan ban hành", "Cơ quan thực hiện", "Lĩnh vực"]


def write_xlsx(path: Path, rows: list[list[str]]) -> Path:
    """A minimal spreadsheet in the portal's list layout: inline strings, first sheet."""

    def cell(col: int, row: int, text: str) -> str:
        ref = f"{chr(65 + col)}{row}"
        return f'<c r="{ref}" t="inlineStr"><is><t>{escape(text)}</t></is></c>'

    body = "".join(
        f'<row r="{i}">' + "".join(cell(j, i, v) for j, v in enumerate(r)) + "</row>"
        for i, r in enumerate(rows, start=1)
    )
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{body}</sheetData></worksheet>"
    )
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("xl/worksheets/sheet1.xml", sheet)
    return path


def test_a_list_row_maps_every_column_and_the_official_page(tmp_path):
    path = write_xlsx(
        tmp_path / "ds.xlsx",
        [
            ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nDANH SÁCH THỦ TỤC HÀNH CHÍNH"],
            HEADER,
            [
                "2.000620",
                "Cấp Giấy phép bán lẻ rượu -",
                "Bộ Công Thương",
                "UBND cấp xã",
                "Lưu thông hàng hóa",
            ],
            ["", "Tổng cộng", "", "", ""],
        ],
    )
    (entry,) = procedure_lists.load_list_xlsx(path, dt.date(2026, 11, 1))
    assert (entry.code, entry.title, entry.issuing_body, entry.agency, entry.field) == (
        "2.000620",
        "Cấp Giấy phép bán lẻ rượu",
        "Bộ Công Thương",
        "UBND cấp xã",
        "Lưu thông hàng hóa",
    )
    assert entry.source_url.endswith("ma_thu_tuc=2.000620") and entry.source_date == dt.date(2026, 11, 1)


def test_not_a_list_says_what_to_do(tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(procedure_lists.ListError, match="tải lại"):
        procedure_lists.load_list_xlsx(bad)
    no_header = write_xlsx(tmp_path / "x.xlsx", [["Họ tên", "Tuổi"]])
    with pytest.raises(procedure_lists.ListError, match="Mã số"):
        procedure_lists.load_list_xlsx(no_header)


def test_known_only_drops_held_codes_and_prefers_a_list_naming_the_agency():
    def entry(code, agency="", date=dt.date(2025, 12, 10)):
        return procedure_lists.KnownProcedure(
            code=code, title="Thủ tục X", agency=agency, source_url="u", source_dataset="d", source_date=date
        )

    known = procedure_lists.known_only(
        [entry("1.000001"), entry("1.000002"), entry("1.000002", agency="Sở Y tế", date=dt.date(2020, 1, 1))],
        held={"1.000001"},
    )
    assert [(k.code, k.agency) for k in known] == [("1.000002", "Sở Y tế")]


def test_online_services_list(tmp_path):
    rows = [
        {"TTHC_MA": "1.012132", "NAME": "Thủ tục đăng ký nhãn hiệu -", "TYPE": "5"},
        {"TTHC_MA": "không mã", "NAME": "x"},
    ]
    (tmp_path / "doanhnghiep_raw_result.json").write_text(
        json.dumps(rows, ensure_ascii=False), encoding="utf-8"
    )
    (entry,) = procedure_lists.load_online_services(tmp_path)
    assert (entry.code, entry.title, entry.source_dataset) == (
        "1.012132",
        "Thủ tục đăng ký nhãn hiệu",
        procedure_lists.ONLINE_SERVICES,
    )


@pytest.mark.skipif(not LISTS.is_dir(), reason="../shared raw data not present")
def test_the_real_ministry_lists_are_all_held_in_detail():
    """The six ministries' and the court's list exports: every listed code has its record."""
    listed = procedure_lists.load_list_folder(LISTS)
    assert len(listed) == 2642
    assert all(e.issuing_body and e.field for e in listed)
    assert sum(bool(e.agency) for e in listed) > 2000  # some rows leave "Cơ quan thực hiện" empty
    held = {p.stem for p in store.procedure_files(KDIR)}
    assert procedure_lists.known_only(listed, held) == []


def test_committed_known_procedures_are_not_held_in_detail():
    known = store.load_known_procedures(KDIR)
    held = {p.stem for p in store.procedure_files(KDIR)}
    assert len(known) > 1000 and not {k.code for k in known} & held
    assert all(k.source_url.startswith("https://dichvucong.gov.vn/") for k in known)


def test_an_office_list_merged_with_its_exports_keeps_names_it_lacks(tmp_path):
    """``tthc kb import --exports DIR``: a list in the folder adds the procedures it names whose
    details are not held; a later export of one of them moves it from the list to the records."""
    kdir = tmp_path / "knowledge"
    held = Procedure(
        code="1.000001",
        title="Thủ tục đã có",
        channels=[{"kind": ChannelKind.TRUC_TIEP}],
        source_url="https://dichvucong.gov.vn/x",
        source_dataset="test",
        imported_at=dt.date(2026, 1, 1),
    )
    (kdir / "procedures" / "test").mkdir(parents=True)
    (kdir / "procedures" / "test" / "1.000001.yaml").write_text(procedure_yaml(held), encoding="utf-8")
    folder = tmp_path / "tai-ve"
    folder.mkdir()
    write_xlsx(
        folder / "danh-sach.xlsx",
        [
            HEADER,
            ["1.000001", "Thủ tục đã có", "UBND tỉnh", "UBND xã", "Khác"],
            ["1.000002", "Thủ tục mới", "UBND tỉnh", "UBND xã", "Khác"],
        ],
    )
    res = build.merge_exports(folder, kdir)
    assert res.known == 1
    assert [k.code for k in store.load_known_procedures(kdir)] == ["1.000002"]


def test_a_list_whose_raw_folder_is_absent_keeps_its_entries(tmp_path):
    """`tthc kb import` on a machine without the online-services crawl does not drop its entries."""
    kdir = tmp_path / "knowledge"
    kdir.mkdir()
    kept = procedure_lists.KnownProcedure(
        code="1.012132",
        title="Thủ tục đăng ký nhãn hiệu",
        source_url=procedure_lists.official_page("1.012132"),
        source_dataset=procedure_lists.ONLINE_SERVICES,
        source_date=dt.date(2025, 12, 10),
    )
    (kdir / store.KNOWN_PROCEDURES).write_text(procedure_lists.known_yaml([kept]), encoding="utf-8")
    raw = tmp_path / "raw"
    (raw / "dvc-chatbot-tthc" / "records").mkdir(parents=True)
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    res = build.run(raw, seeds, kdir)
    assert res.known == 1 and store.load_known_procedures(kdir) == [kept]
