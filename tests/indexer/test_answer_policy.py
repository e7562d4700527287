"""The answer policy (``indexer/answer_policy.py``) on the real index: what a citizen gets for
a first question and its follow-ups. Expected values come from the records."""

from __future__ import annotations

import re

import pytest

from indexer.answer_composer import Part
from indexer.answer_policy import Context, answer_choice, answer_follow_up, answer_question, differences
from indexer.evaluate import USABLE_MAX_CHARS, heading_code

pytestmark = pytest.mark.slow


def test_documents_first_reply_is_short_and_names_the_ordinary_case(real):
    turn = answer_question(real, "Đăng ký khai sinh cần giấy tờ gì?")
    text = turn.answer.text
    head = "\n".join(text.splitlines()[:12]).lower()
    assert heading_code(text) == "1.001193" and len(text) <= USABLE_MAX_CHARS
    assert "tờ khai đăng ký khai sinh" in head and "giấy chứng sinh" in head
    assert "người tiếp nhận" not in text.lower(), "notes stay behind their button"
    assert {"1.001193|cases", "1.001193|notes"} <= {b.payload for b in turn.answer.buttons}
    assert turn.context.procedure_code == "1.001193"


def test_one_procedure_at_several_levels_is_answered_for_the_commune(real):
    turn = answer_question(real, "lam lai cccd bi mat can gi")
    text = turn.answer.text
    assert turn.answer.kind == "procedure" and heading_code(text) == "1.014064", text
    assert "cấp xã" in text.splitlines()[0]
    p = real.get_procedure("1.014064")
    for other in p.same_as:
        assert other in text, "one line says where else it is done"
    assert not re.search(r"cấp (xa|tinh|bo)\b", text)


def test_levels_that_differ_say_how():
    from knowledge.schema import Channel, ChannelKind, Level, Procedure, ProcessingTime, TimeUnit

    def proc(code, level, days):
        time = ProcessingTime(value=days, unit=TimeUnit.WORKING_DAY)
        return Procedure(code=code, title="X", levels=[level], channels=[Channel(kind=ChannelKind.TRUC_TIEP, time=time)],
                         source_dataset="t", imported_at="2026-11-27")  # fmt: skip

    assert differences(proc("a", Level.XA, 5), proc("b", Level.TINH, 5)) == []
    assert differences(proc("a", Level.XA, 5), proc("b", Level.TINH, 7)) == ["thời hạn 7 ngày làm việc"]


def test_a_detail_question_while_a_choice_is_pending_stays_on_the_offer(real):
    offered = ["3.000333", "3.000335", "3.000330"]
    context = Context(candidates=offered, pending_part="steps")
    turn = answer_follow_up(real, "bao lâu thì có", context=context)
    assert all(code in turn.answer.text for code in offered)
    assert "Thời hạn" in turn.answer.text and turn.context.candidates == offered
    chosen = answer_choice(real, 2, turn.context)
    assert heading_code(chosen.answer.text) == "3.000335" and chosen.answer.part == Part.TIME.value


def test_follow_ups_after_an_answer_stay_on_the_procedure(real):
    first = answer_question(real, "lam lai cccd bi mat can gi")
    for question, label in (("lệ phí bao nhiêu?", "Phí, lệ phí"), ("mấy ngày thì xong", "Thời hạn")):
        turn = answer_follow_up(real, question, context=first.context)
        assert heading_code(turn.answer.text) == "1.014064" and turn.answer.text.startswith(label), (
            turn.answer.text
        )


def test_a_follow_up_naming_another_procedure_changes_the_topic(real):
    first = answer_question(real, "đăng ký khai sinh cần giấy tờ gì")
    turn = answer_follow_up(real, "thế còn đăng ký kết hôn?", context=first.context)
    assert heading_code(turn.answer.text) == "1.000894"


@pytest.mark.parametrize("question", ["thế còn lệ phí?", "cần mang giấy tờ gì", "có làm online được không"])
def test_a_detail_with_nothing_under_discussion_asks_which_procedure(real, question):
    # near some record by chance ("mang theo", "online"): never answered as if it named one
    turn = answer_follow_up(real, question)
    assert turn.answer.kind == "ask" and "thủ tục nào" in turn.answer.text


def test_a_question_read_as_a_detail_that_names_a_record_is_answered(real):
    # the dialogue model may take "… ở đâu?" for a follow-up; with nothing under discussion the
    # message itself names the record, and the part is the one its last sentence asks
    story = "Bản án đã có hiệu lực mà bên kia không chịu trả nợ. Nộp đơn yêu cầu thi hành án dân sự ở đâu?"
    turn = answer_follow_up(real, story)
    assert turn.answer.kind == "procedure" and "thi hành án" in turn.answer.text.lower()
    assert turn.answer.text.startswith("Nơi nộp"), turn.answer.text[:80]


