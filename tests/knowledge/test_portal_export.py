"""Importer of the portal's per-procedure export ("CHI TIẾT THỦ TỤC HÀNH CHÍNH", PDF or Word):
``knowledge/importer/portal_export.py``.

The tests on the real sample (207 official PDFs, ``<shared_dir>/data/raw/portal-export-pdfs``) skip
when the sample or ``pdftotext`` (Debian package poppler-utils) is absent. The values checked were
read in the PDFs; ``procedures.json`` (portal index: record id, code, name) and ``forms.csv`` (the
form files the portal lists per record) are independent of the parser and checked against it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
import unicodedata
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from knowledge.importer import common as c
from knowledge.importer import portal_export as pe
from knowledge.schema import ChannelKind, FeeKind, Level, Procedure, TimeUnit
from tthc.settings import REPO_ROOT, get_settings

_settings = get_settings()
SHARED = getattr(_settings, "shared_dir", REPO_ROOT.parent / "shared")
SAMPLE = Path(SHARED) / "data" / "raw" / "portal-export-pdfs"
TODAY = dt.date(2026, 8, 1)

needs_sample = pytest.mark.skipif(
    not (SAMPLE / "pdf").is_dir(), reason=f"sample of portal exports not present ({SAMPLE / 'pdf'})"
)
needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None,
    reason="pdftotext not installed (Debian: sudo apt-get install -y poppler-utils)",
)


def _n(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


# --- a minimal Word file, written with the standard library ---------------------

_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="word/document.xml"/></Relationships>'
)


def _p(text: str) -> str:
    return f'<w:p><w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'


def _tc(cell: str | list[str], span: int = 1) -> str:
    paras = cell if isinstance(cell, list) else [cell]
    props = f'<w:tcPr><w:gridSpan w:val="{span}"/></w:tcPr>' if span > 1 else ""
    return f"<w:tc>{props}{''.join(_p(x) for x in paras)}</w:tc>"


def _tbl(rows: list[list]) -> str:
    return "<w:tbl>" + "".join("<w:tr>" + "".join(_tc(c) for c in r) + "</w:tr>" for r in rows) + "</w:tbl>"


def _docx(body: list[str], path: Path) -> Path:
    xml = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{_W_NS}"><w:body>'
    xml += "".join(body) + "</w:body></w:document>"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("word/document.xml", xml)
    path.write_bytes(buf.getvalue())
    return path


def _docx_from_export(ex: pe.Export, path: Path) -> Path:
    """The Word form of an export read from a PDF: title, the label/value table, each heading
    with its paragraphs or its tables (header row, rows, case headings between the tables)."""
    label_of: dict[str, str] = {}
    for label, key in pe.LABELS.items():
        label_of.setdefault(key, label)
    body = [_p(pe.TITLE), _tbl([[label_of[k], v] for k, v in ex.fields.items()])]
    for key, sec in ex.sections.items():
        body.append(_p(sec.heading))
        if key in pe.TABLES and sec.table_found:
            rows: list[list[str]] = []
            for it in sec.items:
                if it.kind == "row":
                    rows.append(list(it.row.cells))
                    continue
                if rows:
                    body.append(_tbl(rows))
                    rows = []
                if it.kind == "header":
                    rows = [list(pe.TABLES[key])]
                else:
                    body.append(_p(it.text))
            if rows:
                body.append(_tbl(rows))
        else:
            body += [_p(x) for x in pe.paragraphs(sec.lines)]
    return _docx(body, path)


# --- without the sample ----------------------------------------------------------


def test_iter_files_pdf_and_docx_recursive_sorted(tmp_path: Path) -> None:
    for name in ("b/2.pdf", "a.DOCX", "b/c/1.docx", "x.doc", "notes.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"")
    got = [p.relative_to(tmp_path).as_posix() for p in pe.iter_files(tmp_path)]
    assert got == ["a.DOCX", "b/2.pdf", "b/c/1.docx"]


def test_missing_pdftotext_says_to_install_poppler(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(pe.shutil, "which", lambda name: None)
    with pytest.raises(pe.ExportError, match="poppler-utils"):
        pe.export_text(tmp_path / "x.pdf")


@pytest.mark.parametrize(
    ("left", "right", "page_break", "joined"),
    [
        ("tài sản gắn liền v", "ới đất", False, "tài sản gắn liền với đất"),  # "v" is no syllable
        ("Luật Đất", "đai", False, "Luật Đất đai"),
        ("do sự thỏ", "a thuận", True, "do sự thỏa thuận"),  # page break: a vowel continues the word
        ("do sự thỏ", "a thuận", False, "do sự thỏ a thuận"),  # within a page: two words
        ("Nghị quyết 254/20", "25/QH15", True, "Nghị quyết 254/2025/QH15"),
        ("Thông tư số 17/2021/TT-", "BXD", False, "Thông tư số 17/2021/TT-BXD"),
        ("Nộp tại https://", "dichvucong.gov.vn", False, "Nộp tại https://dichvucong.gov.vn"),
        (
            "Maudondenghicaplaigiahan",
            "Giaychungnhan.docx",
            False,
            "MaudondenghicaplaigiahanGiaychungnhan.docx",
        ),
        ("Mauso06 GIAYTOCHUNGMINH", "DIEUKIEN", False, "Mauso06 GIAYTOCHUNGMINH DIEUKIEN"),
    ],
)
def test_join_lines(left: str, right: str, page_break: bool, joined: str) -> None:
    alone = " " not in left
    assert pe.join_lines(left, right, page_break=page_break, alone=alone) == joined


def test_levels_and_applicants() -> None:
    assert c.parse_levels("Tỉnh, Bộ") == ([Level.TINH, Level.BO], [])
    assert c.parse_levels("Cấp Xã/Phường, Cơ quan khác") == ([Level.XA, Level.KHAC], [])
    assert c.parse_levels("Đơn vị sự nghiệp") == ([], ["Đơn vị sự nghiệp"])  # the export records it as khac
    assert pe.split_applicants(
        "Công dân Việt Nam, Tổ chức (không bao gồm doanh nghiệp, HTX), Cán bộ, công chức, viên chức"
    ) == [
        "Công dân Việt Nam",
        "Tổ chức (không bao gồm doanh nghiệp, HTX)",
        "Cán bộ, công chức, viên chức",
    ]


def test_handmade_docx_with_merged_case_row_and_multi_paragraph_cell(tmp_path: Path) -> None:
    """A Word export whose case heading is a merged row of the dossier table and whose description
    cell has two paragraphs; an unknown level is kept as khac and flagged."""
    body = [
        _p(pe.TITLE),
        _tbl(
            [
                ["Tên thủ tục", "Cấp bản sao trích lục hộ tịch"],
                ["Mã thủ tục", "2.000635"],
                ["Cấp thực hiện", "Xã, Đơn vị khác"],
                ["Đối tượng thực hiện", "Công dân Việt Nam, Người nước ngoài"],
            ]
        ),
        _p("CÁCH THỨC THỰC HIỆN"),
        _tbl(
            [
                list(pe.CHANNEL_COLS),
                [
                    "Trực tiếp",
                    "Trong ngày",
                    "Lệ phí : 8.000 Đồng",
                    ["Nộp tại UBND xã.", "Nhận kết quả tại chỗ."],
                ],
                ["Trực tuyến", "1 Ngày làm việc", "Miễn phí", ""],
            ]
        ),
        _p("THÀNH PHẦN HỒ SƠ"),
        "<w:tbl><w:tr>"
        + "".join(_tc(c) for c in pe.DOC_COLS)
        + "</w:tr><w:tr>"
        + _tc("Trường hợp 1: Người yêu cầu là cá nhân", span=3)
        + "</w:tr><w:tr>"
        + "".join(_tc(c) for c in ("Tờ khai cấp bản sao trích lục", "Mau TK.docx", "1 bản chính"))
        + "</w:tr></w:tbl>",
        _p("CĂN CỨ PHÁP LÝ"),
        _tbl([list(pe.LEGAL_COLS), ["Luật Hộ tịch", "Luật số 60/2014/QH13"]]),
    ]
    path = _docx(body, tmp_path / "x.docx")
    p = pe.parse_text(pe.export_text(path), source_url="x.docx", today=TODAY, exported=None)
    assert (p.code, p.title) == ("2.000635", "Cấp bản sao trích lục hộ tịch")
    assert p.levels == [Level.XA, Level.KHAC]
    assert any(f.field == "levels" for f in p.flags) and p.raw["levels"] == "Xã, Đơn vị khác"
    assert p.applicants == ["Công dân Việt Nam", "Người nước ngoài"]
    direct, online = p.channels
    assert (
        direct.kind is ChannelKind.TRUC_TIEP
        and direct.description == "Nộp tại UBND xã. Nhận kết quả tại chỗ."
    )
    assert direct.time.value is None and direct.time.text == "Trong ngày"
    assert [(f.kind, f.amount_vnd, f.label) for f in direct.fees] == [(FeeKind.AMOUNT, 8000, "Lệ phí")]
    assert (online.time.value, online.time.unit) == (1, TimeUnit.WORKING_DAY)
    assert [f.kind for f in online.fees] == [FeeKind.FREE]
    (doc,) = p.documents
    assert (doc.name, doc.form, doc.originals, doc.copies) == (
        "Tờ khai cấp bản sao trích lục",
        "Mau TK.docx",
        1,
        None,
    )
    assert doc.case == "Trường hợp 1: Người yêu cầu là cá nhân"
    assert [(lb.number, lb.title) for lb in p.legal_bases] == [("60/2014/QH13", "Luật Hộ tịch")]


def test_not_an_export_is_refused() -> None:
    with pytest.raises(ValueError, match="Mã thủ tục"):
        pe.parse_text("Một văn bản khác\n", source_url="", today=TODAY, exported=None)


# --- the real sample -------------------------------------------------------------


@pytest.fixture(scope="module")
def sample() -> dict[str, Procedure | Exception]:
    out: dict[str, Procedure | Exception] = {}
    exports = pe.PortalExport()
    for item in exports.sources_in(SAMPLE):
        try:
            out[item.path.name] = exports.load(item, TODAY)
        except Exception as exc:  # counted by the test, not raised
            out[item.path.name] = exc
    return out


@pytest.fixture(scope="module")
def index() -> dict[str, dict]:
    rows = json.loads((SAMPLE / "procedures.json").read_text(encoding="utf-8-sig"))
    return {Path(r["PdfFile"]).name: r for r in rows}


def _rec(sample: dict, name: str) -> Procedure:
    p = sample[name]
    assert isinstance(p, Procedure), p
    return p


@needs_sample
@needs_pdftotext
def test_sample_95_percent_valid_records_with_documents_matching_the_portal_index(sample, index) -> None:
    assert len(sample) == 207 and set(sample) == set(index)
    good = []
    for name, p in sample.items():
        if not isinstance(p, Procedure) or not p.documents:
            continue
        Procedure.model_validate(p.model_dump())  # the record survives a round trip through the schema
        # the parsed code and title are the portal's (procedures.json is not read by the parser)
        assert p.code == index[name]["Code"], name
        assert p.title == _n(index[name]["Name"]), name
        assert p.source_url == f"https://dichvucong.gov.vn/thu-tuc-hanh-chinh/{index[name]['Id']}"
        assert p.source_dataset == pe.DATASET and p.imported_at == TODAY
        good.append(name)
    assert len(good) >= 0.95 * 207, sorted(set(sample) - set(good))


@needs_sample
@needs_pdftotext
def test_sample_form_files_match_the_portal_list(sample, index) -> None:
    """Every form file the portal lists for a record (forms.csv) is a ``form`` of one of its
    documents: long file names wrapped over several lines and pages come back whole."""
    by_id = {r["Id"]: name for name, r in index.items()}
    with (SAMPLE / "forms.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) > 100
    missing = []
    for row in rows:
        p = _rec(sample, by_id[row["SourceProcedureId"]])
        forms = {_n(f) for d in p.documents if d.form for f in d.form.split("; ")}
        if _n(row["FileName"]) not in forms:
            missing.append((p.code, row["FileName"]))
    assert missing == []


@needs_sample
@needs_pdftotext
def test_record_bo_xay_dung_1_012899(sample) -> None:
    p = _rec(sample, "158_1.012899.pdf")
    assert p.code == "1.012899"
    assert p.title == (
        "Đăng ký cấp quyền khai thác, sử dụng thông tin, dữ liệu về nhà ở và thị trường bất động sản "
        "thuộc thẩm quyền giải quyết của Bộ Xây dựng"
    )
    assert p.levels == [Level.BO]
    assert (p.decision, p.competent_authority) == ("843/QĐ-BXD", "Bộ Xây dựng")
    assert p.agency == "Cục Quản lý nhà và thị trường bất động sản"
    assert pe.group_of(p) == "bo-xay-dung"
    (doc,) = p.documents
    assert (
        doc.name
        == "- Phiếu đề nghị cấp quyền khai thác thông tin, dữ liệu về nhà ở và thị trường bất động sản"
    )
    assert (doc.form, doc.originals, doc.copies, doc.case) == ("Phiếu đề nghị cấp quyền.docx", 1, 1, None)
    assert [c.kind for c in p.channels] == [
        ChannelKind.TRUC_TUYEN,
        ChannelKind.BUU_CHINH,
        ChannelKind.TRUC_TIEP,
    ]
    for ch in p.channels:
        assert (ch.time.value, ch.time.unit) == (7, TimeUnit.WORKING_DAY)
        assert [(f.kind, f.amount_vnd) for f in ch.fees] == [(FeeKind.FREE, None)]
    assert [(lb.number, lb.title) for lb in p.legal_bases] == [
        (
            "357/2025/NĐ-CP",
            "Về xây dựng và quản lý Hệ thống thông tin, cơ sở dữ liệu về nhà ở và thị trường bất động sản",
        )
    ]
    assert p.result == (
        "Quyền truy cập quyền khai thác, sử dụng thông tin, dữ liệu về nhà ở và thị trường bất động sản hợp lệ. "
        "(mã KQ.G17.000202)"
    )
    assert p.flags == [] and p.raw == {} and p.source_date == dt.date(2026, 7, 17)


@needs_sample
@needs_pdftotext
def test_record_fee_amount_two_levels_wrapped_form_1_002636(sample) -> None:
    p = _rec(sample, "178_1.002636.pdf")
    assert p.code == "1.002636"
    assert p.title.startswith(
        "Gia hạn Giấy chứng nhận đủ điều kiện hoạt động kiểm định kỹ thuật an toàn lao động"
    )
    assert p.levels == [Level.TINH, Level.BO]
    assert len(p.channels) == 3
    for ch in p.channels:
        assert (ch.time.value, ch.time.unit) == (20, TimeUnit.WORKING_DAY)
        assert [(f.kind, f.amount_vnd, f.text) for f in ch.fees] == [
            (FeeKind.AMOUNT, 7_500_000, "7.500.000 VNĐ")
        ]
    # the form's file name is printed over three lines of its narrow column
    doc = next(d for d in p.documents if d.name == "- Đơn đề nghị gia hạn Giấy chứng nhận;")
    assert (doc.form, doc.originals, doc.copies) == (
        "MaudondenghicaplaigiahanGiaychungnhandudieukienHkiemdinhkythuatATL.docx",
        1,
        None,
    )
    assert [d.name for d in p.documents][:2] == [
        "- Giấy chứng nhận đã được cấp;",
        "- Danh sách kiểm định viên;",
    ]


@needs_sample
@needs_pdftotext
def test_record_cases_and_channel_times_1_012787(sample) -> None:
    p = _rec(sample, "200_1.012787.pdf")
    assert p.code == "1.012787"
    assert p.title.startswith(
        "Đăng ký, cấp Giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất"
    )
    assert p.levels == [Level.TINH]
    times = {ch.kind: (ch.time.value, ch.time.unit) for ch in p.channels}
    assert times == {
        ChannelKind.TRUC_TUYEN: (8, TimeUnit.WORKING_DAY),
        ChannelKind.BUU_CHINH: (8, TimeUnit.WORKING_DAY),
        ChannelKind.TRUC_TIEP: (18, TimeUnit.WORKING_DAY),
    }
    assert all([f.kind for f in ch.fees] == [FeeKind.FREE] for ch in p.channels)
    cases = [d.case for d in p.documents]
    assert len(p.documents) == 13 and cases.count(cases[0]) == 7
    assert cases[0].startswith("Trường hợp 1: a) Đối với trường hợp chủ đầu tư dự án nộp hồ sơ đăng ký")
    doc = p.documents[9]
    assert (doc.name, doc.originals, doc.copies) == (
        "Đơn đăng ký biến động đất đai, tài sản gắn liền với đất theo Mẫu số 18",
        1,
        1,
    )
    assert doc.case.startswith(
        "Trường hợp 2: b) Đối với trường hợp người nhận chuyển nhượng quyền sử dụng đất"
    )


@needs_sample
@needs_pdftotext
def test_words_cut_at_page_breaks_are_rejoined(sample) -> None:
    """1.115729: "tài s" | "ản" (a document name cut by a page break) and the time cell continued
    over several pages ("thỏ" | "a thuận") read as printed words; several time limits stay text."""
    p = _rec(sample, "001_1.115729.pdf")
    case5 = [d for d in p.documents if d.case and d.case.startswith("Trường hợp 5:")]
    assert case5[0].name == "Mẫu số 24. Đơn đăng ký biến động đất đai, tài sản gắn liền với đất"
    assert case5[0].form == "Mẫu số 24.docx"
    online = next(ch for ch in p.channels if ch.kind is ChannelKind.TRUC_TUYEN)
    assert "do sự thỏa thuận của các thành viên hộ gia đình" in online.time.text
    assert online.time.value is None
    assert {(f.field, f.problem) for f in p.flags} == {
        ("time", "several time limits in one cell (kept as text)")
    }
    assert "Trực tuyến | a) Không quá 08 ngày làm việc" in p.raw["channels"]


@needs_sample
@needs_pdftotext
def test_page_headers_and_footers_are_dropped() -> None:
    """The same export with a running header and a page number on every page gives the same record."""
    text = pe.export_text(SAMPLE / "pdf" / "001_1.115729.pdf")
    pages = text.split("\f")
    assert len(pages) > 10
    n = len(pages)
    framed = "\f".join(
        f"Cổng Dịch vụ công Quốc gia\n{page}\n                                    Trang {i}/{n}\n"
        for i, page in enumerate(pages, 1)
    )
    plain = pe.parse_text(text, source_url="u", today=TODAY, exported=None)
    assert pe.parse_text(framed, source_url="u", today=TODAY, exported=None) == plain


@needs_sample
@needs_pdftotext
def test_docx_of_the_same_export_gives_the_same_record(tmp_path: Path) -> None:
    pdf = SAMPLE / "pdf" / "001_1.115729.pdf"
    text = pe.export_text(pdf)
    docx = _docx_from_export(pe.read_export(text), tmp_path / "ChiTietTTHC_1.115729.docx")
    docx_text = pe.export_text(docx)
    assert "\t" in docx_text and "\f" not in docx_text
    from_pdf = pe.parse_text(text, source_url="u", today=TODAY, exported=None)
    from_docx = pe.parse_text(docx_text, source_url="u", today=TODAY, exported=None)
    assert (from_docx.code, from_docx.title) == (from_pdf.code, from_pdf.title)
    assert from_docx.documents == from_pdf.documents and len(from_pdf.documents) > 30
    assert [c.time for c in from_docx.channels] == [c.time for c in from_pdf.channels]
    assert [c.fees for c in from_docx.channels] == [c.fees for c in from_pdf.channels]
    assert from_docx == from_pdf


@needs_sample
@needs_pdftotext
def test_time_stated_in_the_description_replaces_a_bare_zero(sample) -> None:
    """``Trực tiếp | 0 | Miễn phí | … Thời hạn giải quyết: theo tình hình thực tế …``: the cell's bare 0
    is not a time; the description states it."""
    p = _rec(sample, "030_5.003856.pdf")
    assert {ch.time.text for ch in p.channels} == {"Theo tình hình thực tế và yêu cầu quản lý"}
    assert not any(f.field == "time" for f in p.flags)


@needs_sample
@needs_pdftotext
def test_every_stated_time_in_the_sample_is_parsed(sample) -> None:
    """No export keeps a bare number as its time: each is a number with its unit, or the export's words."""
    bare = [
        (p.code, ch.time.text)
        for p in sample.values()
        if isinstance(p, Procedure)
        for ch in p.channels
        if ch.time and ch.time.value is None and re.fullmatch(r"[\d\s]+", ch.time.text)
    ]
    assert bare == []
