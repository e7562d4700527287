"""Scale-out: two Rasa servers sharing a PostgreSQL tracker store and a Redis lock store
(``endpoints.multi.yml``, every value from the environment), one action server.

A conversation continues whichever instance receives the turn (the follow-up "thế còn
lệ phí?" on instance B answers about the procedure asked on instance A). The API in front
(``TTHC_RASA_URL=A,B``) keeps each conversation on one instance, so simultaneous turns
of one conversation are all recorded, in order, once each; when that instance stops, the
conversation moves to the other one and goes on.

Turns of ONE conversation hitting TWO instances at the same moment are served one after
the other: Rasa 3.6's Redis lock store issued tickets with a non-atomic GET + SET (two
instances could both run a turn and lose an event); bot/rasa_env/lock_store.py makes each ticket
change a Redis transaction. Sticky routing (api/rasa_client.py) still keeps each
conversation on one instance, for the tracker cache.
"""

from __future__ import annotations

import concurrent.futures
import json
from collections.abc import Iterator

import httpx
import pytest

from tests.web_chat import new_conversation
from tthc.stack.servers import REPO_ROOT
from tthc.stack.services import (
    SharedStores,
    action_server,
    ensure_services,
    rasa_server,
    running,
    say,
    sticky_api,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    pg, redis_ok = ensure_services()
    if not (pg and redis_ok):
        pytest.fail(f"PostgreSQL up: {pg}, Redis up: {redis_ok} (127.0.0.1:5432 / :6379 needed)")
    workdir = tmp_path_factory.mktemp("cluster")
    stores = SharedStores.create()
    actions = action_server(workdir)
    env = stores.env(f"http://127.0.0.1:{actions.port}/webhook")
    endpoints = REPO_ROOT / "endpoints.multi.yml"
    a, b = rasa_server(workdir, endpoints, env), rasa_server(workdir, endpoints, env)
    api = sticky_api(workdir, [a, b])
    servers = [actions, a, b, api.server]
    try:
        with running(servers):
            yield {
                "a": f"http://127.0.0.1:{a.port}",
                "b": f"http://127.0.0.1:{b.port}",
                "api": api.url,
                "stores": stores,
                "servers": servers,
            }
    finally:
        stores.drop()


def texts(messages: list[dict]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


def test_endpoints_multi_reads_everything_from_the_environment() -> None:
    import re

    body = (REPO_ROOT / "endpoints.multi.yml").read_text(encoding="utf-8")
    values = [
        line.split(":", 1)[1].split("#")[0].strip()
        for line in body.splitlines()
        if re.match(r"^\s+\w+:", line) and not line.strip().startswith("type:") and "dialect" not in line
    ]
    assert values and all(re.fullmatch(r"\$\{TTHC_[A-Z_]+\}", v) for v in values), values


def test_conversation_continues_on_the_other_instance(cluster: dict) -> None:
    sender = "scale-continuity-1"
    first = say(cluster["a"], sender, "đăng ký khai sinh cần giấy tờ gì?")
    assert "khai sinh" in texts(first).lower()
    follow = say(cluster["b"], sender, "thế còn lệ phí?")
    answer = texts(follow).lower()
    assert "lệ phí" in answer and "khai sinh" in answer, answer  # B knew the procedure asked on A
    again = say(cluster["a"], sender, "nộp ở đâu?")
    assert "khai sinh" in texts(again).lower()
    assert cluster["stores"].user_events(sender) == {sender: 3}


def chat(api_url: str, sender: str | None, text: str) -> list[dict]:
    body = {"message": text} if sender is None else {"sender": sender, "message": text}
    r = httpx.post(f"{api_url}/api/chat", json=body, timeout=180)
    r.raise_for_status()
    return r.json()["messages"]


def simultaneous(send, sender: str, n: int = 10) -> list[str]:
    messages = [f"thủ tục số {i}: đăng ký tạm trú" if i % 2 else f"thế còn lệ phí? ({i})" for i in range(n)]
    with concurrent.futures.ThreadPoolExecutor(n) as pool:
        answers = list(pool.map(lambda item: send(item[0], sender, item[1]), enumerate(messages)))
    assert all(answers), "every turn got an answer"
    return messages


def assert_recorded_once_in_order(stores: SharedStores, sender: str, messages: list[str]) -> None:
    events = [json.loads(e) for e in stores.events(sender)]
    stamps = [e["timestamp"] for e in events]
    assert stamps == sorted(stamps), "events stored in order"
    users = [e["text"] for e in events if e["event"] == "user"]
    assert sorted(users[1:]) == sorted(messages), (
        f"each turn stored exactly once: {len(users) - 1}/{len(messages)}"
    )


def test_simultaneous_turns_through_the_api_are_all_recorded(cluster: dict) -> None:
    sender = new_conversation(cluster["api"], timeout=180)
    messages = simultaneous(lambda i, s, t: chat(cluster["api"], s, t), sender)
    assert_recorded_once_in_order(cluster["stores"], sender, messages)


def test_simultaneous_turns_of_one_conversation_on_two_instances(cluster: dict) -> None:
    sender = "scale-concurrent-direct-1"
    say(cluster["a"], sender, "xin chào")
    messages = simultaneous(lambda i, s, t: say(cluster["a" if i % 2 else "b"], s, t, 180), sender)
    assert_recorded_once_in_order(cluster["stores"], sender, messages)


def test_a_stopped_instance_does_not_lose_the_conversation(cluster: dict) -> None:
    """The conversation's own instance stops (deploy, crash): the API sends the next turn to
    the other one and the conversation goes on from the shared tracker store."""
    from api.rasa_client import instances_for

    sender = new_conversation(cluster["api"], timeout=180)
    first = chat(cluster["api"], sender, "đăng ký khai sinh cần giấy tờ gì?")
    assert "khai sinh" in texts(first).lower()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TTHC_RASA_URL", f"{cluster['a']},{cluster['b']}")
        from tthc.settings import get_settings

        get_settings.cache_clear()
        own = instances_for(sender)[0]
    get_settings.cache_clear()
    server = next(s for s in cluster["servers"] if s.health_url.rstrip("/") == own)
    server.stop()
    follow = chat(cluster["api"], sender, "thế còn lệ phí?")
    answer = texts(follow).lower()
    assert "lệ phí" in answer and "khai sinh" in answer, answer
    assert cluster["stores"].user_events(sender) == {sender: 3}  # the greeting, the question, the follow-up