def test_a_follow_up_on_a_notice_stays_on_the_notice(real):
    first = answer_question(real, "Năm 2016 chỉ số cải cách hành chính của Tây Ninh xếp thứ mấy?")
    notice = first.context.notice_id
    assert notice and first.answer.kind == "notice"
    turn = answer_follow_up(real, "đạt bao nhiêu phần trăm", context=first.context)
    assert turn.answer.kind == "notice" and f"{notice}.txt" in turn.answer.text
    assert "%" in turn.answer.text


def test_situations_are_picked_by_number(real):
    first = answer_question(real, "đăng ký thường trú cần giấy tờ gì")
    assert heading_code(first.answer.text) == "1.004222"
    assert len(first.context.candidates) >= 5
    picked = answer_choice(real, 1, first.context)
    assert picked.answer.part == "cases:1" and "Trường hợp:" in picked.answer.text


def test_no_match_and_no_procedure_under_discussion(real):
    assert answer_question(real, "cách nấu phở bò ngon").no_match
    turn = answer_follow_up(real, "thế còn lệ phí?", context=Context())
    assert "thủ tục nào" in turn.answer.text


def test_an_area_the_records_do_not_hold_is_said_with_where_to_ask(real):
    """knowledge/coverage.yaml: a question closer to an area the knowledge base does not hold
    than to any record gets "no data" and the body to ask, not the nearest wrong procedure."""
    from knowledge.store import load_coverage

    areas = {a.area: a for a in load_coverage().outside}
    turn = answer_question(real, "vợ chồng em muốn ly hôn thuận tình thì nộp đơn ở đâu")
    assert turn.no_match and "chưa có dữ liệu" in turn.answer.text
    assert areas["Ly hôn"].ask in turn.answer.text
    # a procedure the records hold is still answered
    assert heading_code(answer_question(real, "đăng ký kết hôn cần giấy tờ gì").answer.text) == "1.000894"


def test_a_record_naming_an_abolished_level_says_so_and_a_fresh_twin_is_preferred(real):
    """knowledge/freshness.yaml: the district's "Trình báo mất hộ chiếu" (1.010385, "Công an
    huyện") is published at the same level as the commune's (1.010386): the fresh one is
    answered; asked directly, the stale one carries the notice with where to check."""
    from indexer.answer_policy import answer_procedure
    from knowledge.freshness import default_check

    stale, fresh = real.get_procedure("1.010385"), real.get_procedure("1.010386")
    assert default_check().stale(stale) and not default_check().stale(fresh)
    assert heading_code(answer_question(real, "trình báo mất hộ chiếu").answer.text) == "1.010386"
    turn = answer_procedure(real, stale, "summary")
    assert "có thể chưa cập nhật theo chính quyền địa phương hai cấp" in turn.answer.text
    assert "Ủy ban nhân dân cấp xã" in turn.answer.text and turn.answer.stale


def test_a_procedure_known_by_name_only_is_named_with_its_page_never_answered(real):
    """knowledge/known_procedures.yaml: no record answers, a list names the procedure. The reply says
    its details are not here, names it with its official page, and offers a human."""
    from knowledge.store import load_known_procedures

    known = {k.code: k for k in load_known_procedures()}
    turn = answer_question(real, "Tôi muốn bán lẻ rượu ở cửa hàng tạp hóa thì xin giấy phép gì")
    assert turn.no_match and turn.context.candidates == []
    text = turn.answer.text
    assert "chưa có hướng dẫn chi tiết" in text
    assert f"«{known['2.000620'].title}» (mã 2.000620)" in text and known["2.000620"].source_url in text
    assert "Gặp cán bộ" in text and "Nguồn: danh sách thủ tục" in text
    # nothing said about documents, time or fees: the list does not hold them
    assert "Giấy tờ" not in text and "Lệ phí:" not in text
    # a question no title is close to stays a plain "no data"
    assert "biết tên" not in answer_question(real, "cách nấu phở bò ngon").answer.text


@pytest.mark.parametrize("message", ["???", "…", "asdkjh qwe", "bạn ơi"])
def test_punctuation_gibberish_and_calls_get_a_plain_no_data(real, message):
    """Nothing to look up: neither a procedure (dense similarity alone once answered "???" with a
    căn cước procedure) nor an area we do not hold (a greeting is near one by meaning only)."""
    turn = answer_question(real, message)
    assert turn.no_match and turn.answer.kind == "no_match"
    assert "mã " not in turn.answer.text and "lĩnh vực" not in turn.answer.text
