"""Replay protection of the channels' webhooks.

A captured, correctly signed request could be sent again later, and the platforms
redeliver an event when the answer is slow. So:

- :func:`fresh`: an event whose own timestamp is further than ``TTHC_WEBHOOK_REPLAY_WINDOW_S``
  from now is refused;
- :data:`seen_events`: an event is handled only by the first instance that records its id,
  in Redis (``SET key NX EX``) when ``TTHC_REDIS_URL`` is set — every API instance shares it —
  else in a SQLite file, ``<var_dir>/channels/seen_events.db`` (``INSERT OR IGNORE``), shared
  by the instances of one machine and kept across restarts.

Ids expire after ``TTHC_WEBHOOK_SEEN_TTL_S``. If the store cannot be reached, this process
remembers the ids itself (and logs it), so a platform's redelivery is still ignored.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
import time
from collections import OrderedDict
from pathlib import Path

from tthc.settings import get_settings

log = logging.getLogger("tthc.channels.replay")

_KEY_PREFIX = "tthc:seen:"
_PRUNE_EVERY = 500  # inserts between deletions of expired SQLite rows


def fresh(timestamp_ms: object) -> bool:
    """The event's timestamp (milliseconds since the epoch) is within the replay window of now."""
    try:
        age_s = abs(time.time() - float(str(timestamp_ms)) / 1000)
    except ValueError:
        return False
    return age_s <= get_settings().webhook_replay_window_s


class SeenIds:
    """Ids this process has seen (bounded, oldest forgotten first)."""

    def __init__(self, size: int = 20_000) -> None:
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def first_time(self, key: str) -> bool:
        with self._lock:
            if key in self._ids:
                return False
            self._ids[key] = None
            while len(self._ids) > self._size:
                self._ids.popitem(last=False)
            return True


class _SQLite:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._inserts = 0
        self._local = threading.local()

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=5.0, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("CREATE TABLE IF NOT EXISTS seen (key TEXT PRIMARY KEY, expires REAL NOT NULL)")
            self._local.db = db
        return db

    def first_time(self, key: str, ttl_s: int) -> bool:
        db, now = self._db(), time.time()
        db.execute("DELETE FROM seen WHERE key = ? AND expires < ?", (key, now))
        added = db.execute("INSERT OR IGNORE INTO seen VALUES (?, ?)", (key, now + ttl_s)).rowcount == 1
        self._inserts += 1
        if self._inserts % _PRUNE_EVERY == 0:
            db.execute("DELETE FROM seen WHERE expires < ?", (now,))
        return added


class SeenEvents:
    """``await first_time(key)`` is True once per key (within the expiry), for every API instance."""

    def __init__(self) -> None:
        self._memory = SeenIds()
        self._sqlite: dict[Path, _SQLite] = {}
        self._redis: dict[str, object] = {}

    async def first_time(self, key: str) -> bool:
        settings = get_settings()
        try:
            if settings.redis_url:
                return await self._redis_first_time(settings.redis_url, key, settings.webhook_seen_ttl_s)
            path = settings.var_dir / "channels" / "seen_events.db"
            store = self._sqlite.setdefault(path, _SQLite(path))
            return await asyncio.to_thread(store.first_time, key, settings.webhook_seen_ttl_s)
        except Exception as exc:  # store down: this process still ignores redeliveries it saw
            log.error("seen-event store unavailable (%s); using this process's memory", exc)
            return self._memory.first_time(key)

    async def _redis_first_time(self, url: str, key: str, ttl_s: int) -> bool:
        client = self._redis.get(url)
        if client is None:
            import redis.asyncio as aioredis

            client = self._redis[url] = aioredis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        return bool(await client.set(_KEY_PREFIX + key, b"1", nx=True, ex=ttl_s))  # type: ignore[attr-defined]


seen_events = SeenEvents()
