"""A stand-in for Rasa's REST webhook inside the test process (httpx.MockTransport), for fast
tests of what the API does around Rasa (cleaning, limits, signing, masking)."""

from __future__ import annotations

import json

import httpx
import pytest

from api import rasa_client


class StandIn:
    """A stand-in for Rasa's REST webhook via httpx.MockTransport."""

    def __init__(self, answer) -> None:
        self.answer = answer
        self.received: list[dict] = []

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        def handler(request: httpx.Request) -> httpx.Response:
            body = json.loads(request.content)
            self.received.append(body)
            return self.answer(body)

        transport = httpx.MockTransport(handler)
        monkeypatch.setattr(rasa_client, "_client", lambda: httpx.AsyncClient(transport=transport))
