"""Query and passage text forms used by the index and the search.

The Vietnamese text work (NFC, tone-mark placement, diacritic restoration, lexicon
expansion, segmentation) belongs to :mod:`common.text`; this module only adapts its
forms to retrieval (BM25 terms, the forms a query is searched with).
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from dataclasses import dataclass

from common.lru import LruCache
from common.text.normalize import (
    TextForms,
    analyze,
    expand_synonyms,
    fold,
    has_diacritics,
    normalize,
    segment,
    typed_with_diacritics,
)
from common.text.restore import current_model_path

__all__ = [
    "QueryForms",
    "QueryTerms",
    "QueryText",
    "analyze_query",
    "fold",
    "folded_terms",
    "has_diacritics",
    "query_terms",
    "read_query",
    "segmented_terms",
    "syllables",
]

_WORD = re.compile(r"\w+", re.UNICODE)


# Words that ask rather than name ("… thủ tục, cần giấy tờ gì, ở đâu, bao lâu?"): they add no score
# and do not count as missing when a record lacks them. Searches over words drop them.
QUESTION_WORDS = frozenset(
    [
        "bao",
        "can",
        "cho",
        "co",
        "cua",
        "dau",
        "de",
        "gi",
        "giay",
        "ho",
        "khong",
        "la",
        "lam",
        "lau",
        "may",
        "muon",
        "nao",
        "ngay",
        "nhu",
        "nhung",
        "o",
        "phai",
        "so",
        "the",
        "thu",
        "to",
        "toi",
        "tuc",
        "va",
        "xin",
    ]
)
# … and in chat, the particles and persons around a question ("anh chị ơi, em bị mất … rồi thì sao ạ")
CHAT_FILLERS = QUESTION_WORDS | frozenset(
    [
        "a",
        "ah",
        "anh",
        "ban",
        "bi",
        "chi",
        "con",
        "di",
        "do",
        "duoc",
        "em",
        "gio",
        "hay",
        "hoac",
        "khi",
        "mat",
        "minh",
        "nay",
        "nhe",
        "nhieu",
        "phi",
        "ra",
        "roi",
        "sao",
        "tai",
        "thi",
        "tien",
        "trong",
        "vay",
        "voi",
    ]
)


def syllables(text: str) -> list[str]:
    return _WORD.findall(text.lower())


# the office a question names ("nộp ở UBND phường", "làm ở cấp xã") says where to go, not which
# procedure: it is not counted among the words a record must explain
_OFFICE = re.compile(
    r"\b(?:uy ban nhan dan|uy ban|ubnd)(?: cap)?(?: (?:xa|phuong|thi tran|huyen|quan|thi xa|tinh|thanh pho))?\b"
    r"|\bcap (?:xa|phuong|huyen|tinh|trung uong)\b"
)


def content_syllables(folded: str) -> set[str]:
    """The syllables of a folded question that name what is asked: not the question words, the
    chat fillers or the office it names (all of them when nothing else is left)."""
    every = set(syllables(folded))
    return set(syllables(_OFFICE.sub(" ", folded))) - CHAT_FILLERS or every - CHAT_FILLERS or every


def folded_terms(text: str) -> list[str]:
    """Folded syllables plus adjacent-syllable bigrams (``dang_ky``): BM25 terms of the
    diacritic-free index, robust to missing tone marks and to word segmentation."""
    syl = syllables(fold(text))
    return syl + [f"{a}_{b}" for a, b in itertools.pairwise(syl)]


def segmented_terms(text: str) -> list[str]:
    """Lower-cased words from the word segmenter (``đăng_ký``), punctuation dropped."""
    seg = segment(unicodedata.normalize("NFC", text))
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
    restored: str  # diacritics restored when typed without them (else = normalized)
    folded: str  # diacritic-free, lower-case
    expanded: str  # normalized + lexicon synonyms (for the lexical indexes)
    accented: bool  # the user typed diacritics (typed_with_diacritics)


@dataclass(frozen=True)
class QueryText:
    """The first step of reading a question: the text the encoder reads, known before the rest
    of the analysis (synonyms, segmentation) so that the search can encode it meanwhile."""

    query: str  # as asked, stripped
    accented: bool  # the user typed diacritics (common.text.normalize.typed_with_diacritics)
    normalized: str  # NFC, tone marks in place, abbreviations expanded
    restored: str  # diacritics restored when typed without (else = normalized): the encoder's text
    # the whole text analysis, when restoring the diacritics needed it (typed without them)
    analysis: TextForms | None = None


def read_query(q: str) -> QueryText:
    """Normalise ``q``, and restore its diacritics when it was typed without them
    (:func:`typed_with_diacritics`: a marked word or two, "… ạ", do not count as typed with)."""
    q = q.strip()
    if typed_with_diacritics(q):
        normalized = normalize(q) or unicodedata.normalize("NFC", q)
        return QueryText(q, True, normalized, normalized)
    analysis = analyze(q)
    normalized = analysis.normalized or unicodedata.normalize("NFC", q)
    return QueryText(q, False, normalized, analysis.restored or normalized, analysis)


def analyze_query(q: str | QueryText) -> QueryForms:
    """The forms ``q`` is searched with (``q`` read by :func:`read_query`, or to be read)."""
    text = q if isinstance(q, QueryText) else read_query(q)
    # typed with diacritics: the plain syllables among them are restored for the synonyms only
    analysis = text.analysis or analyze(text.query)
    expansions = " ".join(expand_synonyms(analysis.restored or text.normalized))
    normalized = text.normalized
    expanded = normalized if not expansions or expansions == normalized else f"{normalized} {expansions}"
    return QueryForms(text.query, normalized, text.restored, fold(normalized), expanded, text.accented)


@dataclass(frozen=True)
class QueryTerms:
    """A question as the search reads it: the encoder's text at once, then its forms and the terms
    of both BM25 indexes, each made on first use and kept (an unreadable question never needs
    the terms)."""

    text: QueryText

    @property
    def dense_text(self) -> str:
        """The text the encoder reads: the restored question when it was typed without diacritics."""
        return self.text.restored

    @functools.cached_property
    def forms(self) -> QueryForms:
        return analyze_query(self.text)

    @functools.cached_property
    def segmented(self) -> tuple[str, ...]:
        """Terms of the segmented index (underthesea words)."""
        forms = self.forms
        return tuple(segmented_terms(forms.restored + " " + forms.expanded[len(forms.normalized) :]))

    @functools.cached_property
    def folded(self) -> tuple[str, ...]:
        """Terms of the diacritic-free index (syllables and their bigrams)."""
        return tuple(folded_terms(self.forms.expanded))


# Citizens ask the same questions in the same words ("đăng ký khai sinh cần giấy tờ gì", "lệ phí?"):
# the analysis of a text seen before (segmentation, restoration, lexicon: most of a search's own
# CPU) is looked up. Keyed by the restorer model too, so that a rebuilt model reads afresh.
_TERMS: LruCache[tuple[str, str], QueryTerms] = LruCache(4096)


def query_terms(q: str) -> QueryTerms:
    """The reading of ``q`` (:class:`QueryTerms`), remembered for the texts asked most recently.
    A new text is read as far as the encoder's text (:func:`read_query`); the rest on use."""
    key = (q, str(current_model_path()))
    terms = _TERMS.get(key)
    if terms is None:
        terms = QueryTerms(read_query(q))
        _TERMS.put(key, terms)
    return terms
