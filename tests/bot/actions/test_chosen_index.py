"""Reading which offered procedure a citizen picked ("2", "cái thứ hai", "cái cuối")."""

from __future__ import annotations

import pytest

from bot.actions.procedure_actions import chosen_index


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2", 2),
        ("số 3 nhé", 3),
        ("so 1 a", 1),
        ("cái thứ hai", 2),
        ("cai thu tu", 4),
        ("thứ nhì", 2),
        ("hai", 2),
        ("Hai ạ", 2),
        ("cái đầu tiên", 1),
        ("lấy cái đầu", 1),
        ("muc dau tien", 1),
        ("cái cuối", 4),
        ("chọn cái cuối cùng", 4),
        ("phương án sáu", 6),
    ],
)
def test_choice_is_read(text: str, expected: int) -> None:
    assert chosen_index(text, count=4) == expected


@pytest.mark.parametrize("text", ["", "cái nào nhanh hơn", "làm sau khi nhận nhà", "tôi là nam"])
def test_no_choice_named(text: str) -> None:
    assert chosen_index(text, count=4) is None
