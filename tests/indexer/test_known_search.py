"""``indexer/known_search.py``: which procedure known by name only a question names."""

from __future__ import annotations

import datetime as dt

import faiss
import numpy as np
import pytest

from indexer.known_search import KnownProcedureSearch
from knowledge.schema import KnownProcedure


def _entry(code: str, title: str) -> KnownProcedure:
    return KnownProcedure(
        code=code,
        title=title,
        source_url=f"https://dichvucong.gov.vn/p/home/dvc-chi-tiet-thu-tuc-hanh-chinh.html?ma_thu_tuc={code}",
        source_dataset="test",
        source_date=dt.date(2025, 12, 10),
    )


def _search(min_dense: float = 0.8, min_coverage: float = 0.8) -> KnownProcedureSearch:
    entries = [
        _entry("2.000620", "Cấp Giấy phép bán lẻ rượu"),
        _entry("1.012132", "Thủ tục đăng ký nhãn hiệu"),
    ]
    vectors = np.eye(2, 4, dtype=np.float32)  # entry i points along axis i
    index = faiss.IndexFlatIP(4)
    index.add(vectors)
    return KnownProcedureSearch(
        entries, index, min_dense, min_coverage, generic=frozenset({"thu", "tuc", "cap"})
    )


def _q(*weights: float) -> np.ndarray:
    v = np.asarray(weights, dtype=np.float32)
    return v / np.linalg.norm(v)


def test_close_title_whose_words_the_question_holds_is_named():
    words = {"xin", "giay", "phep", "ban", "le", "ruou", "o", "dau"}
    match = _search().best(_q(1, 0.1, 0, 0), words)
    assert match is not None and match.procedure.code == "2.000620"
    assert match.coverage == 1.0  # "cấp" is generic: the title's other five syllables are all asked


def test_a_close_title_the_question_does_not_word_is_not_named():
    assert _search().best(_q(1, 0.1, 0, 0), {"giay", "phep", "karaoke"}) is None


def test_a_title_far_in_meaning_is_not_named_whatever_the_words():
    words = {"giay", "phep", "ban", "le", "ruou"}
    assert _search().best(_q(0.5, 0, 1, 1), words) is None  # cosine 0.33 < 0.8


def test_the_next_candidate_is_taken_when_the_closest_fails_the_words():
    match = _search(min_dense=0.3).best(_q(1, 0.9, 0, 0), {"dang", "ky", "nhan", "hieu"})
    assert match is not None and match.procedure.code == "1.012132"


def test_parameters_are_validated():
    with pytest.raises(ValueError, match="between 0 and 1"):
        _search(min_dense=1.5)
    index = faiss.IndexFlatIP(4)
    with pytest.raises(ValueError, match="title vectors"):
        KnownProcedureSearch([_entry("2.000620", "Cấp Giấy phép bán lẻ rượu")], index, 0.8, 0.8)


def test_a_build_without_known_procedures_names_none(tmp_path):
    empty = KnownProcedureSearch.load(tmp_path, 0.8, 0.8)
    assert empty.best(_q(1, 0, 0, 0), {"ruou"}) is None
