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


@pytest.mark.parametrize("q", ["đăng ký khai sinh cần giấy tờ gì", "lam lai cccd bi mat o dau"])
def test_query_terms_are_remembered_and_equal_a_fresh_analysis(q: str) -> None:
    from indexer.query import _TERMS, analyze_query, folded_terms, query_terms, segmented_terms

    _TERMS.clear()
    told: list[str] = []
    first = query_terms(q, told.append)
    again = query_terms(q, told.append)
    assert again is first  # looked up, not analysed again
    forms = analyze_query(q)
    assert first.forms == forms
    assert list(first.segmented) == segmented_terms(
        forms.restored + " " + forms.expanded[len(forms.normalized) :]
    )
    assert list(first.folded) == folded_terms(forms.expanded)
    # the encoder is told its text on a look-up as on an analysis
    assert told == [first.dense_text, first.dense_text]
    assert first.dense_text == (forms.normalized if forms.accented else forms.restored)


def test_query_terms_are_read_afresh_with_another_restorer(monkeypatch: pytest.MonkeyPatch) -> None:
    import indexer.query
    from indexer.query import _TERMS, query_terms

    _TERMS.clear()
    first = query_terms("dang ky ket hon")
    monkeypatch.setattr(indexer.query, "current_model_path", lambda *_: "another-model.lm.gz")
    assert query_terms("dang ky ket hon") is not first
