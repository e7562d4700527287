"""The procedure actions with Rasa SDK's dispatcher and tracker (as in rasa-demo's action
tests): whatever a tracker carries in slots and entities, the citizen gets an ordinary answer,
never the "system fault" reply (bot/actions/procedure_actions.py)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.procedure_actions import ActionAnswerDetail, ActionAnswerQuestion, ActionChooseOption
from tests.run_async import run_async
from tthc import texts

pytestmark = pytest.mark.slow  # the real index


def tracker(text: str, entities: list[Any] | None = None, slots: dict[str, Any] | None = None) -> Tracker:
    return Tracker(
        sender_id="kiem-thu",
        slots=slots or {},
        latest_message={"text": text, "intent": {"name": "ask_detail"}, "entities": entities or []},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def run(action, t: Tracker) -> tuple[str, list[dict]]:
    dispatcher = CollectingDispatcher()
    events = run_async(action.run(dispatcher, t, {}))
    return "\n".join(m.get("text") or "" for m in dispatcher.messages), events


def test_a_button_naming_a_procedure_opens_it() -> None:
    entities = [{"entity": "procedure_code", "value": "1.001193"}, {"entity": "info_type", "value": "fee"}]
    text, events = run(ActionAnswerDetail(), tracker("/ask_detail", entities))
    assert "Phí, lệ phí" in text and "1.001193" in text
    assert {"event": "slot", "timestamp": None, "name": "procedure_code", "value": "1.001193"} in events


ODD_VALUES = [{"a": 1}, ["1.001193"], 5, 1.5, True, None, "", "9" * 500, "1.999999", "'; drop table events"]
ODD_SLOTS = [
    {"procedure_code": {"a": 1}},
    {"candidates": "1.001193"},
    {"candidates": [{"a": 1}, 5, None]},
    {"candidates": {"a": 1}},
    {"pending_part": ["fee"]},
    {"notice_id": 7},
    {"procedure_code": "1.001193", "pending_part": {"x": "y"}},
]


@pytest.mark.parametrize(
    "name, value", list(itertools.product(["procedure_code", "info_type", "life_event"], ODD_VALUES))
)
def test_entities_of_any_shape_get_an_ordinary_answer(name: str, value: Any) -> None:
    text, _ = run(ActionAnswerDetail(), tracker("lệ phí bao nhiêu", [{"entity": name, "value": value}]))
    assert text and text != texts.SEARCH_FAULT


@pytest.mark.parametrize("slots", ODD_SLOTS)
@pytest.mark.parametrize("action", [ActionAnswerDetail(), ActionAnswerQuestion(), ActionChooseOption()])
def test_slots_of_any_shape_get_an_ordinary_answer(action, slots: dict) -> None:
    text, _ = run(action, tracker("2", slots=slots))
    assert text and text != texts.SEARCH_FAULT


@pytest.mark.parametrize(
    "entities", [["x"], [None], [{"entity": None}], "not a list", [{"value": "1.001193"}]]
)
def test_malformed_entity_lists_get_an_ordinary_answer(entities: Any) -> None:
    text, _ = run(ActionAnswerDetail(), tracker("thế còn lệ phí?", entities))
    assert text and text != texts.SEARCH_FAULT
