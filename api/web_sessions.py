"""Web chat conversation ids, issued by the server.

A web conversation id is ``web-`` + 24 random hex digits + a 16-hex-digit signature of them
(:mod:`api.signing`). ``POST /api/chat`` without a sender starts a conversation with a new
id; with one, the id must be one this server issued. So a client can neither pick an id
nor guess another citizen's, and the ``messenger-``/``zalo-`` ids of the channels (made by
their webhooks from the platform's user id) can never be written to from the web.
"""

from __future__ import annotations

import re
import secrets

from api.channels.registry import channel
from api.signing import signature, signed

PREFIX = channel("web").prefix
_PURPOSE = "web-conversation"
_ID = re.compile(rf"{PREFIX}([0-9a-f]{{24}})([0-9a-f]{{16}})")


def new_sender() -> str:
    nonce = secrets.token_hex(12)
    return f"{PREFIX}{nonce}{signature(_PURPOSE, nonce)}"


def is_issued(sender: str) -> bool:
    """``sender`` is, in full, a conversation id this server issued."""
    match = _ID.fullmatch(sender)
    return bool(match) and signed(_PURPOSE, match.group(1), match.group(2))
