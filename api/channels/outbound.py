"""Outbound HTTP calls of the channel connectors (Graph API, Zalo Open API, Zalo OAuth).

httpx with a timeout on every call and a bounded number of retries on 5xx answers,
timeouts and connection errors (short exponential backoff). 4xx answers are returned
to the caller at once: they mean the request itself is wrong (or a token expired) and
repeating it would not help. Secrets travel in headers, never in URLs, so they do not
end up in access logs.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx

from tthc.settings import get_settings

log = logging.getLogger("tthc.channels")


class OutboundError(RuntimeError):
    """The platform did not answer after every retry."""


async def request(
    method: str,
    url: str,
    *,
    json: Any = None,
    data: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    retries: int | None = None,
    timeout: float | None = None,
) -> httpx.Response:
    settings = get_settings()
    retries = settings.channel_http_retries if retries is None else retries
    timeout = settings.channel_http_timeout_s if timeout is None else timeout
    last: Exception | None = None
    async with httpx.AsyncClient(timeout=timeout) as client:
        for attempt in range(retries + 1):
            if attempt:
                await asyncio.sleep(min(0.25 * 2 ** (attempt - 1), 2.0))
            try:
                response = await client.request(method, url, json=json, data=data, headers=headers)
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                last = exc
                log.warning("%s %s failed (attempt %d/%d): %s", method, url, attempt + 1, retries + 1, exc)
                continue
            if response.status_code >= 500:
                last = OutboundError(f"HTTP {response.status_code}")
                log.warning(
                    "%s %s answered %d (attempt %d/%d)",
                    method,
                    url,
                    response.status_code,
                    attempt + 1,
                    retries + 1,
                )
                continue
            return response
    raise OutboundError(f"{method} {url}: no answer after {retries + 1} attempts ({last})")
