"""Life events: the phrase matcher (pure) and each event's flow through the answer policy
(real index): the event's procedures listed in order, a typed number opening one, a
follow-up about all of them, and a procedure question never taken for an event."""

from __future__ import annotations

import pytest

from indexer.answer_policy import answer_choice, answer_follow_up, answer_question
from indexer.life_events import LifeEventMatcher, Phrase, tokens
from knowledge.schema import LifeEvent
from knowledge.store import load_life_events

EVENTS = {e.id: e for e in load_life_events()}

# one message per event, with and without diacritics (written for this test, not the eval set)
MESSAGES = {
    "sinh-con": ("vợ tôi vừa sinh em bé, giờ làm giấy tờ gì", "em moi sinh con xong can lam gi"),
    "ket-hon": ("hai đứa sắp cưới thì phải làm thủ tục gì", "toi sap lay vo can lam gi"),
    "nguoi-than-qua-doi": (
        "bố tôi mới mất, gia đình phải làm gì",
        "ong noi em qua doi roi can lam giay to gi",
    ),
    "ly-hon": ("vợ chồng tôi muốn ly hôn", "muon ly di thi lam the nao"),
    "chuyen-nha": ("tôi mới chuyển nhà sang tỉnh khác", "em moi len ha noi thue tro"),
    "mua-xe": ("tôi vừa mua xe máy mới", "moi tau oto can lam gi"),
    "mua-ban-xe-cu": ("mua lại xe cũ của người quen", "ban xe may cu can lam gi"),
    "hoc-lai-xe": ("bằng lái sắp hết hạn thì làm sao", "hoc lai xe xong thi lay bang the nao"),
    "mat-giay-to": ("tôi bị mất ví, mất hết giấy tờ", "bi moc tui mat vi roi"),
    "con-du-14-tuoi": ("con tôi sắp đủ 14 tuổi, làm căn cước thế nào", "lam cccd cho con nho"),
    "di-nuoc-ngoai": ("chuẩn bị đi du học Nhật cần gì", "sap di xuat khau lao dong can giay to gi"),
    "xin-viec": ("đi xin việc cần chuẩn bị giấy tờ gì", "ho so xin viec gom nhung gi"),
    "mua-nha-dat": ("tôi định mua mảnh đất", "mua nha can lam thu tuc gi"),
    "xay-nha": ("nhà tôi định xây nhà mới", "sua nha co can xin phep khong"),
    "mo-cua-hang": ("tôi muốn mở quán ăn nhỏ", "muon mo tiem tap hoa"),
    "thanh-lap-cong-ty": ("muốn thành lập công ty thì làm thế nào", "toi dinh mo cong ty rieng"),
    "nghi-huu": ("sắp về hưu cần làm thủ tục gì", "sap nghi huu can lam gi"),
    "mat-viec": ("tôi vừa bị mất việc", "nghi viec roi thi lam gi"),
    "nhan-con-nuoi": ("vợ chồng tôi muốn nhận con nuôi", "xin con nuoi can thu tuc gi"),
    "nhap-ngu": ("con trai tôi sắp đi nghĩa vụ quân sự", "sap di nghia vu quan su"),
}


def test_at_least_fifteen_events_each_with_a_flow_here() -> None:
    assert len(EVENTS) >= 15
    assert set(MESSAGES) == set(EVENTS), "every event has a conversation test below"


def test_phrase_syntax() -> None:
    phrase = Phrase.parse("bố|mẹ * qua đời|mất .")
    assert phrase.match(tokens("Bố tôi mới mất.")) == 3  # bố, mất and the full stop
    assert phrase.match(tokens("bo toi moi mat")) == 3, "the end of the message counts as punctuation"
    assert phrase.match(tokens("mẹ tôi làm mất sổ hộ khẩu")) == 0, "«mất» with an object is not a death"
    assert phrase.match(tokens("bố tôi, hôm qua, qua đời")) == 0, "a gap never crosses punctuation"
    assert Phrase.parse("sinh con").match(tokens("sinh con")) == 2


def test_a_message_with_diacritics_is_matched_with_them() -> None:
    """Folded, "tui … rồi" would read "túi … rơi" (a lost bag); typed with diacritics it is not."""
    matcher = LifeEventMatcher([EVENTS["mat-giay-to"]])
    assert matcher.match("Cảm ơn nha, để tui về hỏi lại rồi nhắn sau.") is None
    assert matcher.match("tôi bị mất ví, mất hết giấy tờ") is not None
    assert matcher.match("toi bi mat vi, mat het giay to") is not None


