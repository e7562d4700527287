"""Query and passage text forms used by the index and the search.

The Vietnamese text work (NFC, tone-mark placement, diacritic restoration, lexicon
expansion, segmentation) belongs to :mod:`indexer.text`; this module only adapts its
interface for retrieval. While :mod:`indexer.text.normalize` is not importable (it is
being written in parallel) a minimal stand-in is used: NFC, lower-case, diacritic folding,
no restoration, no expansion.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_WORD = re.compile(r"\w+", re.UNICODE)


def _fallback_fold(text: str) -> str:
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return unicodedata.normalize("NFC", text)


@lru_cache(maxsize=1)
def _text_api():
    try:
        from indexer.text import normalize as tn  # type: ignore[attr-defined]

        return tn
    except Exception:  # not there yet, or failed to import
        return None


def fold(text: str) -> str:
    """Lower-case, diacritic-free form (đ → d)."""
    tn = _text_api()
    if tn is not None and hasattr(tn, "fold"):
        return tn.fold(text).lower()
    return _fallback_fold(unicodedata.normalize("NFC", text)).lower()


def nfc_lower(text: str) -> str:
    tn = _text_api()
    if tn is not None and hasattr(tn, "nfc"):
        return tn.nfc(text).lower()
    return unicodedata.normalize("NFC", text).lower()


def has_diacritics(text: str) -> bool:
    tn = _text_api()
    if tn is not None and hasattr(tn, "has_diacritics"):
        return tn.has_diacritics(text)
    return fold(text) != text.lower()


def syllables(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def folded_terms(text: str) -> list[str]:
    """Folded syllables plus adjacent-syllable bigrams (``dang_ky``): BM25 terms of the
    diacritic-free index, robust to missing tone marks and to word segmentation."""
    syl = syllables(fold(text))
    return syl + [f"{a}_{b}" for a, b in itertools.pairwise(syl)]


@lru_cache(maxsize=1)
def _segmenter():
    tn = _text_api()
    if tn is not None and hasattr(tn, "segment"):
        return tn.segment
    from underthesea import word_tokenize

    return lambda text: word_tokenize(text)


def segmented_terms(text: str) -> list[str]:
    """Lower-cased words from the word segmenter (``đăng_ký``), punctuation dropped."""
    seg = _segmenter()(unicodedata.normalize("NFC", text))
    if isinstance(seg, str):
        seg = seg.split()
    out = []
    for w in seg:
        w = w.strip().lower().replace(" ", "_")
        if w and _WORD.search(w):
            out.append(w)
    return out


@dataclass(frozen=True)
class QueryForms:
    original: str
    normalized: str  # NFC, tone marks in place, abbreviations expanded
    restored: str  # diacritics restored when the query had none (else = normalized)
    folded: str  # diacritic-free, lower-case
    expanded: str  # normalized + lexicon synonyms (for the lexical indexes)
    accented: bool  # the user typed diacritics


def _as_text(x) -> str:
    if x is None:
        return ""
    if isinstance(x, str):
        return x
    if isinstance(x, (list, tuple, set)):
        return " ".join(_as_text(i) for i in x)
    return str(x)


def analyze_query(q: str) -> QueryForms:
    q = q.strip()
    tn = _text_api()
    normalized = restored = unicodedata.normalize("NFC", q)
    expansions = ""
    if tn is not None and hasattr(tn, "analyze"):
        forms = tn.analyze(q)
        normalized = getattr(forms, "normalized", None) or normalized
        restored = getattr(forms, "restored", None) or normalized
    if tn is not None and hasattr(tn, "expand_synonyms"):
        try:
            expansions = _as_text(tn.expand_synonyms(restored))
        except Exception:
            expansions = ""
    accented = has_diacritics(q)
    if accented:
        restored = normalized
    expanded = normalized if not expansions or expansions == normalized else f"{normalized} {expansions}"
    return QueryForms(q, normalized, restored, fold(normalized), expanded, accented)
