"""bot/rasa_env/server.py: Rasa's behaviour kept, its costly details changed."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("rasa")

from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from bot.rasa_env.server import IDLE_CONNECTION_S, apply_runtime_fixes


@pytest.fixture(scope="module")
def action() -> RemoteAction:
    apply_runtime_fixes()
    apply_runtime_fixes()  # idempotent
    return RemoteAction("action_answer_question", EndpointConfig("http://127.0.0.1:1/webhook"))


def test_valid_action_responses_pass(action: RemoteAction) -> None:
    good = {
        "events": [{"event": "slot", "name": "procedure_code", "value": "1.001193"}],
        "responses": [{"text": "Đăng ký khai sinh", "buttons": []}],
    }
    assert action._validate_action_result(good) is True
    assert action._validate_action_result({}) is True


@pytest.mark.parametrize(
    "bad",
    [
        {"events": "not a list"},
        {"events": [{"event": "no_such_event"}]},
        {"responses": [["not", "an", "object"]]},
    ],
)
def test_invalid_action_responses_are_still_rejected(action: RemoteAction, bad: dict) -> None:
    with pytest.raises(ValidationError, match="Action server response"):
        action._validate_action_result(bad)


SAMPLES = [
    {"events": [{"event": "slot", "name": "procedure_code", "value": None}]},
    {"events": [{"event": "slot", "name": "procedure_code"}]},  # no value
    {"events": [{"event": "action", "name": "action_listen", "confidence": "high"}]},
    {"events": [{"event": "action", "name": "action_listen", "policy": None, "confidence": 1.0}]},
    {"events": [{"event": "user", "text": "xin chào", "parse_data": {"intent": {"name": 3}}}]},
    {"events": [{"event": "user", "text": "xin chào", "parse_data": {"intent": {"name": "greet"}}}]},
    {"events": [{"event": "entities", "entities": [{"entity": "procedure_code"}]}]},  # no value
    {"events": [{"event": "followup", "name": "action_x"}, {"event": "restart", "timestamp": "now"}]},
    {"events": [{"event": "bot", "text": "Chào bạn", "data": {"buttons": []}}, {"event": "reset_slots"}]},
    {"events": [{"name": "no event key"}]},
    {"events": [7]},
]


@pytest.mark.parametrize("sample", SAMPLES)
def test_the_event_dispatch_gives_jsonschemas_verdict(action: RemoteAction, sample: dict) -> None:
    import jsonschema

    try:
        jsonschema.validate(sample, action.action_response_format_spec())
        expected = True
    except ValidationError:
        expected = False
    try:
        got = action._validate_action_result(sample)
    except ValidationError:
        got = False
    assert got is expected


def test_sqlite_tracker_store_uses_a_write_ahead_log(tmp_path: Path) -> None:
    import sqlalchemy as sa
    from rasa.core.tracker_store import SQLTrackerStore

    apply_runtime_fixes()
    store = SQLTrackerStore(dialect="sqlite", db=str(tmp_path / "t.db"))
    with store.engine.connect() as connection:
        assert connection.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(sa.text("PRAGMA synchronous")).scalar() == 1  # NORMAL
    assert isinstance(store.engine.pool, sa.pool.SingletonThreadPool)


def test_endpoint_requests_reuse_one_connection_and_survive_a_restarted_server() -> None:
    """Action calls keep their TCP connection alive; when the action server restarts, the
    next call opens a new one instead of failing on the dead connection."""
    import asyncio
    import socket

    from aiohttp import web

    apply_runtime_fixes()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    seen: list[int] = []

    async def webhook(request: web.Request) -> web.Response:
        seen.append(request.transport.get_extra_info("peername")[1])  # the client's port
        return web.json_response({"events": [], "responses": [{"text": f"ok {len(seen)}"}]})

    async def serve() -> web.AppRunner:
        app = web.Application()
        app.router.add_post("/webhook", webhook)
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        return runner

    async def scenario() -> list[dict]:
        endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook")
        runner = await serve()
        answers = [await endpoint.request(json={"next_action": "a"}) for _ in range(3)]
        await runner.cleanup()  # the action server stops and comes back
        runner = await serve()
        answers.append(await endpoint.request(json={"next_action": "a"}))
        # idle longer than the client keeps a connection, shorter than uvicorn's 5 s keep-alive:
        # the next call opens a new connection rather than race the server closing the old one
        await asyncio.sleep(IDLE_CONNECTION_S + 0.5)
        answers.append(await endpoint.request(json={"next_action": "a"}))
        await runner.cleanup()
        return answers

    answers = asyncio.run(scenario())
    assert [a["responses"][0]["text"] for a in answers] == ["ok 1", "ok 2", "ok 3", "ok 4", "ok 5"]
    assert len(set(seen[:3])) == 1, seen  # one connection for the three calls
    assert seen[3] != seen[0]
    assert seen[4] != seen[3] and IDLE_CONNECTION_S < 5
