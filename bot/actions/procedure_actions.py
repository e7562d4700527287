"""Custom actions that answer from the knowledge base, through the one answer policy
(:mod:`indexer.answer_policy`) that ``tthc answer`` and ``tthc eval`` use too.

- ``action_answer_question``: a new question → search → answer, a numbered choice between
  different procedures, or an honest "I do not know" with a way to reach a person.
- ``action_answer_detail``: a follow-up ("thế còn lệ phí?") about the procedure under
  discussion, the procedures of a pending choice, the notice just quoted, or the one a
  button named.
- ``action_choose_option``: the citizen typed "2" after a numbered choice.

The conversation state the policy needs (:class:`~indexer.answer_policy.Context`) lives in
slots. Slot and entity values are used only when they have the expected type (a tracker
can carry anything Rasa accepted); anything else counts as absent, so odd input gets an
ordinary answer, never the "system fault" reply. Retrieval is CPU work, so it runs in a
worker thread to keep the server responsive.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import re
import threading
from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.replies import send_answer
from indexer.answer_composer import detect_part
from indexer.answer_policy import Context, Turn, answer_choice, answer_follow_up, answer_question
from indexer.procedure_search import Retriever
from tthc import texts

logger = logging.getLogger(__name__)

CONTEXT_SLOTS = ("procedure_code", "candidates", "pending_part", "notice_id")
MAX_VALUE_CHARS = 200  # codes, parts, event ids and notice ids are far shorter


def _preload_retriever() -> None:
    try:
        Retriever.load()
    except Exception:  # reported again, to the citizen, on the first question
        logger.exception("could not load the search index")


# Load the model and index as soon as a server worker imports this module, so the
# first citizen does not wait for it. rasa-sdk's Sanic server imports actions in its
# manager process too; loading only in the worker (a multiprocessing child) keeps one copy.
if multiprocessing.parent_process() is not None:
    threading.Thread(target=_preload_retriever, name="preload-retriever", daemon=True).start()


def _text_value(value: Any) -> str | None:
    return value if isinstance(value, str) and 0 < len(value) <= MAX_VALUE_CHARS else None


def latest_text(tracker: Tracker) -> str:
    text = (tracker.latest_message or {}).get("text")
    return text if isinstance(text, str) else ""


def _entity(tracker: Tracker, name: str) -> str | None:
    """The latest message's first well-formed value of entity ``name``."""
    entities = (tracker.latest_message or {}).get("entities")
    for entity in entities if isinstance(entities, list) else []:
        if isinstance(entity, dict) and entity.get("entity") == name and _text_value(entity.get("value")):
            return entity["value"]
    return None


def context_of(tracker: Tracker) -> Context:
    candidates = tracker.get_slot("candidates")
    return Context(
        procedure_code=_text_value(tracker.get_slot("procedure_code")),
        candidates=[c for c in candidates if _text_value(c)] if isinstance(candidates, list) else [],
        pending_part=_text_value(tracker.get_slot("pending_part")),
        notice_id=_text_value(tracker.get_slot("notice_id")),
    )


def context_events(turn: Turn) -> list[EventType]:
    ctx = turn.context
    return [
        SlotSet("procedure_code", ctx.procedure_code),
        SlotSet("candidates", ctx.candidates or None),
        SlotSet("pending_part", ctx.pending_part),
        SlotSet("notice_id", ctx.notice_id),
        SlotSet("no_match", turn.no_match),
    ]


def _asked_part(tracker: Tracker, text: str) -> str:
    """The part asked: a button's entity first ("fee", "cases:2"), else what the words ask for."""
    return _entity(tracker, "info_type") or detect_part(text).value


async def run_policy(
    dispatcher: CollectingDispatcher, decide: Callable[[Retriever], Turn | None]
) -> list[EventType] | None:
    """Run ``decide`` in a worker thread and send its turn; None when it had no answer (nothing
    is sent)."""
    try:
        turn = await asyncio.to_thread(lambda: decide(Retriever.load()))
    except Exception:
        logger.exception("retrieval failed")
        dispatcher.utter_message(text=texts.SEARCH_FAULT)
        return []
    if turn is None:
        return None
    send_answer(dispatcher, turn.answer, pending_part=turn.context.pending_part)
    return context_events(turn)


class ActionAnswerQuestion(Action):
    def name(self) -> str:
        return "action_answer_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        text = latest_text(tracker)
        part, context = _asked_part(tracker, text), context_of(tracker)
        return (
            await run_policy(dispatcher, lambda r: answer_question(r, text, part=part, context=context)) or []
        )


class ActionAnswerDetail(Action):
    def name(self) -> str:
        return "action_answer_detail"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        text = latest_text(tracker)
        code, event = _entity(tracker, "procedure_code"), _entity(tracker, "life_event")
        part, context = _asked_part(tracker, text), context_of(tracker)
        return (
            await run_policy(
                dispatcher,
                lambda r: answer_follow_up(r, text, part=part, context=context, code=code, event=event),
            )
            or []
        )


_ORDINALS = {
    "mot": 1, "nhat": 1, "nhi": 2, "hai": 2, "ba": 3, "bon": 4, "tu": 4,
    "nam": 5, "sau": 6, "bay": 7, "tam": 8, "chin": 9, "muoi": 10,
}  # fmt: skip
# an ordinal word counts after "thứ/số/cái/mục/…" or alone: "sau" and "nam" are also words
_ORDINAL_WORD = re.compile(
    rf"\b(?:thu|so|cai|muc|y|phuong an|lua chon|chon)\s+({'|'.join(_ORDINALS)})\b"
    rf"|^\W*({'|'.join(_ORDINALS)})\W*(?:a|nhe|nha)?\W*$"
)
_FIRST = re.compile(r"\bdau tien\b|\b(?:cai|muc|thu tuc|y)\s+dau\b")
_LAST = re.compile(r"\bcuoi(?: cung)?\b")


def chosen_index(text: str, count: int) -> int | None:
    """1-based choice among ``count`` offered items in "2", "số 2", "cái thứ hai", "thu 3",
    "cái đầu tiên", "cái cuối cùng"; None if none is named."""
    from common.text.normalize import fold

    folded = fold(text).lower()
    digits = re.search(r"\b(\d{1,2})\b", folded)
    if digits:
        return int(digits.group(1))
    if _FIRST.search(folded):
        return 1
    if _LAST.search(folded):
        return count
    word = _ORDINAL_WORD.search(folded)
    if word:
        return _ORDINALS[word.group(1) or word.group(2)]
    return None


class ActionChooseOption(Action):
    def name(self) -> str:
        return "action_choose_option"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        text = latest_text(tracker)
        context = context_of(tracker)
        if not context.candidates:  # nothing was offered: "... cảng cá loại 3" is a question, not a choice
            part = _asked_part(tracker, text)
            return (
                await run_policy(dispatcher, lambda r: answer_question(r, text, part=part, context=context))
                or []
            )
        index = chosen_index(text, len(context.candidates))
        return await run_policy(dispatcher, lambda r: answer_choice(r, index, context)) or []
