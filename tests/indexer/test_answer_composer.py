"""The answer composer: part detection, and no number that is not in the record."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from indexer.answer_composer import Part, compose_notice, compose_procedure, detect_part, parse_part
from indexer.dossier import dossier
from knowledge.schema import (
    Channel,
    ChannelKind,
    Document,
    DocumentRole,
    Fee,
    FeeKind,
    LegalBasis,
    Level,
    Notice,
    NoticeSection,
    Procedure,
    ProcessingTime,
    TimeUnit,
)


def _proc() -> Procedure:
    return Procedure(
        code="1.001193",
        title="Thủ tục đăng ký khai sinh",
        field="Hộ tịch",
        levels=[Level.XA],
        agency="Ủy ban nhân dân cấp xã",
        channels=[
            Channel(kind=ChannelKind.TRUC_TIEP, time=ProcessingTime(value=3, unit=TimeUnit.WORKING_DAY),
                    fees=[Fee(kind=FeeKind.AMOUNT, amount_vnd=8000, label="Lệ phí")]),
            Channel(kind=ChannelKind.TRUC_TUYEN, time=ProcessingTime(value=1, unit=TimeUnit.UNKNOWN),
                    fees=[Fee(kind=FeeKind.FREE, text="Miễn phí")]),
        ],
        steps=["- Nộp hồ sơ", "- Nhận kết quả"],
        documents=[Document(name="Tờ khai đăng ký khai sinh", form="Mẫu TK-01", originals=1),
                   Document(name="Giấy chứng sinh", copies=2),
                   Document(name="Hộ chiếu hoặc thẻ căn cước", originals=1, role=DocumentRole.SHOW),
                   Document(name="Trường hợp ủy quyền: văn bản ủy quyền", originals=1,
                            role=DocumentRole.CONDITIONAL),
                   Document(name="Lưu ý: người tiếp nhận kiểm tra hồ sơ", originals=0, role=DocumentRole.NOTE)],
        legal_bases=[LegalBasis(number="123/2015/NĐ-CP", title="Nghị định")],
        source_url="https://dichvucong.gov.vn/x",
        source_dataset="test",
        imported_at=dt.date(2026, 11, 23),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("q", "part"),
    [
        ("Đăng ký khai sinh cần giấy tờ gì?", Part.DOCUMENTS),
        ("dang ky khai sinh can giay to gi", Part.DOCUMENTS),
        ("làm căn cước mất bao lâu", Part.TIME),
        ("lam can cuoc mat may ngay", Part.TIME),
        ("đăng ký kết hôn mất bao nhiêu tiền", Part.FEE),
        ("le phi cap ho chieu", Part.FEE),
        ("nộp hồ sơ tạm trú ở đâu", Part.AGENCY),
        ("co quan nao giai quyet", Part.AGENCY),
        ("có làm online được không", Part.CHANNELS),
        ("nop truc tuyen duoc khong", Part.CHANNELS),
        ("mẫu tờ khai khai sinh", Part.FORMS),
        ("trình tự thực hiện thế nào", Part.STEPS),
        ("đăng ký khai sinh", Part.SUMMARY),
        ("các trường hợp đặc biệt thì sao", Part.CASES),
        ("có lưu ý gì không", Part.NOTES),
        ("khi nào xong", Part.TIME),
        # a story: its last sentence that names a part is the question
        ("Tòa xử cho tôi nhận lại tiền cho vay. Tôi nộp đơn thi hành án ở đâu?", Part.AGENCY),
        ("Làm hộ chiếu mất bao lâu? Tôi cần gấp.", Part.TIME),
        ("hồ sơ nộp rồi, đóng 3.5 triệu tiền gì vậy", Part.FEE),
    ],
)
def test_detect_part(q, part):
    assert detect_part(q) == part


def _digits(text: str) -> set[str]:
    # numbers with thousand separators / decimal commas normalised: 8.000 → 8000, 1,5 → 1.5
    text = re.sub(r"(?<=\d)\.(?=\d{3}\b)", "", text)
    return set(re.findall(r"\d+(?:,\d+)?", text))


@pytest.mark.parametrize("part", list(Part))
def test_composer_never_outputs_a_number_absent_from_the_record(part):
    p = _proc()
    ans = compose_procedure(p, part)
    from tthc.settings import get_settings

    record = p.model_dump_json() + get_settings().office_contact  # where to confirm a missing value
    body = ans.text
    # list numbering and counts of the record's own rows are derived, not facts
    body = re.sub(r"(?m)^\d+\. ", "", body)
    view = dossier(p)
    allowed_derived = {str(n) for n in (len(p.documents), view.case_count(), len(view.notes))}
    for num in _digits(body) - allowed_derived:
        assert num.replace(",", ".") in record or num in record, (part, num, ans.text)
    assert "1.001193" in ans.text and "https://dichvucong.gov.vn/x" in ans.text
    assert ans.citations[0].code == "1.001193"


def test_unknown_unit_is_said_with_where_to_confirm():
    ans = compose_procedure(_proc(), Part.TIME)
    assert "«1» (hồ sơ thủ tục không ghi đơn vị" in ans.text
    assert "3 ngày làm việc (trực tiếp)" in ans.text
    assert "nơi nộp hồ sơ" in ans.text and "https://dichvucong.gov.vn/x" in ans.text


def test_where_to_submit_names_the_office_the_level_and_the_ways_in():
    p = _proc()
    p.channels.append(Channel(kind=ChannelKind.BUU_CHINH))
    p.channels.append(p.channels[0].model_copy())  # a repeated channel row
    items = compose_procedure(p, Part.AGENCY).items
    assert items == [
        "Cơ quan thực hiện: Ủy ban nhân dân cấp xã",
        "Cấp thực hiện: cấp xã",
        "Cách nộp: trực tiếp, trực tuyến, qua dịch vụ bưu chính",
    ]
    p.channels, p.agency = [], None
    assert compose_procedure(p, Part.AGENCY).items == ["Cấp thực hiện: cấp xã"]


def test_same_value_on_every_channel_is_said_once():
    p = _proc()
    p.channels[1].time = ProcessingTime(value=3, unit=TimeUnit.WORKING_DAY)
    p.channels.append(p.channels[0].model_copy())  # a repeated channel row
    ans = compose_procedure(p, Part.TIME)
    assert ans.items == ["3 ngày làm việc"]
    assert compose_procedure(p, Part.CHANNELS).items == ["Trực tiếp", "Trực tuyến"]


def test_a_channel_description_loses_the_record_s_leading_dash():
    p = _proc()
    p.channels[1].description = "- Qua ứng dụng VNeID"
    assert "Trực tuyến — Qua ứng dụng VNeID" in compose_procedure(p, Part.CHANNELS).items


def test_first_reply_lists_the_ordinary_case_and_offers_the_rest():
    assert "8.000 đồng" in compose_procedure(_proc(), Part.FEE).text
    docs = compose_procedure(_proc(), "documents")
    assert docs.items == [
        "Tờ khai đăng ký khai sinh — mẫu TK-01",
        "Giấy chứng sinh (2 bản sao)",
        "Hộ chiếu hoặc thẻ căn cước",
    ]
    assert "1. Tờ khai" in docs.text and "3. Hộ chiếu hoặc thẻ căn cước" in docs.text
    assert "ủy quyền" not in docs.text and "người tiếp nhận" not in docs.text
    payloads = [b.payload for b in docs.buttons]
    assert "1.001193|cases" in payloads and "1.001193|notes" in payloads
    assert "văn bản ủy quyền" in compose_procedure(_proc(), Part.CASES).text
    assert "người tiếp nhận" in compose_procedure(_proc(), Part.NOTES).text


def test_every_row_is_shown_somewhere():
    """First reply + special cases + notes (+ the full wording) = every row of the record."""
    p = _proc()
    parts = (Part.DOCUMENTS, Part.CASES, Part.NOTES, "documents:full")
    shown = " ".join(compose_procedure(p, part).text for part in parts)
    for d in p.documents:
        assert d.name.split(":")[-1].strip() in shown, d.name


def test_levels_are_written_with_diacritics():
    p = _proc()
    p.levels = [Level.XA, Level.TINH, Level.BO]
    text = compose_procedure(p, Part.SUMMARY).text
    assert "cấp xã, cấp tỉnh, cấp Bộ" in text
    assert not re.search(r"cấp (xa|tinh|bo)\b", text)


def test_parse_part():
    assert parse_part("cases:2") == (Part.CASES, "2")
    assert parse_part("steps:all") == (Part.STEPS, "all")
    assert parse_part("nonsense") == (Part.SUMMARY, None)


def test_missing_field_is_said_not_invented():
    p = _proc()
    p.conditions = ""
    ans = compose_procedure(p, Part.CONDITIONS)
    assert "Hồ sơ thủ tục không ghi yêu cầu, điều kiện nào" in ans.text and "Bộ phận Một cửa" in ans.text


def test_notice_answer_quotes_and_cites():
    n = Notice(id="003_x", source_file="003_x.txt", number="111/TB-UBND", date=dt.date(2019, 10, 31),
               issuer="UBND tỉnh Quảng Nam", title="Kết luận kiểm tra",
               sections=[NoticeSection(paragraphs=["Năm 2018 thị xã dẫn đầu."])])  # fmt: skip
    ans = compose_notice(n, "Năm 2018 thị xã dẫn đầu.")
    for s in ("“Năm 2018 thị xã dẫn đầu.”", "111/TB-UBND", "31/10/2019", "UBND tỉnh Quảng Nam", "003_x.txt"):
        assert s in ans.text


def test_a_unit_read_from_the_page_is_said_with_the_pages_words():
    from indexer.answer_composer import fmt_time
    from knowledge.importer.common import RECOVERED_UNIT_NOTE

    t = ProcessingTime(
        value=1,
        unit=TimeUnit.WORKING_DAY,
        text=f"1 ({RECOVERED_UNIT_NOTE}: “nếu tiếp nhận hồ sơ sau 15 giờ thì … trả kết quả trong ngày làm việc tiếp theo”)",
    )
    assert fmt_time(t) == (
        "1 ngày làm việc (trang thủ tục ghi: “nếu tiếp nhận hồ sơ sau 15 giờ thì … trả kết quả trong ngày làm việc tiếp theo”)"
    )
    assert (
        fmt_time(ProcessingTime(value=7, unit=TimeUnit.WORKING_DAY, text="7 Ngày làm việc"))
        == "7 ngày làm việc"
    )


def test_the_level_note_stays_one_short_line_however_many_copies():
    from types import SimpleNamespace

    from indexer.answer_composer import LEVEL_NOTE_SHOWN, LevelNote

    long_diff = "thời hạn " + "; ".join(f"{d} ngày làm việc (trực tiếp, trực tuyến)" for d in range(5, 40, 3))
    others = [(SimpleNamespace(levels=[], code=f"1.1155{i:02d}"), [long_diff]) for i in range(8)]
    text = LevelNote(others=others).text()
    assert text.count("\n") == 0 and len(text) < 400, text
    assert all(f"1.1155{i:02d}" in text for i in range(8)), "every copy is named by its code"
    assert text.count("thời hạn") == LEVEL_NOTE_SHOWN and f"và {8 - LEVEL_NOTE_SHOWN} nơi khác" in text
