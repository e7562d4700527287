"""indexer.query: the query forms search reads."""

from __future__ import annotations

import pytest

from indexer.query import analyze_query, content_syllables


@pytest.mark.parametrize(
    "question",
    [
        "Đăng ký khai sinh cần giấy tờ gì?",
        "  làm lại CCCD bị mất ở đâu ",
        "đk kết hôn mất bn tiền",
        "lam lai căn cước mất bao lâu",
        "Thủ tục cấp GPLX ko biết nộp ở UBND xã đc ko",
        "dang ky khai sinh can giay to gi",
        "lam lai cccd o dau",
        "123",
    ],
)
def test_the_encoder_is_handed_the_text_the_search_reads_once(question: str) -> None:
    # search starts the encoder on this text before the analysis ends: it must be the same text
    handed: list[str] = []
    forms = analyze_query(question, handed.append)
    assert handed == [forms.normalized if forms.accented else forms.restored]
    assert analyze_query(question) == forms


@pytest.mark.parametrize(
    "folded, content",
    [
        ("dang ky khai sinh o uy ban nhan dan phuong", {"dang", "ky", "khai", "sinh"}),
        ("lam ho chieu o ubnd tinh hay cap xa", {"chieu"}),
        ("xac nhan tinh trang hon nhan", {"xac", "nhan", "tinh", "trang", "hon"}),  # "tình", not a level
        ("ubnd", {"ubnd"}),  # nothing else: the office itself is what is asked
    ],
)
def test_the_office_a_question_names_is_not_a_word_to_explain(folded: str, content: set[str]) -> None:
    assert content_syllables(folded) == content
