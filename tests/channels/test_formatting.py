"""Channel-neutral formatting: splitting at boundaries, numbered choices, choice memory."""

from __future__ import annotations

from api.channels.formatting import Button, ChoiceMemory, from_rasa, numbered_choices, shorten, split_text


def test_short_text_is_one_chunk() -> None:
    assert split_text("  Xin chào.  ", 2000) == ["Xin chào."]
    assert split_text("", 10) == []


def test_split_prefers_paragraphs_then_lines_then_sentences_then_words() -> None:
    paragraphs = "A" * 50 + "\n\n" + "B" * 50
    assert split_text(paragraphs, 60) == ["A" * 50, "B" * 50]
    lines = "1. " + "x" * 40 + "\n2. " + "y" * 40 + "\n3. " + "z" * 40
    assert split_text(lines, 90) == ["1. " + "x" * 40 + "\n2. " + "y" * 40, "3. " + "z" * 40]
    sentences = "Câu thứ nhất khá dài. Câu thứ hai cũng dài! Câu thứ ba? Hết."
    chunks = split_text(sentences, 25)
    assert all(len(c) <= 25 for c in chunks)
    assert chunks[0] == "Câu thứ nhất khá dài."
    words = "một hai ba bốn năm sáu bảy tám chín mười"
    assert all(len(c) <= 12 for c in split_text(words, 12))
    assert " ".join(split_text(words, 12)) == words


def test_split_never_loses_text_and_respects_limit() -> None:
    text = "\n".join(f"- Mục {i}: " + "nội dung dài. " * (i % 7 + 1) for i in range(200))
    for limit in (50, 300, 2000):
        chunks = split_text(text, limit)
        assert all(0 < len(c) <= limit for c in chunks)
        assert "".join(c.replace(" ", "").replace("\n", "") for c in chunks) == text.replace(" ", "").replace(
            "\n", ""
        )


def test_word_longer_than_limit_is_cut() -> None:
    assert split_text("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]


def test_from_rasa_keeps_text_buttons_and_images() -> None:
    replies = from_rasa(
        [
            {"recipient_id": "a", "text": "Chọn:", "buttons": [{"title": "Lệ phí", "payload": "/fee"}]},
            {"recipient_id": "a", "image": "https://example.org/a.png"},
            {"recipient_id": "a", "custom": {"foo": 1}},
        ]
    )
    assert [r.text for r in replies] == ["Chọn:", "https://example.org/a.png"]
    assert replies[0].buttons == [Button("Lệ phí", "/fee")]


def test_numbered_choices_and_memory() -> None:
    buttons = [Button("Hồ sơ", "/docs"), Button("Xem trên Cổng DVC", "https://dichvucong.gov.vn/x")]
    text = numbered_choices(buttons)
    assert text.splitlines()[0] == "1. Hồ sơ"
    assert "https://dichvucong.gov.vn/x" in text
    memory = ChoiceMemory()
    memory.offer("zalo-1", buttons)
    assert memory.resolve("zalo-2", "1") == "1"  # other conversation
    assert memory.resolve("zalo-1", "2") == "2"  # a link is not a choice
    assert memory.resolve("zalo-1", " 1. ") == "/docs"
    assert memory.resolve("zalo-1", "1") == "1"  # used once


def test_shorten() -> None:
    assert shorten("Lệ phí", 20) == "Lệ phí"
    short = shorten("Thời hạn giải quyết hồ sơ", 20)
    assert len(short) <= 20 and short.endswith("…")
