"""The conversation actions with Rasa SDK's dispatcher and tracker: a message the dialogue model
took for small talk is refused politely, unless the search is sure a procedure answers it
(bot/actions/conversation_actions.py)."""

from __future__ import annotations

import pytest

from bot.actions.conversation_actions import ActionOutOfScope
from tests.bot.actions.test_procedure_actions import run, tracker

pytestmark = pytest.mark.slow  # the real index


def slot(events: list[dict], name: str):
    return next(e["value"] for e in events if e.get("event") == "slot" and e["name"] == name)


@pytest.mark.parametrize("message", ["giá vàng hôm nay", "kể chuyện cười đi", "nên mua cổ phiếu mã nào"])
def test_small_talk_is_refused_and_the_procedure_under_discussion_stays(message: str) -> None:
    text, events = run(ActionOutOfScope(), tracker(message, slots={"procedure_code": "1.001193"}))
    assert text == "" and slot(events, "no_match") is True  # utter_out_of_scope: a domain response
    assert not any(e.get("name") == "procedure_code" for e in events)


def test_a_procedure_the_search_is_sure_of_is_answered_instead() -> None:
    # the dialogue model may read a guest staying overnight as small talk; it is "thông báo lưu trú"
    message = "nhà tôi có người thân ở quê lên chơi ngủ lại vài hôm, có phải báo công an không"
    text, events = run(ActionOutOfScope(), tracker(message))
    assert "Thông báo lưu trú" in text, text
    assert slot(events, "no_match") is False and slot(events, "procedure_code")
