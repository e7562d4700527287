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
def test_the_encoders_text_is_read_first_and_is_the_text_the_search_reads(question: str) -> None:
    # search encodes this text while the rest of the analysis runs: it must be the same text
    from indexer.query import read_query

    text = read_query(question)
    forms = analyze_query(text)
    assert text.restored == (forms.normalized if forms.accented else forms.restored)
    assert (text.query, text.normalized, text.accented) == (forms.original, forms.normalized, forms.accented)
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


@pytest.mark.parametrize("q", ["đăng ký khai sinh cần giấy tờ gì", "lam lai cccd bi mat o dau"])
def test_query_terms_are_remembered_and_equal_a_fresh_analysis(q: str) -> None:
    from indexer.query import _TERMS, analyze_query, folded_terms, query_terms, segmented_terms

    _TERMS.clear()
    first = query_terms(q)
    assert "forms" not in first.__dict__  # only the encoder's text is read at once
    again = query_terms(q)
    assert again is first  # looked up, not read again
    forms = analyze_query(q)
    assert first.forms == forms
    assert list(first.segmented) == segmented_terms(
        forms.restored + " " + forms.expanded[len(forms.normalized) :]
    )
    assert list(first.folded) == folded_terms(forms.expanded)
    assert first.dense_text == (forms.normalized if forms.accented else forms.restored)


def test_query_terms_are_read_afresh_with_another_restorer(monkeypatch: pytest.MonkeyPatch) -> None:
    import indexer.query
    from indexer.query import _TERMS, query_terms

    _TERMS.clear()
    first = query_terms("dang ky ket hon")
    monkeypatch.setattr(indexer.query, "current_model_path", lambda *_: "another-model.lm.gz")
    assert query_terms("dang ky ket hon") is not first
