"""Rasa's SQL tracker store with the conversations in progress kept in memory.

Configured in endpoints.yml as ``type: bot.rasa_env.tracker_store.CachedSQLTrackerStore`` with the
same keys as Rasa's ``type: SQL`` (SQLite by default, PostgreSQL in endpoints.multi.yml);
the events table is Rasa's own, unchanged.

Why: Rasa 3.6's ``SQLTrackerStore`` rebuilds the whole conversation on every turn (select
every event since the session start, parse its JSON, replay it) and, to save, counts the
stored events again before inserting the new ones — about a quarter of the Rasa server's
CPU per turn besides NLU. Here the tracker a turn saved is kept (LRU, ``cache_size``
conversations); the next turn gets it back after one indexed query confirms that nothing
else wrote to that conversation since (the newest event id is still ours). Anything
unexpected — another Rasa instance answered a turn, a turn failed before saving, a new
session started — falls back to Rasa's own retrieval, so what is stored and what a turn
sees are exactly what ``SQLTrackerStore`` would give.

The citizen's text is stored with personal identifiers masked
(common/text/personal_data.py). The API masks every message before Rasa sees it; this
also covers messages that reach Rasa's REST channel some other way.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from common.text.personal_data import mask_personal_data


@dataclass
class _Saved:
    tracker: DialogueStateTracker
    stored: int  # len(tracker.events) when it was saved
    last_id: int  # id of the newest stored event of the conversation


class CachedSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` that reuses the tracker it saved last for a conversation."""

    def __init__(self, *args: Any, cache_size: int = 5000, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cache_size = int(cache_size)
        self._saved: OrderedDict[str, _Saved] = OrderedDict()
        # Core statements, built once, run on the session's connection: the ORM's unit of work
        # and query path cost several times the SQL itself on every turn (py-spy, Rasa server)
        events = self.SQLEvent.__table__
        self._newest_id = sa.select(sa.func.max(events.c.id)).where(
            events.c.sender_id == sa.bindparam("sender")
        )
        self._insert = events.insert()

    def _last_event_id(self, session: Any, sender_id: str) -> int | None:
        return session.connection().execute(self._newest_id, {"sender": sender_id}).scalar()

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        saved = self._saved.get(sender_id)
        if saved is not None and len(saved.tracker.events) == saved.stored:
            with self.session_scope() as session:
                if self._last_event_id(session, sender_id) == saved.last_id:
                    self._saved.move_to_end(sender_id)
                    return saved.tracker
        self._saved.pop(sender_id, None)
        return await super().retrieve(sender_id)

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        sender_id = tracker.sender_id
        saved = self._saved.pop(sender_id, None)
        events = list(tracker.events)
        with self.session_scope() as session:
            last_id = self._last_event_id(session, sender_id)
            if saved is not None and saved.tracker is tracker and saved.last_id == last_id:
                new_events = events[saved.stored :]
            else:  # not a tracker we handed out: count what is stored, as Rasa does
                new_events = list(self._additional_events(session, tracker))
            if new_events:
                session.connection().execute(self._insert, [self._row(sender_id, e) for e in new_events])
                # the newest row of the conversation is ours: the transaction holds it until commit
                last_id = self._last_event_id(session, sender_id)
            session.commit()
        if last_id is not None and not any(isinstance(e, SessionStarted) for e in new_events):
            self._saved[sender_id] = _Saved(tracker, len(events), last_id)
            while len(self._saved) > self.cache_size:
                self._saved.popitem(last=False)

    @staticmethod
    def _row(sender_id: str, event: Any) -> dict[str, Any]:
        """The events table's columns for ``event``, as Rasa's ``SQLTrackerStore`` fills them."""
        data = _masked(event.as_dict())
        return {
            "sender_id": sender_id,
            "type_name": event.type_name,
            "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"),
            "data": json.dumps(data),
        }


def _masked(data: dict[str, Any]) -> dict[str, Any]:
    """A user event's data with personal identifiers masked in its text (a copy: the
    tracker in memory is not changed)."""
    if data.get("event") != "user":
        return data
    data = dict(data)
    if isinstance(data.get("text"), str):
        data["text"] = mask_personal_data(data["text"])
    parse_data = data.get("parse_data")
    if isinstance(parse_data, dict) and isinstance(parse_data.get("text"), str):
        data["parse_data"] = {**parse_data, "text": mask_personal_data(parse_data["text"])}
    return data