def test_chat_abbreviations_are_matched_in_their_expanded_form() -> None:
    from indexer.query import analyze_query

    matcher = LifeEventMatcher([EVENTS["ly-hon"]])
    text = "e muon don phuong chia tay ck"
    assert matcher.match(text, [analyze_query(text).normalized]) is not None


def test_both_tone_mark_placements_and_no_diacritics_match_alike() -> None:
    matcher = LifeEventMatcher([EVENTS["nguoi-than-qua-doi"], EVENTS["mo-cua-hang"]])
    for text in ("ông ngoại tôi từ trần", "ông ngoại tôi từ trần".upper(), "ong ngoai toi tu tran"):
        assert matcher.match(text).event.id == "nguoi-than-qua-doi"
    for text in ("muốn mở tiệm tạp hoá", "muốn mở tiệm tạp hóa", "muon mo tiem tap hoa"):
        assert matcher.match(text).event.id == "mo-cua-hang", text


def test_the_stronger_phrase_wins_and_ties_go_to_the_earlier_event() -> None:
    used = LifeEvent(id="xe-cu", title="Xe cũ", phrases=["mua xe cũ"])
    new = LifeEvent(id="xe-moi", title="Xe mới", phrases=["mua * xe"])
    assert LifeEventMatcher([new, used]).match("tôi mua xe cũ").event.id == "xe-cu"
    twin = LifeEvent(id="xe-2", title="Xe", phrases=["mua * xe"])
    assert LifeEventMatcher([new, twin]).match("mua chiếc xe").event.id == "xe-moi"


@pytest.mark.parametrize("event_id", sorted(MESSAGES))
def test_event_flow(real, event_id: str) -> None:
    event = EVENTS[event_id]
    held = [s for s in event.steps if real.get_procedure(s.code) is not None]
    for message in MESSAGES[event_id]:
        turn = answer_question(real, message)
        if turn.no_match:  # the question is about an area not held (divorce: the court): said,
            assert "chưa có dữ liệu" in turn.answer.text, (message, turn.answer.text)
            # with the event's list one tap away
            assert turn.answer.buttons[0].payload == f"event:{event_id}", (message, turn.answer.buttons)
            turn = answer_follow_up(real, "", context=turn.context, event=event_id)
        if turn.answer.kind == "procedure":  # it names one of the event's procedures: the list is a tap away
            codes = {s.code for s in held} | {c for s in held for c in real.get_procedure(s.code).same_as}
            assert turn.answer.code in codes, (message, turn.answer.text)
            assert turn.answer.buttons[0].payload == f"event:{event_id}", (message, turn.answer.buttons)
            turn = answer_follow_up(real, "", context=turn.context, event=event_id)
        assert turn.answer.kind == "event" and turn.answer.code == event_id, (message, turn.answer.text)
        text = turn.answer.text
        positions = [text.index(f"mã {s.code}") for s in held]
        assert positions == sorted(positions), "the steps in the curated order"
        for step in held:
            if step.deadline:
                assert step.deadline in text
        for gap in event.gaps:
            assert gap.what in text, "what the knowledge base lacks is said, not skipped"
        assert len(turn.answer.buttons) == len(turn.context.candidates) >= len(held)
        assert len(text) <= 1800
    first = answer_choice(real, 1, turn.context)
    assert first.answer.kind == "procedure" and first.answer.code == held[0].code
    assert first.answer.part == "documents"
    fees = answer_follow_up(real, "lệ phí bao nhiêu?", context=turn.context)
    for step in held:
        assert step.code in fees.answer.text


@pytest.mark.parametrize(
    "question",
    ["đăng ký khai sinh cần giấy tờ gì", "làm lại CCCD bị mất cần gì", "lệ phí cấp hộ chiếu bao nhiêu",
     "dang ky ket hon can giay to gi", "thủ tục đăng ký khai tử"],
)  # fmt: skip
def test_a_procedure_question_is_not_an_event(real, question: str) -> None:
    assert answer_question(real, question).answer.kind == "procedure"


def test_an_event_that_asks_one_procedures_time_gets_that_procedure(real) -> None:
    turn = answer_question(real, "bố tôi mới mất, làm khai tử mất bao lâu")
    assert turn.answer.kind == "procedure" and turn.answer.code == "1.000656"


