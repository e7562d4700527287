"""Multi-turn conversations through a running Rasa server and action server (REST).

Each test is one citizen behaviour of the dialogue issue; expected values are read
from the knowledge record itself, never typed into the test.
"""

from __future__ import annotations

import json
import sqlite3
import uuid

import pytest

from knowledge.schema import ChannelKind
from knowledge.store import load_procedures
from tthc.stack.servers import Bot

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def procedures():
    return {p.code: p for p in load_procedures()}


def new_sender(tag: str) -> str:
    return f"{tag}-{uuid.uuid4().hex[:10]}"


def text_of(messages: list[dict]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


def buttons_of(messages: list[dict]) -> list[dict]:
    return [b for m in messages for b in m.get("buttons") or []]


def slot_events(bot: Bot, sender: str) -> list[dict]:
    with sqlite3.connect(bot.tracker_db) as db:
        rows = db.execute(
            "select data from events where sender_id = ? and type_name = 'slot' order by id", (sender,)
        ).fetchall()
    return [json.loads(row[0]) for row in rows]


def test_summary_then_follow_ups_keep_the_procedure(bot: Bot, procedures) -> None:
    sender = new_sender("followup")
    first = bot.say(sender, "thủ tục đăng ký tạm trú")
    answer = text_of(first)
    assert "1.004194" in answer, answer
    assert "dichvucong.gov.vn" in answer
    assert buttons_of(first), "a summary offers buttons for the details"

    fee = text_of(bot.say(sender, "thế còn lệ phí?"))
    assert "1.004194" in fee and "phí" in fee.lower()
    for channel in procedures["1.004194"].channels:
        for item in channel.fees:
            if item.amount_vnd:
                assert f"{item.amount_vnd:,}".replace(",", ".") in fee or str(item.amount_vnd) in fee

    online = text_of(bot.say(sender, "nộp online được không?"))
    assert "1.004194" in online
    if any(c.kind == ChannelKind.TRUC_TUYEN for c in procedures["1.004194"].channels):
        assert "Trực tuyến" in online

    time_answer = text_of(bot.say(sender, "mất bao lâu?"))
    assert "1.004194" in time_answer and "Thời hạn" in time_answer


def test_button_click_asks_a_detail_of_the_same_procedure(bot: Bot) -> None:
    sender = new_sender("button")
    first = bot.say(sender, "Đăng ký khai sinh cần giấy tờ gì?")
    fee_button = next(b for b in buttons_of(first) if "phí" in b["title"].lower())
    answer = text_of(bot.say(sender, fee_button["payload"]))
    assert "1.001193" in answer and "Miễn phí" in answer


def test_typing_without_diacritics_and_abbreviations(bot: Bot) -> None:
    answer = text_of(bot.say(new_sender("nodiac"), "dang ky khai sinh cho be can giay to gi"))
    assert "1.001193" in answer
    answer = text_of(bot.say(new_sender("abbr"), "đk kết hôn cần những gì"))
    assert "1.000894" in answer


def test_situations_are_a_numbered_choice_that_accepts_a_typed_number(bot: Bot, procedures) -> None:
    """A dossier that depends on the citizen's situation lists the situations; typing the
    number shows that situation's documents."""
    sender = new_sender("choice")
    text = text_of(bot.say(sender, "đăng ký thường trú cần giấy tờ gì"))
    assert "1.004222" in text.splitlines()[0] and "\n2. " in text, text
    answer = text_of(bot.say(sender, "2"))
    assert "1.004222" in answer and "Trường hợp:" in answer, answer
    second = procedures["1.004222"].documents
    situations = list(dict.fromkeys(d.case for d in second if d.role.value == "conditional"))
    assert situations[1].split(",")[0] in answer


def test_one_procedure_at_three_levels_is_answered_without_a_quiz(bot: Bot, procedures) -> None:
    sender = new_sender("levels")
    first = text_of(bot.say(sender, "lam lai cccd bi mat can gi"))
    assert "1.014064" in first.splitlines()[0] and "bạn muốn hỏi" not in first.lower(), first
    assert "cấp xã" in first and "cấp tỉnh" in first and "cấp Bộ" in first
    assert "DC02" in first, "the form is named"
    fee = text_of(bot.say(sender, "lệ phí bao nhiêu?"))
    assert "1.014064" in fee.splitlines()[0] and "70.000 đồng" in fee, fee
    time = text_of(bot.say(sender, "mấy ngày thì xong"))
    assert "1.014064" in time.splitlines()[0] and "7 ngày làm việc" in time, time


def test_a_detail_after_alternatives_stays_on_the_answered_procedure(bot: Bot) -> None:
    sender = new_sender("lltp")
    first = text_of(bot.say(sender, "lý lịch tư pháp làm thế nào"))
    code = first.splitlines()[0].split("(mã ")[1].split(",")[0].split(")")[0]
    assert "lý lịch tư pháp" in first.splitlines()[0].lower(), first
    follow = text_of(bot.say(sender, "bao lâu thì có"))
    assert code in follow.splitlines()[0] and "Thời hạn" in follow, follow


def test_special_cases_button_lists_the_conditional_documents(bot: Bot, procedures) -> None:
    sender = new_sender("cases")
    first = bot.say(sender, "Đăng ký khai sinh cần giấy tờ gì?")
    assert len(text_of(first)) <= 1800
    button = next(b for b in buttons_of(first) if b["title"].startswith("Trường hợp riêng"))
    cases = text_of(bot.say(sender, button["payload"]))
    for d in procedures["1.001193"].documents:
        if d.role.value == "conditional":
            assert d.name.lstrip("-+ ")[:40] in cases, d.name


def test_a_follow_up_on_a_notice_stays_on_the_notice(bot: Bot) -> None:
    sender = new_sender("noticefollow")
    first = text_of(bot.say(sender, "Năm 2016 chỉ số cải cách hành chính của Tây Ninh xếp thứ mấy?"))
    assert "001_fbeaf96cfa01ec13.txt" in first
    follow = text_of(bot.say(sender, "đạt bao nhiêu phần trăm"))
    assert "001_fbeaf96cfa01ec13.txt" in follow and "%" in follow, follow
    assert "mã thủ tục" not in follow


def test_notice_question_quotes_and_cites_the_notice(bot: Bot) -> None:
    answer = text_of(bot.say(new_sender("notice"), "Bắc Kạn tinh giản biên chế được bao nhiêu người?"))
    assert "004_0afb36d99d1d04dd.txt" in answer
    assert "“" in answer, "the relevant passage is quoted"


def test_unknown_question_says_so_and_offers_a_person(bot: Bot) -> None:
    sender = new_sender("nomatch")
    messages = bot.say(sender, "cách nuôi cá koi trong bể kính cho đẹp")
    answer = text_of(messages).lower()
    assert "chưa có dữ liệu" in answer or "chỉ hỗ trợ" in answer
    assert "1." not in answer.split("\n")[0]
    handoff = text_of(bot.say(sender, "cho tôi gặp cán bộ"))
    assert "cán bộ" in handoff
    assert any(
        e.get("name") == "handoff_requested" and e.get("value") is True for e in slot_events(bot, sender)
    )


def test_small_talk_and_bot_challenge(bot: Bot) -> None:
    sender = new_sender("chitchat")
    assert "trợ lý" in text_of(bot.say(sender, "xin chào")).lower()
    assert "tự động" in text_of(bot.say(sender, "bạn là người hay máy?")).lower()
    assert text_of(bot.say(sender, "cảm ơn nhé"))
    assert "tạm biệt" in text_of(bot.say(sender, "tạm biệt")).lower()


def test_a_follow_up_naming_another_procedure_changes_the_topic(bot: Bot) -> None:
    sender = new_sender("topic")
    assert "1.001193" in text_of(bot.say(sender, "đăng ký khai sinh cần giấy tờ gì"))
    switched = text_of(bot.say(sender, "thế còn đăng ký kết hôn?"))
    assert "1.000894" in switched and "1.001193" not in switched, switched
    fee = text_of(bot.say(sender, "the con le phi"))
    assert "1.000894" in fee, fee


def test_rating_is_stored_with_the_procedure(bot: Bot) -> None:
    sender = new_sender("rating")
    first = bot.say(sender, "đăng ký kết hôn cần giấy tờ gì")
    helpful = next(b for b in buttons_of(first) if "Hữu ích" in b["title"])
    bot.say(sender, helpful["payload"])
    slots = slot_events(bot, sender)
    rated = [i for i, e in enumerate(slots) if e.get("name") == "rating" and e.get("value") == "helpful"]
    assert rated
    codes = [e["value"] for e in slots[: rated[0]] if e.get("name") == "procedure_code" and e.get("value")]
    assert codes and codes[-1] == "1.000894"


def test_follow_up_without_a_current_procedure(bot: Bot) -> None:
    """A follow-up as the first message: the bot asks which procedure; a "choice" with
    nothing offered is read as a question (it may name its procedure)."""
    assert "thủ tục nào" in text_of(bot.say(new_sender("nofollow"), "thế còn lệ phí?"))
    answer = text_of(bot.say(new_sender("nochoice"), "2"))
    assert "Traceback" not in answer and answer.strip()


def test_a_life_event_lists_its_procedures_and_a_number_opens_one(bot: Bot) -> None:
    """ "Bố tôi mới mất" through the real NLU and actions: the event's procedures in order with
    the deadline quoted from the record, a button each; "1" opens the first one's documents;
    a date question about it gets an estimate or says it cannot compute one."""
    from knowledge.store import load_life_events

    event = next(e for e in load_life_events() if e.id == "nguoi-than-qua-doi")
    sender = new_sender("event")
    first = bot.say(sender, "bo toi moi mat, gia dinh phai lam nhung giay to gi")
    text = text_of(first)
    positions = [text.index(f"mã {s.code}") for s in event.steps]
    assert positions == sorted(positions), text
    assert "trong 15 ngày kể từ ngày mất" in text
    payloads = [b["payload"] for b in buttons_of(first)]
    assert any(event.steps[0].code in p for p in payloads), payloads
    opened = text_of(bot.say(sender, "1"))
    assert opened.splitlines()[0].startswith("**Đăng ký khai tử**") and "Hồ sơ thông thường" in opened, opened
    when = text_of(bot.say(sender, "nộp hôm nay thì bao giờ có kết quả?"))
    assert "1.000656" in when and ("dự kiến có kết quả" in when or "không tính được" in when), when


def test_a_question_about_one_procedure_within_an_event_offers_the_event(bot: Bot) -> None:
    """ "bé mới đẻ, làm giấy khai sinh ở đâu" gets the birth registration's place, with a button
    that opens the birth event's list through the real NLU (an /ask_detail payload)."""
    sender = new_sender("eventlink")
    first = bot.say(sender, "bé nhà mình mới đẻ được 1 tuần, làm giấy khai sinh ở đâu ạ")
    assert "1.001193" in text_of(first).splitlines()[0]
    button = next(b for b in buttons_of(first) if "life_event" in b["payload"])
    assert button["title"] == "Việc cần làm: Sinh con"
    listed = text_of(bot.say(sender, button["payload"]))
    assert listed.startswith("**Sinh con**") and "1.004222" in listed, listed


def test_a_record_naming_an_abolished_level_carries_the_notice(bot: Bot) -> None:
    """knowledge/freshness.yaml: 1.004045 still names cấp huyện, thị trấn and Công an cấp huyện;
    the citizen is told it may predate the two-level government and where to check."""
    from knowledge.freshness import default_check

    code = "1.004045"
    record = {p.code: p for p in load_procedures()}[code]
    rules = default_check().stale(record)
    assert rules  # the record matches the rule list
    answer = text_of(bot.say(new_sender("stale"), "thi vao truong cong an can ho so gi"))
    assert f"mã {code}" in answer
    assert "có thể chưa cập nhật theo chính quyền địa phương hai cấp" in answer
    assert all(rule.label in answer for rule in rules)


def test_a_procedure_known_by_name_only_is_named_with_its_page_and_a_person(bot: Bot) -> None:
    """knowledge/known_procedures.yaml: no record, but a list names it: its name and official page,
    no documents or fees, and the human hand-off."""
    from knowledge.store import load_known_procedures

    known = {k.code: k for k in load_known_procedures()}["2.000620"]
    messages = bot.say(new_sender("known"), "Tôi muốn bán lẻ rượu ở cửa hàng tạp hóa thì xin giấy phép gì")
    answer = text_of(messages)
    assert (
        "chưa có hướng dẫn chi tiết" in answer and f"«{known.title}»" in answer and known.source_url in answer
    )
    assert any("cán bộ" in b["title"].lower() for b in buttons_of(messages))
