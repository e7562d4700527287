"""Channel-neutral formatting: splitting at boundaries, numbered choices, choice memory."""

from __future__ import annotations

from api.channels.formatting import (
    Button,
    ChoiceMemory,
    button_titles,
    from_rasa,
    numbered_choices,
    shorten,
    split_text,
    text_lists_buttons,
)


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


AMBIGUOUS = (
    "Có vài thủ tục gần giống, bạn muốn hỏi thủ tục nào?\n"
    "1. Đăng ký khai sinh (mã 1.001193, cấp Xã)\n"
    "2. Đăng ký khai sinh lưu động (mã 1.000656, cấp Xã)\n"
    "3. Đăng ký khai sinh có yếu tố nước ngoài (mã 1.001695, cấp Huyện)"
)
AMBIGUOUS_BUTTONS = [
    Button("Đăng ký khai sinh (1.001193)", '/ask_detail{"procedure_code": "1.001193"}'),
    Button("Đăng ký khai sinh lưu động (1.000656)", '/ask_detail{"procedure_code": "1.000656"}'),
    Button("Đăng ký khai sinh có yếu tố nước ngoài (1.001695)", '/ask_detail{"procedure_code": "1.001695"}'),
]


def test_a_list_the_bot_already_numbered_is_not_repeated() -> None:
    assert text_lists_buttons(AMBIGUOUS, AMBIGUOUS_BUTTONS)
    assert numbered_choices(AMBIGUOUS_BUTTONS, text=AMBIGUOUS) == "(Trả lời bằng số 1–3 để chọn.)"
    # a procedure answer whose text has its own numbered list (documents) is not mistaken for it
    answer = "Hồ sơ gồm:\n1. Tờ khai đăng ký khai sinh\n2. Giấy chứng sinh"
    buttons = [Button("Thời hạn giải quyết", "/a"), Button("Phí, lệ phí", "/b")]
    assert not text_lists_buttons(answer, buttons)
    assert numbered_choices(buttons, text=answer).startswith("1. Thời hạn giải quyết\n2. Phí, lệ phí")


def test_buttons_after_the_bots_own_list_are_numbered_on() -> None:
    """Situations numbered in the text, then other buttons: only the others are listed, from 4."""
    more = [*AMBIGUOUS_BUTTONS, Button("Lưu ý (3)", "/n"), Button("Thời hạn", "/t")]
    assert (
        numbered_choices(more, text=AMBIGUOUS) == "4. Lưu ý (3)\n5. Thời hạn\n(Trả lời bằng số 1–5 để chọn.)"
    )


def test_button_titles_stay_distinguishable_when_shortened() -> None:
    titles = button_titles(AMBIGUOUS_BUTTONS, 20)
    assert all(len(t) <= 20 for t in titles) and len(set(titles)) == 3
    assert titles[0].startswith("1. ") and titles[1].startswith("2. ")
    assert button_titles([Button("Lệ phí", "/b"), Button("Thời hạn", "/a")], 20) == ["Lệ phí", "Thời hạn"]
