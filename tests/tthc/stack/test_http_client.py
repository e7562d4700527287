"""tthc/stack/http_client.py: the load generators' client against real asyncio servers that answer
as Sanic and uvicorn do (Content-Length, chunked, Connection: close), and against failures."""

from __future__ import annotations

import asyncio
import json

import pytest

from tests.run_async import run_async
from tthc.stack.http_client import HttpError, KeepAliveConnection


async def serve(respond, scenario):
    """Run ``scenario(url, connections)`` against a server answering each request with
    ``respond(request_bytes)``; ``connections`` counts the TCP connections it accepted."""
    connections = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(writer)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    (
                        int(h.split(b":")[1])
                        for h in head.split(b"\r\n")
                        if h.lower().startswith(b"content-length")
                    ),
                    0,
                )
                body = await reader.readexactly(length)
                answer = await respond(head + body)
                if answer is None:
                    break
                writer.write(answer)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        return await scenario(f"http://127.0.0.1:{port}/webhooks/rest/webhook", connections)
    finally:
        server.close()


def echo(extra_headers: bytes = b"", chunked: bool = False):
    async def respond(request: bytes) -> bytes:
        body = json.dumps([{"text": request.split(b"\r\n\r\n", 1)[1].decode()}]).encode()
        if chunked:
            half = len(body) // 2
            payload = b"%x\r\n%s\r\n%x\r\n%s\r\n0\r\n\r\n" % (
                half,
                body[:half],
                len(body) - half,
                body[half:],
            )
            return b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n" + extra_headers + b"\r\n" + payload
        return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n%s\r\n%s" % (len(body), extra_headers, body)

    return respond


@pytest.mark.parametrize("chunked", [False, True])
def test_requests_share_one_connection_and_read_whole_bodies(chunked: bool) -> None:
    async def scenario(url, connections):
        client = KeepAliveConnection(idle_s=5)
        answers = [await client.post_json(url, {"message": f"câu {i}"}, timeout=5) for i in range(3)]
        client.close()
        return answers, len(connections)

    answers, opened = run_async(serve(echo(chunked=chunked), scenario))
    assert opened == 1
    assert [json.loads(json.loads(body)[0]["text"])["message"] for _, body in answers] == [
        "câu 0",
        "câu 1",
        "câu 2",
    ]
    assert {status for status, _ in answers} == {200}


def test_a_closed_or_idle_connection_is_replaced() -> None:
    async def scenario(url, connections):
        client = KeepAliveConnection(idle_s=0.05)
        await client.post_json(url, {}, timeout=5)
        await client.post_json(url, {}, timeout=5)  # the server said Connection: close
        await asyncio.sleep(0.1)
        await client.get(url, {"q": "khai sinh"}, timeout=5)
        client.close()
        return len(connections)

    assert run_async(serve(echo(b"Connection: close\r\n"), scenario)) == 3


def test_failures_are_http_errors_that_say_what_happened() -> None:
    async def silent(request: bytes) -> bytes:
        await asyncio.sleep(5)
        return b""

    async def hang_up(request: bytes) -> None:
        return None

    async def scenario_timeout(url, connections):
        with pytest.raises(HttpError) as raised:
            await KeepAliveConnection(idle_s=5).post_json(url, {}, timeout=0.2)
        return raised.value.kind

    async def scenario_cut(url, connections):
        with pytest.raises(HttpError) as raised:
            await KeepAliveConnection(idle_s=5).post_json(url, {}, timeout=5)
        return raised.value.kind

    assert run_async(serve(silent, scenario_timeout)) == "Timeout"
    assert run_async(serve(hang_up, scenario_cut)) == "IncompleteReadError"

    async def refused():
        with pytest.raises(HttpError) as raised:
            await KeepAliveConnection(idle_s=5).post_json("http://127.0.0.1:1/x", {}, timeout=5)
        return raised.value.kind

    assert run_async(refused()) == "ConnectionRefusedError"
