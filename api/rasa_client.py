"""Talks to the Rasa server's REST channel (the one place that knows its URL).

Every citizen message of every channel (web chat, Messenger, Zalo) comes through
:func:`send_message`, which also:

- cleans the text: invalid UTF-8 / lone surrogates replaced, NFC, control characters
  removed (a message must never break the JSON sent to Rasa or the tracker store);
- reads it as an intent only when it is a button payload the bot offered to this
  conversation (api/button_payloads.py), and signs the payloads of the buttons it answers;
- masks personal identifiers (ID card, passport, phone, e-mail, bank account numbers)
  before the text goes further, so they are never stored (common/text/personal_data.py);
- refuses messages longer than ``TTHC_MAX_MESSAGE_CHARS`` with a polite reply (the web
  chat answers 413 before getting here) and limits messages per sender (api/limits.py);
- answers a polite "please try again" when Rasa answered nothing — what Rasa 3.6 does
  when the action server is down or an action failed (it logs the error and returns an
  empty list) — so the citizen is never left without an answer; the conversation simply
  continues with the next message once the action server is back;
- counts turns, latency, no-match answers, handoffs and ratings (api/metrics.py).

One HTTP client (connection pool) is kept per event loop.

Several Rasa servers: ``TTHC_RASA_URL`` may list them, comma-separated. Each conversation
always goes to the same one (stable hash of the sender id), and to the next one only when
that one refuses the connection (down). Keeping a conversation on one instance lets that
instance reuse the conversation it keeps in memory (bot/rasa_env/tracker_store.py); simultaneous
turns on two instances are safe too (bot/rasa_env/lock_store.py, tests/reliability/test_scale_out.py).
"""

from __future__ import annotations

import asyncio
import logging
import time
import unicodedata
import zlib
from typing import Any

import httpx

from api import button_payloads, limits, metrics
from common.text.personal_data import mask_personal_data
from tthc import texts
from tthc.settings import get_settings

log = logging.getLogger("tthc.rasa_client")


class RasaUnavailable(RuntimeError):
    """The Rasa server did not answer (down, starting, or timed out)."""


class RateLimited(RasaUnavailable):
    """This sender sent too many messages in a short time."""


def clean_text(text: str) -> str:
    """Valid, NFC-normalised text without control characters (newlines and tabs become spaces)."""
    text = text.encode("utf-8", "replace").decode("utf-8", "replace")  # lone surrogates → '?'
    text = unicodedata.normalize("NFC", text)
    text = "".join(
        " " if ch in "\t\n\r\u2028\u2029" else ch
        for ch in text
        if ch in "\t\n\r\u2028\u2029" or unicodedata.category(ch) not in ("Cc", "Cs", "Co", "Cn")
    )
    return " ".join(text.split())


_clients: dict[int, httpx.AsyncClient] = {}


# Idle client connections expire before the servers' 5 s keep-alive (Rasa's Sanic, uvicorn);
# also used by the load generators in bench/.
KEEPALIVE_S = 2.0


def _client() -> httpx.AsyncClient:
    loop = id(asyncio.get_running_loop())
    client = _clients.get(loop)
    if client is None or client.is_closed:
        for key in [k for k in _clients if k != loop]:  # clients of loops that ended
            _clients.pop(key, None)
        # idle connections expire before the server's keep-alive timeout (Rasa's Sanic: 5 s):
        # at equal timeouts a request can go out on a connection the server is closing
        limits = httpx.Limits(max_connections=200, max_keepalive_connections=50, keepalive_expiry=KEEPALIVE_S)
        client = httpx.AsyncClient(limits=limits)
        _clients[loop] = client
    return client


def rasa_urls() -> list[str]:
    return [u.strip().rstrip("/") for u in get_settings().rasa_url.split(",") if u.strip()]


def instances_for(sender: str) -> list[str]:
    """The Rasa servers in the order this conversation tries them (its own first)."""
    urls = rasa_urls()
    start = zlib.crc32(sender.encode("utf-8", "replace")) % len(urls)
    return urls[start:] + urls[:start]


def _reply(sender: str, text: str) -> list[dict[str, Any]]:
    return [{"recipient_id": sender, "text": text}]


async def send_message(
    sender: str, text: str, timeout: float = 30.0, *, server_payload: bool = False
) -> list[dict[str, Any]]:
    """Send one user message; return the bot's messages (text, buttons, custom payloads).

    :param server_payload: ``text`` is an intent our own code chose (a channel's greeting on
        first contact), not something a citizen sent.
    """
    text = clean_text(text)
    if not server_payload:
        text = mask_personal_data(button_payloads.to_rasa(sender, text))
    if not text:
        return _reply(sender, texts.EMPTY_MESSAGE)
    if len(text) > get_settings().max_message_chars:
        return _reply(sender, texts.too_long(get_settings().max_message_chars))
    if not await limits.sender_allowed(sender):
        metrics.RATE_LIMITED.labels(scope="sender").inc()
        raise RateLimited(f"too many messages from {sender}")
    started = time.perf_counter()
    for attempt, base in enumerate(instances_for(sender)):
        try:
            response = await _client().post(
                f"{base}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=timeout
            )
            response.raise_for_status()
            messages = response.json()
            break
        except httpx.ConnectError as exc:  # refused before anything was processed: try the next one
            log.warning("Rasa %s refused the connection (%s)", base, exc)
            if attempt == len(rasa_urls()) - 1:
                metrics.observe_failure(sender, "rasa_unavailable")
                raise RasaUnavailable(str(exc) or type(exc).__name__) from exc
        except (httpx.HTTPError, ValueError) as exc:
            metrics.observe_failure(sender, "rasa_unavailable")
            raise RasaUnavailable(str(exc) or type(exc).__name__) from exc
    if not isinstance(messages, list):
        messages = []
    messages = [m for m in messages if isinstance(m, dict)]
    if not messages:
        # Rasa ran no utterance: the action server is down or an action failed.
        log.warning("Rasa answered nothing for %s (action server down?)", sender)
        metrics.observe_failure(sender, "empty_answer")
        return _reply(sender, texts.ASSISTANT_FAULT)
    metrics.observe_turn(sender, time.perf_counter() - started)
    return button_payloads.sign_buttons(sender, messages)


async def is_up(timeout: float = 2.0) -> bool:
    """Every configured Rasa server answers."""
    try:
        async with httpx.AsyncClient(timeout=timeout) as client:
            for url in rasa_urls():
                if (await client.get(url)).status_code != 200:
                    return False
            return True
    except httpx.HTTPError:
        return False
