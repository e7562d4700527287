"""Hand-over to a person and answer ratings; both leave a trace in the tracker store
(slot events) that the staff tools read: ``handoff_requested`` flags the conversation,
``rating`` is stored next to the ``procedure_code`` it concerned."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from tthc.settings import get_settings


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(
            text=(
                "Tôi đã ghi nhận yêu cầu gặp cán bộ; cuộc trò chuyện này được đánh dấu để cán bộ xem lại. "
                f"Bạn cũng có thể liên hệ trực tiếp: {get_settings().office_contact}."
            )
        )
        return [SlotSet("handoff_requested", True)]


class ActionStoreRating(Action):
    def name(self) -> str:
        return "action_store_rating"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        helpful = (tracker.latest_message or {}).get("intent", {}).get("name") == "rate_helpful"
        if helpful:
            dispatcher.utter_message(text="Cảm ơn bạn đã đánh giá!")
        else:
            dispatcher.utter_message(
                text=(
                    "Cảm ơn bạn, tôi đã ghi nhận câu trả lời chưa đúng để cán bộ bổ sung. "
                    'Bạn có thể hỏi lại rõ hơn, hoặc nhắn "gặp cán bộ".'
                )
            )
        return [SlotSet("rating", "helpful" if helpful else "not_helpful")]
