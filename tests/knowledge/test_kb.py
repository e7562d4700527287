"""Knowledge base tests on real records. Most run on the committed ``knowledge/`` files; tests that
re-parse ``../shared`` skip cleanly when the raw data is absent."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest

from knowledge import store
from knowledge.importer import dvc_chatbot
from knowledge.report import CLEAN, FIELDS, build_report, core_clean
from knowledge.schema import ChannelKind, FeeKind, Level, TimeUnit
from knowledge.validate import validate_dir
from tthc.settings import get_settings

KDIR = Path(__file__).resolve().parents[2] / "knowledge"
RAW = get_settings().raw_data_dir
needs_raw = pytest.mark.skipif(
    not (RAW / "dvc-chatbot-tthc").is_dir(), reason="../shared raw data not present"
)


@pytest.fixture(scope="module")
def procs():
    return {p.code: p for p in store.load_procedures(KDIR)}


@pytest.fixture(scope="module")
def notices():
    return {n.id: n for n in store.load_notices(KDIR)}


def test_validate_whole_committed_kb():
    errors, n_proc, n_notice = validate_dir(KDIR)
    assert errors == []
    assert n_proc >= 2800 and n_notice == 5


def test_khai_sinh_three_channels_unit_from_the_page_free(procs):
    p = procs["1.001193"]
    assert p.title == "Thủ tục đăng ký khai sinh"
    assert p.levels == [Level.XA]
    assert {c.kind for c in p.channels} == {
        ChannelKind.TRUC_TUYEN,
        ChannelKind.BUU_CHINH,
        ChannelKind.TRUC_TIEP,
    }
    for ch in p.channels:
        # the time cell only says "1"; the unit is the page's own promise, quoted, never guessed
        assert ch.time.value == 1
        assert ch.time.unit is TimeUnit.WORKING_DAY
        assert "trả kết quả cho người yêu cầu trong ngày làm việc tiếp theo" in ch.time.text
        assert [f.kind for f in ch.fees] == [FeeKind.FREE]
    assert not any(f.field == "time" for f in p.flags)
    assert p.source_url.startswith("https://dichvucong.gov.vn/")
    assert p.source_dataset == "dvc-chatbot-tthc"


def test_khai_sinh_documents_complete(procs):
    docs = procs["1.001193"].documents
    # SAMPLES.md: 33 items, each ending with its "N bản chính" count
    assert len(docs) == 33
    names = [d.name for d in docs]
    assert any(n.startswith("- Giấy chứng sinh; trường hợp không có Giấy chứng sinh") for n in names)
    assert any(n.startswith("- Tờ khai đăng ký khai sinh theo mẫu") for n in names)
    assert any(n.startswith("- Hộ chiếu/Thẻ căn cước công dân/Thẻ căn cước") for n in names)
    assert any(n.startswith("- Văn bản ủy quyền (được chứng thực)") for n in names)
    giay_chung_sinh = next(d for d in docs if d.name.startswith("- Giấy chứng sinh"))
    assert (giay_chung_sinh.originals, giay_chung_sinh.case) == (1, "* Giấy tờ phải nộp:")
    cases = {d.case for d in docs}
    assert {"* Giấy tờ phải nộp:", "* Giấy tờ phải xuất trình:", "* Lưu ý:"} <= cases
    assert not any(re.search(r"\d bản chính", n) for n in names)


@needs_raw
def test_khai_sinh_documents_match_raw_counts():
    raw = json.loads((RAW / "dvc-chatbot-tthc/records/bo-tu-phap/1.001193.json").read_text(encoding="utf-8"))
    p = dvc_chatbot.parse_record(raw, dt.date.today())
    counts = [int(m) for m in re.findall(r"(\d) bản chính", raw["thanh_phan_ho_so"])]
    assert [d.originals for d in p.documents] == counts
    assert "1 Ngày" not in raw["raw_text"] and "Trực tuyến1Miễn phí" in raw["raw_text"]


def test_dang_ky_thuong_tru(procs):
    p = procs["1.004222"]
    assert p.field == "Đăng ký, quản lý cư trú"
    by_kind = {c.kind: c for c in p.channels}
    assert set(by_kind) == {ChannelKind.TRUC_TUYEN, ChannelKind.TRUC_TIEP}
    for ch in p.channels:
        assert (ch.time.value, ch.time.unit) == (7, TimeUnit.WORKING_DAY)
    assert by_kind[ChannelKind.TRUC_TUYEN].fees[0].amount_vnd == 10_000
    assert by_kind[ChannelKind.TRUC_TIEP].fees[0].amount_vnd == 20_000
    assert len(p.documents) == 18
    ct01 = [d for d in p.documents if d.name.startswith("Tờ khai thay đổi thông tin cư trú (mẫu CT01")]
    assert ct01 and all(d.originals == 1 for d in ct01)
    assert any(d.case == "Đăng ký thường trú vào chỗ ở hợp pháp do thuê, mượn, ở nhờ" for d in p.documents)
    legal = {lb.number: lb.title for lb in p.legal_bases}
    assert legal["68/2020/QH14"] == "Luật Cư trú 2020"
    assert legal["154/2024/NĐ-CP"].startswith("Nghị định quy định chi tiết")
    assert "58/2026/NĐ-CP" in legal and "66.7/2025/NQ-CP" in legal
    assert "Kết quả" not in p.result and "(mã KQ.G01.000064)" in p.result
    assert p.agency == "Công an cấp Xã"


def test_bqp_record(procs):
    p = procs["1.013124"]
    assert p.source_dataset == "bqp-nhdandz" and "ChiTietTTHC_1.013124.doc" in p.source_url
    assert p.levels == [Level.BO]
    assert len(p.channels) == 3
    for ch in p.channels:
        assert (ch.time.value, ch.time.unit) == (30, TimeUnit.WORKING_DAY)
        assert ch.fees[0].kind is FeeKind.FREE
    assert [(d.form, d.originals, d.copies) for d in p.documents] == [(None, 1, 0), ("5-PHLCII.doc", 1, 0)]
    assert p.legal_bases[0].number == "12/2021/QĐ-TTg"
    assert p.steps[0].startswith("Bước 1:") and p.steps[1].startswith("Bước 2:")


def test_portal_api_sample_replaces_crawled_copy(procs):
    p = procs["1.000931"]
    assert p.source_dataset == "dvc-api-duynghiaqn"
    ch = p.channels[0]
    assert (ch.kind, ch.time.value, ch.time.unit) == (ChannelKind.TRUC_TIEP, 5, TimeUnit.WORKING_DAY)
    assert ch.fees[0].kind is FeeKind.TEXT and "USD" in ch.fees[0].text
    assert p.documents[0].form == "NA15.pdf"
    assert procs["1.000358"].levels == [Level.TINH]


def test_same_as_links_both_directions(procs):
    linked = [p for p in procs.values() if p.same_as]
    assert linked
    for p in linked:
        for other in p.same_as:
            assert p.code in procs[other].same_as


def test_notice_quang_nam(notices):
    n = notices["003_41aac1df1b6c2370"]
    assert n.source_file == "003_41aac1df1b6c2370.txt"
    assert (n.number, n.date, n.province, n.type) == (
        "111/TB-UBND",
        dt.date(2019, 10, 31),
        "Quảng Nam",
        "Thông báo",
    )
    text = "\n".join(p for s in n.sections for p in s.paragraphs)
    assert "~~" not in text
    assert "Kế hoạch số 2005/KH-UBND ngày 16/4/2019" in text  # facts intact
    assert [s.heading for s in n.sections if s.heading][:3] == [
        "THÔNG BÁO",
        "I. Những kết quả đạt được",
        "II. Một số tồn tại, hạn chế",
    ]


def test_notice_tay_ninh_broken_words(notices):
    n = notices["000_d917af9ced3fa330"]
    text = "\n".join(p for s in n.sections for p in s.paragraphs)
    assert "TTHTC" not in text and "các TTHC gắn với" in text
    assert n.number == "4125/TB-VP" and n.province == "Tây Ninh"
    assert "*" not in text


def test_report_percentages(procs):
    r = build_report(list(procs.values()))
    for f in FIELDS:
        assert sum(r.counts[f].values()) == r.total
    assert r.core_clean == sum(core_clean(p) for p in procs.values())
    assert r.counts["documents"][CLEAN] / r.total > 0.95
    assert r.counts["channels"][CLEAN] / r.total > 0.95
    # real figure (units lost by the crawl and "Không có thông tin" fees are not counted as clean)
    assert 0.6 < r.core_clean / r.total < 1.0


def test_knowledge_hash_changes_with_content(tmp_path):
    kdir = tmp_path / "kb"
    for rel in ("procedures/bo-tu-phap/1.001193.yaml", "notices/003_41aac1df1b6c2370.md"):
        (kdir / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(KDIR / rel, kdir / rel)
    h1 = store.knowledge_hash(kdir)
    assert h1 == store.knowledge_hash(kdir)
    assert [p.code for p in store.load_procedures(kdir, use_cache=False)] == ["1.001193"]
    f = kdir / "procedures/bo-tu-phap/1.001193.yaml"
    f.write_text(f.read_text(encoding="utf-8").replace("Hộ tịch", "Hộ tịch (sửa)"), encoding="utf-8")
    assert store.knowledge_hash(kdir) != h1


def test_validate_reports_file_field_problem(tmp_path):
    kdir = tmp_path / "kb"
    (kdir / "procedures/x").mkdir(parents=True)
    (kdir / "procedures/x/9.999.yaml").write_text(
        "code: '9.999'\ntitle: T\nlevels: [tinh, planet]\n", encoding="utf-8"
    )
    errors, _, _ = validate_dir(kdir)
    assert any(e.startswith("procedures/x/9.999.yaml: levels.1:") for e in errors)
    assert any(e.startswith("procedures/x/9.999.yaml: source_dataset:") for e in errors)


def test_parse_flattened_channel_table():
    text = (
        "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tuyến5 Ngày làm việc70,000 VNĐ(70.000 đồng/Giấy chứng nhận)"
        "Dịch vụ bưu chính1Miễn phíTrực tiếpKhông có thông tinKhông có thông tinNộp tại Bộ phận một cửa"
    )
    chans, _flags, raw = dvc_chatbot.parse_channels(text)
    assert [c.kind for c in chans] == [ChannelKind.TRUC_TUYEN, ChannelKind.BUU_CHINH, ChannelKind.TRUC_TIEP]
    assert (chans[0].time.value, chans[0].time.unit, chans[0].fees[0].amount_vnd) == (
        5,
        TimeUnit.WORKING_DAY,
        70000,
    )
    assert chans[1].time.unit is TimeUnit.UNKNOWN and raw == text
    assert chans[2].time is None and chans[2].fees == [] and chans[2].description == "Nộp tại Bộ phận một cửa"


def test_parse_legal_glued_numbers():
    text = (
        "Tên văn bản pháp lýMã văn bảnLuật 60/2014/QH1360/2014/QH13Nghị định số 123/2015/NĐ-CP ngày 15/11/2015 "
        "của Chính phủ123/2015/NĐ-CPLuật Cư trú 202068/2020/QH14"
    )
    legal, flags, _ = dvc_chatbot.parse_legal(text)
    assert [(lb.number, lb.title) for lb in legal] == [
        ("60/2014/QH13", "Luật 60/2014/QH13"),
        ("123/2015/NĐ-CP", "Nghị định số 123/2015/NĐ-CP ngày 15/11/2015 của Chính phủ"),
        ("68/2020/QH14", "Luật Cư trú 2020"),
    ]
    assert flags == []


@needs_raw
@pytest.mark.parametrize(
    ("loader", "rel", "code"),
    [
        ("dvc", "dvc-chatbot-tthc/records/bo-cong-an/1.004222.json", "1.004222"),
        ("dvc", "dvc-chatbot-tthc/records/bo-tu-phap/1.001193.json", "1.001193"),
        ("bqp", "bqp-nhdandz/records/1.013133.json", "1.013133"),
    ],
)
def test_committed_records_match_importer(procs, loader, rel, code):
    """The committed files are what the current importer produces (re-run `tthc kb import` if not)."""
    from knowledge.importer import bqp
    from knowledge.importer.build import finish

    importer = dvc_chatbot.DvcChatbot() if loader == "dvc" else bqp.Bqp()
    item = next(s for s in importer.iter_sources(RAW) if s.path == RAW / rel)
    fresh = finish(importer.load_dated(item, procs[code].imported_at))
    committed = procs[code]
    assert fresh.model_dump(exclude={"same_as"}) == committed.model_dump(exclude={"same_as"})


@pytest.mark.parametrize(
    ("cell", "name", "form"),
    [
        (
            "Văn bản đề nghị hủy tài khoản điện tử (NA20).Mau NA20-BCA.docx",
            "Văn bản đề nghị hủy tài khoản điện tử (NA20).",
            "Mau NA20-BCA.docx",
        ),
        ("Danh sách theo mẫu;MauA.docxMauB.docx", "Danh sách theo mẫu;", "MauA.docx; MauB.docx"),
        (
            "Đề án đóng cửa mỏ khoáng sảnMau 19-Phu luc_39.2025.TT-BNNMT_02.7.2025.docx",
            "Đề án đóng cửa mỏ khoáng sản",
            "Mau 19-Phu luc_39.2025.TT-BNNMT_02.7.2025.docx",
        ),
        (
            "Tờ khai do cha, mẹ khai và ký tên.M01b (1).pdf",
            "Tờ khai do cha, mẹ khai và ký tên.",
            "M01b (1).pdf",
        ),
        ("Giấy chứng sinh", "Giấy chứng sinh", None),
    ],
)
def test_form_file_split(cell, name, form):
    assert dvc_chatbot._split_form(cell) == (name, form)


def test_same_procedure_at_several_levels_is_linked_despite_level_qualifiers(procs):
    """ "Cấp đổi thẻ căn cước" is published for xã, "(thực hiện tại cấp tỉnh)" and "(… trung ương)"."""
    assert set(procs["1.014063"].same_as) == {"2.001195", "1.000889"}
    assert "1.014063" in procs["2.001195"].same_as


def test_level_qualifier_removal_keeps_other_parentheses():
    from knowledge.importer.build import level_free_title

    assert level_free_title("Cấp đổi thẻ căn cước (thực hiện tại cấp tỉnh)") == "cấp đổi thẻ căn cước"
    assert level_free_title("Thủ tục X (cấp TW)") == "x"
    assert level_free_title("Đăng ký (cấp lại)") == "đăng ký cấp lại"


def test_coverage_file_names_areas_and_where_to_ask():
    coverage = store.load_coverage(KDIR)
    assert len(coverage.outside) >= 5
    for area in coverage.outside:
        assert area.ask and area.topics


def test_glued_time_and_fee_is_a_parse_failure_not_a_time(procs):
    # "Trực tuyến120 VNĐ(20.000 vnđ / tờ khai)": the time "1" and the amount share one run of digits
    p = procs["1.007882"]
    (ch,) = p.channels
    assert ch.time is None
    assert [(f.kind, f.text) for f in ch.fees] == [(FeeKind.TEXT, "20.000 vnđ / tờ khai")]
    assert {(f.field, f.problem) for f in p.flags} >= {
        ("time", dvc_chatbot.GLUED_PROBLEM),
        ("fees", dvc_chatbot.GLUED_PROBLEM),
    }


def test_unit_lost_only_when_the_page_states_none(procs):
    # a bare "1" whose page holds no time statement at all stays unknown and flagged as a source gap
    p = procs["1.001066"]
    assert p.channels[0].time.unit is TimeUnit.UNKNOWN
    assert ("time", dvc_chatbot.UNIT_LOST) in {(f.field, f.problem) for f in p.flags}


def test_report_separates_source_gaps_from_parse_failures(procs):
    from knowledge.report import build_report, format_report

    r = build_report([procs["1.001193"], procs["1.007882"], procs["1.001066"]])
    assert (r.unit_recovered, r.unit_lost, r.time_failed, r.time_no_info) == (1, 1, 1, 0)
    text = format_report(r)
    assert "the source does not state it" in text and "we failed to parse it" in text


@pytest.mark.parametrize(
    ("code", "unit", "evidence"),
    [
        # "gửi thông báo chấp nhận … chậm nhất 01 ngày làm việc kể từ ngày ghi trên thông báo tiếp nhận"
        ("1.008323", TimeUnit.WORKING_DAY, "chậm nhất 01 ngày làm việc"),
        # "04 tháng đối với cấp Giấy chứng nhận loại, kể từ khi nhận được hồ sơ"
        ("1.004408", TimeUnit.MONTH, "kể từ khi nhận"),
        # "Trực tuyến1 Ngày làm việc … Trực tiếp1Miễn phí": the other row of the same table
        ("1.011042", TimeUnit.WORKING_DAY, "như hình thức nộp khác"),
    ],
)
def test_a_unit_the_page_states_is_recovered_with_its_evidence(procs, code, unit, evidence):
    p = procs[code]
    assert all(ch.time.unit is unit for ch in p.channels if ch.time and ch.time.value is not None)
    assert any(evidence in ch.time.text for ch in p.channels if ch.time)
    assert not any(f.problem == dvc_chatbot.UNIT_LOST for f in p.flags)


def test_a_fee_the_description_states_is_recovered(procs):
    """The fee cell says "Không có thông tin"; the description: "- Lệ phí : 20.000 Đồng (…); - Lệ phí :
    50.000 Đồng (…)"."""
    for ch in procs["1.003135"].channels:
        assert "20.000 đồng/giấy" in ch.fees[0].text
        assert (ch.fees[1].kind, ch.fees[1].amount_vnd) == (FeeKind.AMOUNT, 50_000)
