"""A web chat client of ``POST /api/chat`` for tests: the server issues the conversation id
with the first answer and the client sends it back, as the widget does; buttons are
clicked by sending their (signed) payload."""

from __future__ import annotations

from typing import Any

import httpx


class WebChat:
    def __init__(self, api_url: str, timeout: float = 120.0) -> None:
        self.api_url = api_url
        self.timeout = timeout
        self.sender: str | None = None
        self.messages: list[dict[str, Any]] = []

    def post(self, text: str) -> httpx.Response:
        body: dict[str, Any] = {"message": text}
        if self.sender:
            body["sender"] = self.sender
        response = httpx.post(f"{self.api_url}/api/chat", json=body, timeout=self.timeout)
        if response.status_code == 200:
            self.sender = response.json()["sender"]
            self.messages = response.json()["messages"]
        return response

    def say(self, text: str) -> list[dict[str, Any]]:
        response = self.post(text)
        assert response.status_code == 200, response.text
        return self.messages

    def text(self) -> str:
        return "\n".join(m.get("text") or "" for m in self.messages)

    def payload(self, title: str) -> str:
        """The payload of the last answer's button whose title contains ``title``."""
        for message in self.messages:
            for button in message.get("buttons") or []:
                if title in button.get("title", ""):
                    return button["payload"]
        raise AssertionError(f"no button {title!r} in {self.messages}")

    def click(self, title: str) -> list[dict[str, Any]]:
        return self.say(self.payload(title))


def new_conversation(api_url: str, timeout: float = 120.0) -> str:
    """A conversation id issued by the API (with the answer to a first greeting)."""
    chat = WebChat(api_url, timeout)
    chat.say("xin chào")
    assert chat.sender
    return chat.sender
