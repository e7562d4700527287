"""The citizen channels, in one list: what metrics, the office dashboard, the staff pages
and the app's routes read.

A conversation id is the channel's prefix + the platform's user id (``messenger-<PSID>``,
``zalo-<user id>``) or, on the web, an id the server issued (api/web_sessions.py). Adding a
channel: one module with a FastAPI ``router`` for the platform's webhook that verifies the
platform's signature, turns each event into text and answers with
:func:`api.channels.turn.bot_replies` (see messenger.py, zalo.py) — plus one line below.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Channel:
    name: str
    """Key in metrics labels and dashboard figures."""
    label: str
    """Name shown to staff."""
    prefix: str
    """Start of the channel's conversation ids."""
    module: str | None = None
    """Module whose ``router`` receives the platform's webhook (None: the web chat's own route)."""


CHANNELS: tuple[Channel, ...] = (
    Channel("web", "Web", "web-"),  # the widget, through POST /api/chat (api/routers/chat.py)
    Channel("messenger", "Messenger", "messenger-", "api.channels.messenger"),
    Channel("zalo", "Zalo", "zalo-", "api.channels.zalo"),
)
OTHER = Channel("khac", "Khác", "")
"""Conversations of no channel (e.g. tests talking to Rasa's REST channel directly)."""


def channel(name: str) -> Channel:
    return next(c for c in CHANNELS if c.name == name)


def channel_of(sender_id: str) -> Channel:
    return next((c for c in CHANNELS if sender_id.startswith(c.prefix)), OTHER)


def labels() -> dict[str, str]:
    """Every channel's name → label, the other conversations last."""
    return {c.name: c.label for c in (*CHANNELS, OTHER)}
