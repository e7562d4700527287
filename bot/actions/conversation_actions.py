"""Hand-over to a person and answer ratings; both leave a trace in the tracker store
(slot events) that the staff tools read: ``handoff_requested`` flags the conversation,
``rating`` is stored next to the ``procedure_code`` it concerned."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

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
