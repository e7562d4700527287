"""Hand-over to a person, answer ratings and questions outside administrative procedures;
each leaves a slot event in the tracker store that the metrics and the staff tools read
(api/turn_outcomes.py): ``handoff_requested`` flags the conversation, ``rating`` is stored
next to the ``procedure_code`` it concerned, ``no_match`` marks a question not answered."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.procedure_actions import context_of, latest_text, run_policy
from indexer.answer_policy import answer_if_sure
from tthc import texts
from tthc.settings import get_settings


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(text=texts.handoff_done(get_settings().office_contact))
        return [SlotSet("handoff_requested", True)]


class ActionStoreRating(Action):
    def name(self) -> str:
        return "action_store_rating"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        helpful = (tracker.latest_message or {}).get("intent", {}).get("name") == "rate_helpful"
        dispatcher.utter_message(text=texts.RATED_HELPFUL if helpful else texts.RATED_NOT_HELPFUL)
        return [SlotSet("rating", "helpful" if helpful else "not_helpful")]


class ActionOutOfScope(Action):
    """Says the assistant only handles procedures (``utter_out_of_scope``); the procedure
    being discussed stays, so "lệ phí?" afterwards still concerns it. The dialogue model's
    reading is checked first: a message the search is sure a procedure answers gets that
    answer (:func:`~indexer.answer_policy.answer_if_sure`)."""

    def name(self) -> str:
        return "action_out_of_scope"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        text, context = latest_text(tracker), context_of(tracker)
        events = await run_policy(dispatcher, lambda r: answer_if_sure(r, text, context=context))
        if events is not None:
            return events
        dispatcher.utter_message(response="utter_out_of_scope")
        return [SlotSet("no_match", True)]
