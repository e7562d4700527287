"""Channel-neutral formatting of Rasa's bot messages.

Rasa's REST webhook answers with a list of messages such as
``{"text": "...", "buttons": [{"title": "...", "payload": "/ask_detail{...}"}], "image": "..."}``.
Every connector turns them into its own wire format through this one module:

- :func:`from_rasa` normalises them into :class:`Reply` (text + buttons);
- :func:`split_text` cuts long text under a channel's limit at paragraph, list-item,
  sentence and finally word boundaries (never inside a word unless one word is longer
  than the limit);
- :func:`numbered_choices` writes buttons as a numbered list for channels without
  buttons (Zalo text messages), and :class:`ChoiceMemory` maps the number the citizen
  types back to the button's payload.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from tthc import texts


@dataclass(frozen=True)
class Button:
    title: str
    payload: str

    @property
    def is_link(self) -> bool:
        return self.payload.startswith(("http://", "https://"))


@dataclass
class Reply:
    """One bot message in channel-neutral form."""

    text: str = ""
    buttons: list[Button] = field(default_factory=list)


def from_rasa(messages: Iterable[dict[str, Any]]) -> list[Reply]:
    """Normalise Rasa REST messages; images and attachments become links in the text."""
    replies: list[Reply] = []
    for message in messages:
        parts: list[str] = []
        if isinstance(message.get("text"), str) and message["text"].strip():
            # **bold** is markup of the web widget only; Messenger and Zalo show plain text
            parts.append(message["text"].strip().replace("**", ""))
        for key in ("image", "attachment"):
            value = message.get(key)
            if isinstance(value, str) and value.startswith(("http://", "https://")):
                parts.append(value)
        custom = message.get("custom")
        if isinstance(custom, dict) and isinstance(custom.get("text"), str) and custom["text"].strip():
            parts.append(custom["text"].strip())
        buttons = [
            Button(str(b.get("title", "")).strip() or str(b.get("payload", "")), str(b.get("payload", "")))
            for b in message.get("buttons") or []
            if isinstance(b, dict) and (b.get("payload") or b.get("title"))
        ]
        if parts or buttons:
            replies.append(Reply("\n\n".join(parts), buttons))
    return replies


def mentions_automation(replies: Iterable[Reply]) -> bool:
    return any(re.search(r"tự động|automated", r.text, re.IGNORECASE) for r in replies)


# --------------------------------------------------------------------------- splitting

_SENTENCE_END = re.compile(r"(?<=[.!?;:…])\s+")


def _pieces(text: str, level: int) -> list[str]:
    """Split text at one kind of boundary, keeping every character (separators stay attached)."""
    if level == 0:
        return re.split(r"(?<=\n\n)", text)  # paragraphs
    if level == 1:
        return re.split(r"(?<=\n)", text)  # lines (list items)
    if level == 2:
        return re.split(r"(?<=[.!?;:…] )", text)  # sentences
    return re.split(r"(?<= )", text)  # words


def split_text(text: str, limit: int) -> list[str]:
    """Cut ``text`` into chunks of at most ``limit`` characters at the coarsest boundary possible."""
    if limit < 1:
        raise ValueError("limit must be positive")
    text = text.strip()
    if not text:
        return []
    return [chunk.strip() for chunk in _split(text, limit, 0) if chunk.strip()]


def _split(text: str, limit: int, level: int) -> list[str]:
    if len(text) <= limit:
        return [text]
    if level > 3:  # a single "word" longer than the limit: hard cut
        return [text[i : i + limit] for i in range(0, len(text), limit)]
    chunks: list[str] = []
    current = ""
    for piece in _pieces(text, level):
        if not piece:
            continue
        if len(current) + len(piece) <= limit:
            current += piece
            continue
        if current.strip():
            chunks.append(current)
        current = ""
        if len(piece) <= limit:
            current = piece
        else:
            parts = _split(piece, limit, level + 1)
            chunks.extend(parts[:-1])
            current = parts[-1]
    if current.strip():
        chunks.append(current)
    return chunks


def shorten(title: str, limit: int) -> str:
    """Shorten a button title to ``limit`` characters, ending with an ellipsis when cut."""
    title = " ".join(title.split())
    if len(title) <= limit:
        return title
    cut = title[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,.;:-") + "…"


def numbered_choices(buttons: list[Button], hint: bool = True, text: str = "") -> str:
    """Buttons as a numbered list, for channels that cannot show buttons. When ``text`` already
    numbers the first buttons' choices (the bot's own numbered list), only the rest are
    listed, numbered on from there."""
    if not buttons:
        return ""
    listed = next(
        (n for n in range(len(buttons), 0, -1) if text and text_lists_buttons(text, buttons[:n])), 0
    )
    lines = [
        f"{i}. {b.title}" + (f": {b.payload}" if b.is_link else "")
        for i, b in enumerate(buttons[listed:], listed + 1)
    ]
    if any(not b.is_link for b in buttons) and hint:
        lines.append(texts.choose_by_number(len(buttons)))
    return "\n".join(lines)


def text_lists_buttons(text: str, buttons: list[Button]) -> bool:
    """True when ``text`` already numbers the buttons' choices ("1. <title of button 1>" …),
    as the bot does when several procedures match."""
    if not buttons:
        return False
    items: dict[int, str] = {}
    for line in text.splitlines():
        match = re.match(r"\s*(\d{1,2})[.)]\s+(.*)", line)
        if match:
            items.setdefault(int(match.group(1)), match.group(2))
    for i, button in enumerate(buttons, 1):
        head = re.sub(r"\s*\([^)]*\)\s*$", "", button.title)[:20].strip().lower()
        if i not in items or not head or head not in items[i].lower():
            return False
    return True


def button_titles(buttons: list[Button], limit: int, numbered: bool = False) -> list[str]:
    """Titles of at most ``limit`` characters; numbered ("2. …") when asked or when
    shortening would make two of them look the same."""
    titles = [shorten(b.title, limit) for b in buttons]
    if numbered or len(set(titles)) < len(titles):
        titles = [shorten(f"{i}. {b.title}", limit) for i, b in enumerate(buttons, 1)]
    return titles


class ChoiceMemory:
    """Remembers, per conversation, the buttons last offered as a numbered list.

    Bounded (least recently used conversations are forgotten) and thread-safe; a
    process restart forgets the choices, and the citizen's "2" then goes to Rasa as text.
    """

    def __init__(self, max_conversations: int = 10_000) -> None:
        self._max = max_conversations
        self._data: OrderedDict[str, list[Button]] = OrderedDict()
        self._lock = threading.Lock()

    def offer(self, conversation: str, buttons: list[Button]) -> None:
        with self._lock:
            self._data.pop(conversation, None)
            choosable = [b for b in buttons if not b.is_link]
            if choosable:
                self._data[conversation] = list(buttons)
                while len(self._data) > self._max:
                    self._data.popitem(last=False)

    def resolve(self, conversation: str, text: str) -> str:
        """The payload of the chosen button when ``text`` is its number, else ``text``."""
        match = re.fullmatch(r"\s*(\d{1,2})\s*[.)]?\s*", text)
        if not match:
            return text
        with self._lock:
            buttons = self._data.get(conversation)
            if not buttons:
                return text
            index = int(match.group(1)) - 1
            if 0 <= index < len(buttons) and not buttons[index].is_link:
                self._data.pop(conversation, None)
                return buttons[index].payload
        return text
