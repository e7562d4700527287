"""Read-only access to Rasa's tracker store (the ``events`` table of its SQL tracker store).

Rasa's ``SQLTrackerStore`` writes one row per event: ``id, sender_id, type_name,
timestamp, intent_name, action_name, data`` (``data`` is the event as JSON; for ``slot``
events ``action_name`` holds the slot name). The dashboard reads that table directly —
no copy — through SQLAlchemy, so the same code reads the default SQLite file
(``var/rasa/tracker.db``) and the PostgreSQL store of multi-instance deployments
(``TTHC_TRACKER_DB_URL=postgresql+psycopg://…``). Nothing here writes: SQLite is opened
with ``mode=ro`` and every PostgreSQL transaction is ``READ ONLY``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

# Slots the bot's actions write for the staff tools (bot/actions/).
TRACKED_SLOTS = ("procedure_code", "no_match", "rating", "handoff_requested")


@dataclass
class Event:
    id: int
    sender_id: str
    type_name: str
    timestamp: float
    intent_name: str | None
    action_name: str | None
    data: dict[str, Any]

    @property
    def text(self) -> str:
        return self.data.get("text") or ""

    @property
    def value(self) -> Any:  # slot events
        return self.data.get("value")


class TrackerUnavailable(RuntimeError):
    """The tracker store cannot be read (no file yet, database down)."""


_events = sa.table(
    "events",
    sa.column("id", sa.Integer),
    sa.column("sender_id", sa.String),
    sa.column("type_name", sa.String),
    sa.column("timestamp", sa.Float),
    sa.column("intent_name", sa.String),
    sa.column("action_name", sa.String),
    sa.column("data", sa.Text),
)


def _valid_text(value: Any) -> Any:
    """Stored events can hold text that is not valid Unicode (a lone surrogate written by a
    client that split an emoji): replace it, so pages and JSON never fail on old data."""
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, dict):
        return {k: _valid_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_valid_text(v) for v in value]
    return value


def _readonly_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        db = parsed.database or ""
        if not db or db == ":memory:" or not Path(db).exists():
            raise TrackerUnavailable(f"Chưa có kho hội thoại ở {db or url} (bot chưa nhận tin nhắn nào).")
        uri = f"file:{Path(db).resolve()}?mode=ro"
        return sa.create_engine("sqlite://", creator=lambda: _sqlite_ro(uri), poolclass=sa.pool.NullPool)
    engine = sa.create_engine(url, pool_pre_ping=True, pool_size=2, max_overflow=2)

    @sa.event.listens_for(engine, "begin")
    def _read_only(conn) -> None:  # pragma: no cover - PostgreSQL only
        conn.exec_driver_sql("SET TRANSACTION READ ONLY")

    return engine


def _sqlite_ro(uri: str):
    import sqlite3

    conn = sqlite3.connect(uri, uri=True, timeout=5.0, check_same_thread=False)
    conn.execute("PRAGMA query_only = ON")
    return conn


class TrackerReader:
    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: Engine | None = None
        self._lock = threading.Lock()

    def _get_engine(self) -> Engine:
        with self._lock:
            if self._engine is None:
                self._engine = _readonly_engine(self.url)
            return self._engine

    def _rows(self, query) -> Iterator[Event]:
        try:
            with self._get_engine().connect() as conn:
                for row in conn.execute(query):
                    try:
                        data = _valid_text(json.loads(row.data)) if row.data else {}
                    except ValueError:
                        data = {}
                    yield Event(
                        row.id,
                        _valid_text(row.sender_id),
                        row.type_name,
                        row.timestamp or 0.0,
                        row.intent_name,
                        row.action_name,
                        data,
                    )
        except sa.exc.SQLAlchemyError as exc:
            raise TrackerUnavailable(f"Không đọc được kho hội thoại: {exc.__class__.__name__}") from exc

    def dashboard_events(self, since: float) -> Iterator[Event]:
        """User messages and the tracked slot events since ``since`` (epoch s), in the
        order each conversation happened (by sender, then event id)."""
        e = _events.c
        query = (
            sa.select(_events)
            .where(e.timestamp >= since)
            .where(
                sa.or_(
                    e.type_name == "user",
                    sa.and_(e.type_name == "slot", e.action_name.in_(TRACKED_SLOTS)),
                )
            )
            .order_by(e.sender_id, e.id)
        )
        return self._rows(query)

    def conversation(self, sender_id: str, limit: int = 500) -> list[Event]:
        """The transcript of one conversation: user and bot messages, tracked slots."""
        e = _events.c
        query = (
            sa.select(_events)
            .where(e.sender_id == sender_id)
            .where(
                sa.or_(
                    e.type_name.in_(("user", "bot")),
                    sa.and_(e.type_name == "slot", e.action_name.in_(TRACKED_SLOTS)),
                )
            )
            .order_by(e.id.desc())
            .limit(limit)
        )
        return list(reversed(list(self._rows(query))))


_READERS: dict[str, TrackerReader] = {}
_READERS_LOCK = threading.Lock()


def get_reader(url: str | None = None) -> TrackerReader:
    from tthc.settings import get_settings

    url = url or get_settings().resolved_tracker_db_url
    with _READERS_LOCK:
        reader = _READERS.get(url)
        if reader is None or reader._engine is None:
            reader = _READERS[url] = TrackerReader(url)
        return reader
