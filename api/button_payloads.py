"""Only the bot's own buttons reach Rasa as intents.

Rasa reads a message that starts with ``/`` as an intent with entities
(``/ask_detail{"procedure_code": "1.001193"}``), skipping NLU. Every button payload the
bot sends is therefore signed for the conversation it was sent to
(``<payload>~<16 hex digits>``, :mod:`api.signing`); a message coming back is read as an
intent only when its signature is valid for that conversation. Anything else that starts
with ``/`` — typed, pasted, replayed into another conversation, sent by a script — is
the citizen's text with the slashes removed, and goes through NLU like any question.
"""

from __future__ import annotations

import re
from typing import Any

from api.signing import signature, signed

_PURPOSE = "button:"
_SIGNED = re.compile(r"(/.*)~([0-9a-f]{16})", re.DOTALL)


def sign(sender: str, payload: str) -> str:
    return f"{payload}~{signature(_PURPOSE + sender, payload)}"


def sign_buttons(sender: str, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The bot's messages with every intent payload of their buttons signed for ``sender``."""
    for message in messages:
        for button in message.get("buttons") or []:
            payload = button.get("payload") if isinstance(button, dict) else None
            if isinstance(payload, str) and payload.startswith("/"):
                button["payload"] = sign(sender, payload)
    return messages


def to_rasa(sender: str, text: str) -> str:
    """What Rasa gets for a message: the payload of a button offered to ``sender``, else plain text."""
    match = _SIGNED.fullmatch(text)
    if match and signed(_PURPOSE + sender, match.group(1), match.group(2)):
        return match.group(1)
    return text.lstrip("/ ") if text.startswith("/") else text
