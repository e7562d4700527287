"""A lean HTTP/1.1 client for the load generators: one keep-alive connection per simulated user.

The load generators share the two cores with the servers they measure. httpx's async client cost
about 4–6 ms of CPU per request there (``bench/load_chat.py`` prints the generator's own CPU per
turn), a tenth of a whole chat turn, taken from the servers under test. A citizen's phone does
not share the server's cores, so the generator should take as little as it can: this client
writes the request and reads the response on a plain asyncio stream.

It speaks only what the loopback servers here answer (Sanic and uvicorn): ``Content-Length`` or
chunked bodies, ``Connection: close``. An idle connection is replaced before the servers'
keep-alive ends it, as the API's own client does (``api.rasa_client.KEEPALIVE_S``).
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any
from urllib.parse import urlencode, urlsplit


class HttpError(Exception):
    """A request failed before a whole response arrived (refused, reset, cut short, timed out).

    :param kind: what happened, as the load reports count it ("ConnectionRefusedError", "Timeout"…).
    """

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind


class KeepAliveConnection:
    """One connection, one request at a time (a simulated user waits for each answer).

    :param idle_s: a connection idle this long is closed and a new one opened for the next request.
    """

    def __init__(self, idle_s: float) -> None:
        if idle_s <= 0:
            raise ValueError("idle_s must be positive")
        self.idle_s = idle_s
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        self._address: tuple[str, int] | None = None
        self._last_used = 0.0

    async def post_json(self, url: str, payload: Any, timeout: float) -> tuple[int, bytes]:
        """POST ``payload`` as JSON; returns the status code and the body."""
        return await self.request("POST", url, json.dumps(payload).encode(), timeout)

    async def get(self, url: str, params: dict[str, Any], timeout: float) -> tuple[int, bytes]:
        """GET ``url`` with ``params`` as its query string; returns the status code and the body."""
        return await self.request("GET", f"{url}?{urlencode(params)}", None, timeout)

    async def request(self, method: str, url: str, body: bytes | None, timeout: float) -> tuple[int, bytes]:
        try:
            return await asyncio.wait_for(self._exchange(method, url, body), timeout)
        except asyncio.TimeoutError as exc:  # first: an OSError too since Python 3.11
            self.close()
            raise HttpError("Timeout", f"no answer within {timeout} s") from exc
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as exc:
            self.close()
            raise HttpError(type(exc).__name__, str(exc)) from exc

    async def _exchange(self, method: str, url: str, body: bytes | None) -> tuple[int, bytes]:
        parts = urlsplit(url)
        address = (parts.hostname or "127.0.0.1", parts.port or 80)
        if (
            self._streams is None
            or address != self._address
            or time.monotonic() - self._last_used > self.idle_s
        ):
            self.close()
            self._streams = await asyncio.open_connection(*address)
            self._address = address
        reader, writer = self._streams
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        head = f"{method} {target} HTTP/1.1\r\nHost: {address[0]}:{address[1]}\r\n"
        if body is not None:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        writer.write((head + "\r\n").encode("latin-1") + (body or b""))
        await writer.drain()
        status = int((await reader.readuntil(b"\r\n")).split(b" ", 2)[1])
        headers: dict[bytes, bytes] = {}
        while (line := await reader.readuntil(b"\r\n")) != b"\r\n":
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip().lower()
        if headers.get(b"transfer-encoding") == b"chunked":
            content = b""
            while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
                content += (await reader.readexactly(size + 2))[:-2]
            await reader.readuntil(b"\r\n")  # no trailers are sent here
        else:
            content = await reader.readexactly(int(headers.get(b"content-length", b"0")))
        if headers.get(b"connection") == b"close":
            self.close()
        self._last_used = time.monotonic()
        return status, content

    def close(self) -> None:
        if self._streams is not None:
            self._streams[1].close()
            self._streams = None
