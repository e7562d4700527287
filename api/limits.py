"""Limits enforced before any handler runs: body size, and rate limits per IP and per sender.

- :class:`BodySizeLimit` (ASGI middleware): a ``Content-Length`` above the limit is
  answered 413 at once; a body without ``Content-Length`` (chunked) is read up to the
  limit and refused as soon as it exceeds it. ``POST /api/chat`` has a small limit
  (``TTHC_CHAT_MAX_BODY_BYTES``, 32 kB), every other route ``TTHC_MAX_BODY_BYTES`` (1 MB).
- :class:`RateLimit` (ASGI middleware): token bucket per client IP on the public
  ``/api/*`` routes (``TTHC_RATE_LIMIT_IP_PER_S`` sustained, ``…_BURST`` at once) → 429
  with ``Retry-After``. Channel webhooks are not limited per IP (all their traffic comes
  from Meta's or Zalo's servers, and it is signed); they are limited per sender.
- :func:`sender_allowed`: token bucket per conversation (``TTHC_RATE_LIMIT_SENDER_*``),
  checked by :mod:`api.rasa_client` for every citizen message of every channel.

Buckets live in memory (one process) unless ``TTHC_REDIS_URL`` is set: then they live in
Redis (an atomic Lua script, server time), so several API instances share them. If
Redis cannot be reached, requests are let through (fail open) and a warning is logged at
most once a minute — a cache outage must not take the assistant down.

The client IP is the ASGI client address; behind a reverse proxy run uvicorn with
``--proxy-headers --forwarded-allow-ips=<proxy address>`` so that it is the citizen's.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from collections import OrderedDict
from typing import Any

from tthc.settings import get_settings

log = logging.getLogger("tthc.limits")

TOO_LARGE = "Nội dung quá lớn. / Payload too large."
TOO_MANY = "Bạn gửi quá nhiều yêu cầu, vui lòng thử lại sau ít giây. / Too many requests."


# --------------------------------------------------------------------------- token buckets


class MemoryBuckets:
    """Token buckets in this process; least recently used keys are forgotten beyond ``max_keys``."""

    def __init__(self, max_keys: int = 100_000) -> None:
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()
        self.max_keys = max_keys

    def take(self, key: str, rate: float, burst: int) -> float:
        """Take one token; return 0 when allowed, else the seconds until one is available."""
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.pop(key, (float(burst), now))
            tokens = min(float(burst), tokens + (now - last) * rate)
            wait = 0.0
            if tokens >= 1.0:
                tokens -= 1.0
            else:
                wait = (1.0 - tokens) / rate
            self._buckets[key] = (tokens, now)
            while len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
            return wait


_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(b[1]) or burst
local ts = tonumber(b[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = (1 - tokens) / rate end
redis.call('HSET', KEYS[1], 'tokens', tokens, 'ts', now)
redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate) + 60)
return tostring(wait)
"""


class RedisBuckets:
    """The same token buckets in Redis, shared by every API instance."""

    def __init__(self, url: str, prefix: str = "tthc:rl:") -> None:
        import redis.asyncio as aioredis

        self.client = aioredis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self.script = self.client.register_script(_LUA)
        self.prefix = prefix
        self._warned = 0.0

    async def take(self, key: str, rate: float, burst: int) -> float:
        try:
            return float(await self.script(keys=[self.prefix + key], args=[rate, burst]))
        except Exception as exc:  # fail open: an unreachable Redis must not refuse citizens
            if time.monotonic() - self._warned > 60:
                self._warned = time.monotonic()
                log.warning("rate limiting disabled, Redis unreachable: %s", exc)
            return 0.0


_memory = MemoryBuckets()
_redis: dict[str, RedisBuckets] = {}


async def take(key: str, rate: float, burst: int) -> float:
    """Take a token from bucket ``key``: 0 = allowed, else seconds to wait. ``rate <= 0`` = no limit."""
    if rate <= 0:
        return 0.0
    url = get_settings().redis_url
    if url:
        if url not in _redis:
            _redis[url] = RedisBuckets(url)
        return await _redis[url].take(key, rate, burst)
    return _memory.take(key, rate, burst)


async def sender_allowed(sender: str) -> bool:
    s = get_settings()
    return await take(f"sender:{sender}", s.rate_limit_sender_per_s, s.rate_limit_sender_burst) == 0


# --------------------------------------------------------------------------- ASGI middleware


async def _send_json(send, status: int, detail: str, headers: list[tuple[bytes, bytes]] = ()) -> None:
    body = json.dumps({"detail": detail}, ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodySizeLimit:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            return await self.app(scope, receive, send)
        s = get_settings()
        limit = {"/api/chat": s.chat_max_body_bytes, "/webhook": s.action_max_body_bytes}.get(
            scope["path"], s.max_body_bytes
        )
        declared = None
        for name, value in scope["headers"]:
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    return await _send_json(send, 400, "Content-Length không hợp lệ. / Bad Content-Length.")
        if declared is not None:
            if declared > limit:
                return await _send_json(send, 413, TOO_LARGE)
            return await self.app(scope, receive, send)
        # No Content-Length (chunked): read up to the limit, then replay to the app.
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > limit:
                return await _send_json(send, 413, TOO_LARGE)
            if not message.get("more_body"):
                break
        body, replayed = b"".join(chunks), False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return await self.app(scope, replay, send)


class RateLimit:
    """Per-IP token bucket on /api/* (the health check and /metrics are not counted)."""

    EXEMPT = ("/api/health",)

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] == "OPTIONS":
            return await self.app(scope, receive, send)
        path = scope["path"]
        if not path.startswith("/api/") or path in self.EXEMPT:
            return await self.app(scope, receive, send)
        s = get_settings()
        client = (scope.get("client") or ("unknown", 0))[0]
        wait = await take(f"ip:{client}", s.rate_limit_ip_per_s, s.rate_limit_ip_burst)
        if wait > 0:
            from api import metrics

            metrics.RATE_LIMITED.labels(scope="ip").inc()
            retry = str(max(1, math.ceil(wait))).encode()
            return await _send_json(send, 429, TOO_MANY, [(b"retry-after", retry)])
        return await self.app(scope, receive, send)
