"""Turn composed answers into Rasa bot messages (text + buttons whose payloads are intents).

The composer's buttons name a procedure code and, optionally, a part
(``"1.001193|fee"``); here they become ``/ask_detail{…}`` payloads so a click is
understood without NLU, on every channel.
"""

from __future__ import annotations

import json
from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from indexer.answer_composer import Answer
from indexer.life_event_answer import EVENT_PAYLOAD
from tthc import texts

RATING_BUTTONS = [
    {"title": texts.HELPFUL_BUTTON, "payload": "/rate_helpful"},
    {"title": texts.NOT_HELPFUL_BUTTON, "payload": "/rate_not_helpful"},
]
HANDOFF_BUTTON = {"title": texts.HANDOFF_BUTTON, "payload": "/handoff"}


def detail_payload(code: str, part: str | None) -> str:
    entities: dict[str, str] = {"procedure_code": code}
    if part:
        entities["info_type"] = part
    return "/ask_detail" + json.dumps(entities, ensure_ascii=False)


def rasa_buttons(answer: Answer, pending_part: str | None = None) -> list[dict[str, Any]]:
    buttons = []
    for button in answer.buttons:
        if button.payload.startswith(EVENT_PAYLOAD):  # a life event's list
            event = json.dumps({"life_event": button.payload.removeprefix(EVENT_PAYLOAD)}, ensure_ascii=False)
            buttons.append({"title": button.title, "payload": "/ask_detail" + event})
            continue
        code, _, part = button.payload.partition("|")
        buttons.append({"title": button.title, "payload": detail_payload(code, part or pending_part)})
    return buttons


def send_answer(
    dispatcher: CollectingDispatcher, answer: Answer, *, pending_part: str | None = None, rating: bool = True
) -> None:
    buttons = rasa_buttons(answer, pending_part)
    if rating and answer.kind in ("procedure", "notice"):
        buttons += RATING_BUTTONS
    if answer.kind == "no_match":
        buttons.append(HANDOFF_BUTTON)
    dispatcher.utter_message(text=answer.text, buttons=buttons or None)
