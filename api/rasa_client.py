"""Talks to the Rasa server's REST channel (the one place that knows its URL)."""

from __future__ import annotations

from typing import Any

import httpx

from tthc.settings import get_settings


class RasaUnavailable(RuntimeError):
    """The Rasa server did not answer (down, starting, or timed out)."""


async def send_message(sender: str, text: str, timeout: float = 30.0) -> list[dict[str, Any]]:
    """Send one user message; return the bot's messages (text, buttons, custom payloads)."""
    url = f"{get_settings().rasa_url}/webhooks/rest/webhook"
    try:
        async with httpx.AsyncClient(timeout=timeout) as client:
            response = await client.post(url, json={"sender": sender, "message": text})
            response.raise_for_status()
    except httpx.HTTPError as exc:
        raise RasaUnavailable(str(exc)) from exc
    return response.json()


async def is_up(timeout: float = 2.0) -> bool:
    try:
        async with httpx.AsyncClient(timeout=timeout) as client:
            return (await client.get(get_settings().rasa_url)).status_code == 200
    except httpx.HTTPError:
        return False
