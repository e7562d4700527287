"""bot/rasa_env/lock_store.py on the machine's real Redis: two Rasa instances never lose a ticket."""

from __future__ import annotations

import asyncio
import threading
import uuid

import pytest

pytest.importorskip("rasa")

import redis
from rasa.utils.endpoints import EndpointConfig

from bot.rasa_env.lock_store import AtomicRedisLockStore

REDIS = {"host": "127.0.0.1", "port": 6379, "db": 1}


@pytest.fixture()
def prefix():
    client = redis.Redis(**REDIS, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        pytest.fail("Redis is not running on 127.0.0.1:6379 (every machine of this project has it)")
    prefix = "test" + uuid.uuid4().hex[:8]
    yield prefix
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def instance(prefix: str) -> AtomicRedisLockStore:
    """A lock store as a Rasa server builds it from endpoints.multi.yml."""
    config = EndpointConfig(url=REDIS["host"], port=REDIS["port"], db=REDIS["db"], key_prefix=prefix)
    return AtomicRedisLockStore(endpoint_config=config)


def test_concurrent_tickets_from_two_instances_are_all_kept(prefix: str) -> None:
    stores = [instance(prefix), instance(prefix)]
    issued: list[int] = []
    guard = threading.Lock()

    def take(store: AtomicRedisLockStore) -> None:
        for _ in range(100):
            ticket = store.issue_ticket("citizen-1")
            with guard:
                issued.append(ticket)

    threads = [threading.Thread(target=take, args=(stores[i % 2],)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(issued) == len(set(issued)) == 400
    lock = stores[0].get_lock("citizen-1")
    assert sorted(t.number for t in lock.tickets) == sorted(issued)
    for number in issued:
        stores[number % 2].cleanup("citizen-1", number)
    assert stores[0].get_lock("citizen-1") is None  # last one out deletes the lock


def test_turns_of_one_conversation_on_two_instances_never_overlap(prefix: str) -> None:
    stores = [instance(prefix), instance(prefix)]
    inside, overlaps, served = [0], [0], [0]

    async def turn(store: AtomicRedisLockStore) -> None:
        async with store.lock("citizen-2", wait_time_in_seconds=0.005):
            inside[0] += 1
            overlaps[0] += inside[0] > 1
            await asyncio.sleep(0.002)
            inside[0] -= 1
            served[0] += 1

    async def main() -> None:
        await asyncio.gather(*(turn(stores[i % 2]) for i in range(40)))

    asyncio.run(main())
    assert served[0] == 40 and overlaps[0] == 0