def test_a_time_question_naming_a_day_gets_the_estimated_result_day(real) -> None:
    """Đăng ký tạm trú states 3 working days; submitted on Friday 05/02/2027 (the last day
    of the lunar year) the result skips Tết and the compensatory days."""
    import datetime as dt

    p = real.get_procedure("1.004194")
    assert {(c.time.value, c.time.unit.value) for c in p.channels if c.time} == {(3, "ngày làm việc")}
    context = answer_question(real, "đăng ký tạm trú").context
    turn = answer_follow_up(
        real, "nộp thứ Sáu này thì bao giờ lấy được?", context=context, today=dt.date(2027, 2, 1)
    )
    text = turn.answer.text
    assert "thứ Sáu, 05/02/2027" in text and "thứ Ba, 16/02/2027" in text, text
    assert "ngày làm việc, không tính thứ Bảy, Chủ nhật" in text and "Tết Nguyên đán" in text
    assert "ước tính" in text
    # the kết hôn page states no unit for its "1" (khai sinh's states one: the same working day)
    unknown = answer_question(real, "đăng ký kết hôn nộp hôm nay bao giờ lấy", today=dt.date(2027, 2, 1))
    assert "không tính được ngày có kết quả" in unknown.answer.text
    how_long = answer_follow_up(real, "mất bao lâu?", context=context, today=dt.date(2027, 2, 1))
    assert "dự kiến" not in how_long.answer.text, "a duration question gets the duration only"


def test_a_part_of_one_procedure_asked_within_an_event_gets_it_with_the_event_one_tap_away(real) -> None:
    from bot.actions.replies import rasa_buttons

    turn = answer_question(real, "bé nhà mình mới đẻ được 1 tuần, làm giấy khai sinh ở đâu ạ")
    assert turn.answer.kind == "procedure" and turn.answer.code == "1.001193"
    assert "Khi sinh con, bạn thường còn cần: Đăng ký thường trú" in turn.answer.text
    button = turn.answer.buttons[0]
    assert button.title == "Việc cần làm: Sinh con"
    assert rasa_buttons(turn.answer)[0]["payload"] == '/ask_detail{"life_event": "sinh-con"}'
    opened = answer_follow_up(real, "/ask_detail", context=turn.context, event="sinh-con")
    assert opened.answer.kind == "event" and opened.answer.code == "sinh-con"
    assert answer_choice(real, 2, opened.context).answer.code == "1.004222"


def test_an_unless_phrase_rules_the_event_out() -> None:
    from knowledge.schema import LifeEvent

    wedding = LifeEvent(id="ket-hon", title="Kết hôn", phrases=["đám cưới|cưới"], unless=["mở nhạc|karaoke"])
    matcher = LifeEventMatcher([wedding])
    assert matcher.match("tháng sau em làm đám cưới, cần giấy tờ gì").event.id == "ket-hon"
    assert matcher.match("đám cưới nhà bên mở nhạc to quá") is None
    assert matcher.match("dam cuoi nha ben mo nhac to qua") is None


def test_an_event_list_also_offers_the_procedure_the_message_matches_best(real) -> None:
    """ "Thêm tên vợ vào sổ đỏ" within a land purchase: the purchase's steps, then the
    registration of the change the search is sure of (not one of the event's), numbered after
    them and opened by its number."""
    event = EVENTS["mua-nha-dat"]
    turn = answer_question(real, "tôi mới mua mảnh đất, giờ muốn thêm tên vợ vào sổ đỏ thì làm thủ tục gì")
    assert turn.answer.kind == "event" and turn.answer.code == "mua-nha-dat"
    asked = turn.context.candidates[-1]
    assert asked not in {s.code for s in event.steps}
    n = len(turn.context.candidates)
    assert f"Thủ tục gần nhất với câu bạn hỏi:\n{n}. " in turn.answer.text
    assert f"mã {asked}" in turn.answer.text and asked in turn.answer.buttons[-1].payload
    assert answer_choice(real, n, turn.context).answer.code == asked
    # a message that only tells the event gets the event's own steps, nothing more
    plain = answer_question(real, "tôi định mua mảnh đất")
    assert set(plain.context.candidates) <= {s.code for s in event.steps} | set(event.combined)


def test_the_event_line_under_an_answer_never_doubles_its_ellipsis(real) -> None:
    text = answer_question(real, "khai tử cần gì").answer.text
    line = next(x for x in text.splitlines() if "bạn thường còn cần" in x)
    assert "……" not in line and "…" in line, line  # a shortened name, then more steps
