"""Rasa's Redis lock store with atomic ticket updates, for several Rasa instances.

Configured in endpoints.multi.yml as ``type: bot.rasa_env.lock_store.AtomicRedisLockStore`` with
the keys of Rasa's ``type: redis``; the lock values in Redis are Rasa's own.

Why: a conversation's lock is a queue of tickets stored as one Redis value. Rasa 3.6
changes it by read → modify → write without a transaction, so two instances that take a
turn of the same conversation at the same moment can both read the queue, both append a
ticket and one overwrites the other: both turns then run at once and the conversation's
events interleave. Here each change is an optimistic transaction (WATCH the key, MULTI,
EXEC, retry when another instance changed it meanwhile), so every ticket is kept.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import redis
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

_DELETE = object()


class AtomicRedisLockStore(RedisLockStore):
    """``RedisLockStore`` whose ticket queue changes are transactions."""

    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any) -> None:
        # Rasa builds custom lock stores as cls(endpoint_config=...); tests pass the keys
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url, **endpoint_config.kwargs}
        super().__init__(**kwargs)

    def _change(self, conversation_id: str, change: Callable[[TicketLock | None], object]) -> None:
        """Apply ``change`` (returns the new lock, ``_DELETE`` or ``None`` for "no write")
        to the stored lock, atomically; retried if another instance changed it first."""
        key = self.key_prefix + conversation_id
        with self.red.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    lock = TicketLock.from_dict(json.loads(raw)) if raw else None
                    result = change(lock)
                    pipe.multi()
                    if result is _DELETE:
                        pipe.delete(key)
                    elif isinstance(result, TicketLock):
                        pipe.set(key, result.dumps())
                    pipe.execute()
                    return
                except redis.WatchError:
                    continue

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        issued: list[int] = []

        def add_ticket(lock: TicketLock | None) -> TicketLock:
            lock = lock or TicketLock(conversation_id)
            issued[:] = [lock.issue_ticket(lock_lifetime)]
            return lock

        try:
            self._change(conversation_id, add_ticket)
        except Exception as e:
            raise LockError(f"Error while acquiring lock. Error:\n{e}") from e
        return issued[0]

    def update_lock(self, conversation_id: str) -> None:
        def drop_expired(lock: TicketLock | None) -> TicketLock | None:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock

        self._change(conversation_id, drop_expired)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        def remove(lock: TicketLock | None) -> TicketLock | None:
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
            return lock

        self._change(conversation_id, remove)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        def remove_and_maybe_delete(lock: TicketLock | None) -> object:
            if lock is None:
                return None
            lock.remove_ticket_for(ticket_number)
            return lock if lock.is_someone_waiting() else _DELETE

        self._change(conversation_id, remove_and_maybe_delete)
