"""Custom actions that answer from the knowledge base.

- ``action_answer_question``: a new question → search → answer the part asked
  (or a short summary), a numbered choice when several procedures match, or an
  honest "I do not know" with a way to reach a person.
- ``action_answer_detail``: a follow-up ("thế còn lệ phí?") about the procedure in
  the ``procedure_code`` slot, or about the one a button named.
- ``action_choose_option``: the citizen typed "2" after a numbered choice.

Every text comes from :mod:`indexer.answer_composer` (values from the record only).
Retrieval is CPU work, so it runs in a worker thread to keep the server responsive.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import re
import threading
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.replies import send_answer
from indexer.answer_composer import (
    Answer,
    Part,
    compose_ambiguous,
    compose_no_match,
    compose_notice,
    compose_procedure,
    detect_part,
)
from indexer.procedure_search import Retriever, SearchResponse

logger = logging.getLogger(__name__)

RETRIEVAL_ERROR = (
    "Xin lỗi, hệ thống tra cứu đang gặp sự cố nên tôi chưa trả lời được. "
    'Bạn vui lòng thử lại sau ít phút, hoặc nhắn "gặp cán bộ" để được hỗ trợ.'
)
ASK_WHICH_PROCEDURE = (
    'Bạn đang hỏi về thủ tục nào? Hãy nêu tên thủ tục, ví dụ: "đăng ký khai sinh", "cấp lại căn cước".'
)


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


def _latest_text(tracker: Tracker) -> str:
    return (tracker.latest_message or {}).get("text") or ""


def _asked_part(tracker: Tracker, text: str) -> Part:
    """The part asked: a button's entity first, else what the words ask for."""
    entity = next(tracker.get_latest_entity_values("info_type"), None)
    if entity:
        try:
            return Part(entity)
        except ValueError:
            logger.debug("unknown info_type entity %r", entity)
    return detect_part(text)


def _answer_for_response(response: SearchResponse, part: Part) -> tuple[Answer, list[EventType]]:
    """Choose between answering, asking which procedure, and saying we do not know."""
    retriever = Retriever.load()
    if response.no_match or not response.hits:
        return compose_no_match(), [SlotSet("no_match", True)]
    top = response.hits[0]
    if top.kind == "notice":
        notice = retriever.get_notice(top.code)
        return compose_notice(notice, top.passage), [SlotSet("no_match", False)]
    if len(response.ambiguous) > 1:
        candidates = [h.code for h in response.ambiguous]
        return compose_ambiguous(response.ambiguous), [
            SlotSet("candidates", candidates),
            SlotSet("pending_part", part.value),
            SlotSet("no_match", False),
        ]
    procedure = retriever.get_procedure(top.code)
    return compose_procedure(procedure, part), [
        SlotSet("procedure_code", procedure.code),
        SlotSet("candidates", None),
        SlotSet("no_match", False),
    ]


class ActionAnswerQuestion(Action):
    def name(self) -> str:
        return "action_answer_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        return await answer_by_search(dispatcher, tracker)


async def answer_by_search(
    dispatcher: CollectingDispatcher, tracker: Tracker, if_unknown: str | None = None
) -> list[EventType]:
    """Search the knowledge base with the citizen's message and answer (or ask, or say we
    do not know). Also the fallback of the follow-up and choice actions when there is no
    current procedure or choice: the message then most likely names its procedure; if it
    does not, ``if_unknown`` is said instead of the general "I do not know"."""
    text = _latest_text(tracker)
    part = _asked_part(tracker, text)
    try:
        response = await asyncio.to_thread(lambda: Retriever.load().search(text, 5))
        if if_unknown and (response.no_match or not response.hits):
            dispatcher.utter_message(text=if_unknown)
            return []
        answer, events = _answer_for_response(response, part)
    except Exception:
        logger.exception("retrieval failed for a question")
        dispatcher.utter_message(text=RETRIEVAL_ERROR)
        return []
    send_answer(dispatcher, answer, pending_part=part.value)
    return events


class ActionAnswerDetail(Action):
    def name(self) -> str:
        return "action_answer_detail"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        text = _latest_text(tracker)
        code = next(tracker.get_latest_entity_values("procedure_code"), None) or tracker.get_slot(
            "procedure_code"
        )
        part = _asked_part(tracker, text)
        try:
            procedure = Retriever.load().get_procedure(code) if code else None
        except Exception:
            logger.exception("retriever unavailable")
            dispatcher.utter_message(text=RETRIEVAL_ERROR)
            return []
        if procedure is None:  # no procedure under discussion: the question may name one
            return await answer_by_search(dispatcher, tracker, if_unknown=ASK_WHICH_PROCEDURE)
        send_answer(dispatcher, compose_procedure(procedure, part))
        return [SlotSet("procedure_code", procedure.code), SlotSet("candidates", None)]


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
    from indexer.text.normalize import fold

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
        candidates = tracker.get_slot("candidates") or []
        if not candidates:  # nothing was offered: "... cảng cá loại 3" is a question, not a choice
            return await answer_by_search(dispatcher, tracker)
        index = chosen_index(_latest_text(tracker), len(candidates))
        if index is None or not 1 <= index <= len(candidates):
            dispatcher.utter_message(
                text="Tôi chưa rõ bạn chọn mục nào. Hãy gõ số thứ tự trong danh sách, hoặc nêu tên thủ tục."
            )
            return []
        part = tracker.get_slot("pending_part") or Part.SUMMARY.value
        procedure = Retriever.load().get_procedure(candidates[index - 1])
        if procedure is None:
            dispatcher.utter_message(text=ASK_WHICH_PROCEDURE)
            return []
        send_answer(dispatcher, compose_procedure(procedure, part))
        return [SlotSet("procedure_code", procedure.code), SlotSet("candidates", None)]
