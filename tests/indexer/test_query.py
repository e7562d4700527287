"""indexer.query: the query forms search reads."""

from __future__ import annotations

import pytest

from indexer.query import accented_dense_text, analyze_query, content_syllables


@pytest.mark.parametrize(
    "question",
    [
        "Đăng ký khai sinh cần giấy tờ gì?",
        "  làm lại CCCD bị mất ở đâu ",
        "đk kết hôn mất bn tiền",
        "lam lai căn cước mất bao lâu",
        "Thủ tục cấp GPLX ko biết nộp ở UBND xã đc ko",
    ],
)
def test_accented_question_is_encoded_as_the_analysis_would(question: str) -> None:
    # search starts the encoder on this text before the analysis: it must be the same text
    assert accented_dense_text(question) == analyze_query(question).normalized


@pytest.mark.parametrize("question", ["dang ky khai sinh can giay to gi", "cccd", "123", ""])
def test_question_without_diacritics_waits_for_restoration(question: str) -> None:
    assert accented_dense_text(question) is None


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
