"""Normalisation of Vietnamese text: one pipeline for index and query.

Canonical form (the same everywhere, index and query):

- Unicode NFC; look-alike letters Ð/ð (Icelandic eth), Ɖ/ɖ mapped to Đ/đ;
  control and zero-width characters removed; whitespace collapsed to one space.
- Tone marks placed by ONE rule, the "old style" used by underthesea's
  ``text_normalize`` and by most legal texts: in an open syllable with two vowels
  the mark goes on the first vowel (hòa, thủy, khỏe, mùa); a vowel carrying a
  quality mark (ă â ê ô ơ ư; ơ in ươ) takes it otherwise; in a closed syllable the
  last vowel (hoàng, toán); in three-vowel clusters the middle one (ngoài).
  So "hoà" and "hòa" both become "hòa", "baỏ" becomes "bảo".

``analyze`` adds chat-form/abbreviation expansion (``knowledge/lexicon``) and
diacritic restoration (:mod:`common.text.restore`); see :class:`TextForms`.
Standard library only (plus underthesea, lazily, for :func:`segment`): this module
runs in both the application and the Rasa environment.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import re
import sys
import types
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

__all__ = [
    "TextForms",
    "analyze",
    "expand_synonyms",
    "fold",
    "has_diacritics",
    "nfc",
    "place_tone",
    "segment",
    "typed_with_diacritics",
]

# --- character tables -------------------------------------------------------------

TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}  # huyền sắc ngã hỏi nặng
_VOWELS = set("aăâeêioôơuưy")
_MODIFIED_VOWELS = set("ăâêôơư")
_LOOKALIKES = {"\u00d0": "Đ", "\u00f0": "đ", "\u0189": "Đ", "\u0256": "đ"}
_CONTROL_RE = re.compile(
    r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u2060\ufeff]"
)
_SPACE_RE = re.compile(r"\s+")
_LETTERS_RE = re.compile(r"[^\W\d_]+")


@lru_cache(maxsize=4096)
def _split_char(ch: str) -> tuple[str, str]:
    """'ộ' -> ('ô', '\u0323'); 'a' -> ('a', '')."""
    decomposed = unicodedata.normalize("NFD", ch)
    tone = ""
    rest = []
    for c in decomposed:
        if c in TONE_MARKS:
            tone = c
        else:
            rest.append(c)
    return unicodedata.normalize("NFC", "".join(rest)), tone


def _tone_position(base: str) -> int | None:
    """Index (in the lower-case, tone-less syllable ``base``) of the vowel that carries the tone."""
    n = len(base)
    i = 0
    if base.startswith(("gi", "qu")) and n > 2 and base[2] in _VOWELS:
        i = 2
    else:
        while i < n and base[i] not in _VOWELS:
            i += 1
    start = i
    while i < n and base[i] in _VOWELS:
        i += 1
    end = i
    if start == end:
        # "gi" alone ("gì"): the i is the vowel.
        if base.startswith("gi") and n == 2:
            return 1
        return None
    if any(c in _VOWELS for c in base[end:]):
        return None  # two vowel groups: not a Vietnamese syllable, leave it alone
    cluster = base[start:end]
    if "ươ" in cluster:
        return start + cluster.index("ươ") + 1
    mods = [k for k, c in enumerate(cluster) if c in _MODIFIED_VOWELS]
    if mods:
        return start + mods[-1]
    if end < n:  # closed syllable
        return end - 1
    if len(cluster) == 1:
        return start
    if len(cluster) == 2:
        return start  # old style: hòa, thủy, khỏe
    return start + 1


@lru_cache(maxsize=200_000)
def place_tone(word: str) -> str:
    """Move the tone mark of one syllable to its canonical vowel (case kept)."""
    parts = [_split_char(c) for c in word]
    tones = [t for _, t in parts if t]
    if len(tones) != 1:
        return word
    base = "".join(b for b, _ in parts)
    pos = _tone_position(base.lower())
    if pos is None:
        return word
    out = []
    for k, (b, _) in enumerate(parts):
        out.append(unicodedata.normalize("NFC", b + tones[0]) if k == pos else b)
    return "".join(out)


def _fix_word(m: re.Match) -> str:
    w = m.group(0)
    if w.isascii():
        return w
    return place_tone(w)


def nfc(text: str) -> str:
    """Canonical Unicode + tone placement + Đ look-alikes + whitespace/control clean-up."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text)
    for bad, good in _LOOKALIKES.items():
        if bad in text:
            text = text.replace(bad, good)
    text = _CONTROL_RE.sub("", text)
    text = _SPACE_RE.sub(" ", text).strip()
    return _LETTERS_RE.sub(_fix_word, text)


@lru_cache(maxsize=8192)
def _fold_char(ch: str) -> str:
    if ch in "đĐ":
        return "d"
    return "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c)).lower()


# the combining diacritics of Latin letters (Vietnamese tone and vowel marks among them); U+034F,
# the grapheme joiner, is no diacritic (combining class 0) and stays, as _fold_char keeps it
_LATIN_MARKS_RE = re.compile("[\u0300-\u034e\u0350-\u036f]")
_NON_ASCII_RE = re.compile("[^\x00-\x7f]")


def fold(text: str) -> str:
    """Lower-case, diacritics removed, đ -> d (for diacritic-free matching): each character as
    :func:`_fold_char` folds it."""
    if not text:
        return ""
    text = " ".join(_CONTROL_RE.sub("", text).split())  # str.split: the whitespace \s matches
    if text.isascii():
        return text.lower()
    # the whole text at once, in C: decomposed, Latin marks dropped, đ → d. Character by character
    # this took most of an index's load time (4 million calls for its 3,000 records).
    bare = _LATIN_MARKS_RE.sub("", unicodedata.normalize("NFD", text)).replace("đ", "d").replace("Đ", "d")
    if bare.isascii() or all(_folds_to_itself(c) for c in set(_NON_ASCII_RE.findall(bare))):
        return bare.lower()
    return "".join(_fold_char(c) for c in text)  # other marks, or a letter whose case is contextual


@lru_cache(maxsize=4096)
def _folds_to_itself(ch: str) -> bool:
    """``ch`` (left after decomposing and dropping Latin marks) is lower-cased alone as within a
    word, and is no mark: folding it with its text gives what folding it alone gives."""
    return not unicodedata.combining(ch) and ch != "Σ" and ch.lower() == _fold_char(ch)


@lru_cache(maxsize=200_000)
def fold_word(word: str) -> str:
    """:func:`fold` of one token, cached (hot path of training and decoding)."""
    return fold(word)


def has_diacritics(text: str) -> bool:
    """True if any letter carries a Vietnamese tone/quality mark or is đ."""
    return any(not c.isascii() and c.isalpha() and _fold_char(c) != c.lower() for c in text)


# Someone who types diacritics marks most words (rarely fewer than 4 in 10 in the development
# questions); someone who types without them may still add a marked word or two ("cho em hỏi …",
# "… ạ", "… nhé", "… ở đâu"). Below this share of marked words a message is read as typed
# without diacritics: its plain words are restored, the marked ones kept as typed.
MIN_MARKED_SHARE = 0.3


def typed_with_diacritics(text: str) -> bool:
    """Whether the writer of ``text`` typed diacritics: at least :data:`MIN_MARKED_SHARE` of its
    words carry marks. The lexicon's shorthand is not counted ("đk", "mún" are marked, "cccd" is
    not: they say nothing about the keyboard)."""
    from common.text.lexicon import get_lexicon

    lexicon = get_lexicon()
    typed = [w for w in _LETTERS_RE.findall(nfc(text)) if not lexicon.is_key_token(w)]
    marked = sum(1 for w in typed if has_diacritics(w))
    return marked > 0 and marked >= MIN_MARKED_SHARE * len(typed)


def segment(text: str) -> list[str]:
    """Word segmentation with underthesea; multi-syllable words joined with "_"."""
    text = nfc(text)
    if not text:
        return []
    return [w.replace(" ", "_") for w in _word_tokenize()(text)]


@functools.cache
def _word_tokenize():
    """underthesea's word tokenizer, loaded without the package's ``__init__``: that one also
    imports its optional pipelines (translation → transformers → torch: seconds and hundreds of MB) that
    segmentation does not use. A stand-in package lets Python find the submodules; it is removed
    afterwards, so a later ``import underthesea`` runs the real ``__init__``."""
    if "underthesea" in sys.modules:
        from underthesea import word_tokenize

        return word_tokenize
    spec = importlib.util.find_spec("underthesea")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("underthesea is not installed: pip install -r requirements.txt")
    stand_in = types.ModuleType("underthesea")
    stand_in.__path__ = list(spec.submodule_search_locations)
    stand_in.__spec__ = spec
    sys.modules["underthesea"] = stand_in
    try:
        importlib.import_module("underthesea.pipeline.text_normalize")  # before word_tokenize: a cycle
        word_tokenize = importlib.import_module("underthesea.pipeline.word_tokenize").word_tokenize
        word_tokenize("khởi động")  # loads its model now: that import also goes through the package
        return word_tokenize
    finally:
        if sys.modules.get("underthesea") is stand_in:
            del sys.modules["underthesea"]


# --- analysis ------------------------------------------------------------------------


@dataclass(frozen=True)
class TextForms:
    """Every form of one input text.

    - ``original``: as typed.
    - ``normalized``: :func:`nfc` + chat-form/abbreviation expansion ("ko" -> "không",
      "cccd" -> "căn cước công dân", "sổ hk" -> "sổ hộ khẩu").
    - ``restored``: ``normalized`` with diacritics restored for syllables typed
      without them (accented syllables, codes, numbers and unknown words are kept);
      equals ``normalized`` when nothing needed restoring or no model is built.
    - ``folded``: :func:`fold` of ``normalized`` (diacritic-free, lower-case).
    - ``steps``: (step name, text) pairs for display.
    """

    original: str
    normalized: str
    restored: str
    folded: str
    steps: list[tuple[str, str]] = field(default_factory=list, compare=False, hash=False)

    @property
    def text(self) -> str:
        """The fully normalised text (what search and NLU should read)."""
        return self.restored


MAX_RESTORE_CHARS = 4000  # longer input is normalised and expanded but not restored


def normalize(text: str) -> str:
    """:func:`nfc` + chat-form and abbreviation expansion: the ``normalized`` form of
    :func:`analyze`, without the (slower) restoration of diacritics."""
    from common.text.lexicon import get_lexicon

    return get_lexicon().expand(nfc(text))


def analyze(text: str, *, restore: bool = True) -> TextForms:
    """Run the whole pipeline on one message; never raises on odd input."""
    original = text if isinstance(text, str) else ("" if text is None else str(text))
    clean = nfc(original)
    normalized = normalize(clean)
    restored = normalized
    if len(normalized) > MAX_RESTORE_CHARS:
        restore = False  # a pasted document, not a question: keep the cost bounded
    if restore and normalized:
        from common.text.restore import get_restorer

        restorer = get_restorer()
        if restorer is not None:
            # judged from what they typed, not from our expansions
            restored = restorer.restore(normalized, partial=typed_with_diacritics(clean))
    folded = fold(normalized)
    steps = [
        ("original", original),
        ("nfc", clean),
        ("expand", normalized),
        ("restore", restored),
        ("fold", folded),
    ]
    return TextForms(original, normalized, restored, folded, steps)


def expand_synonyms(text: str) -> list[str]:
    """Extra phrasings of ``text`` from the synonym lexicon (best on ``forms.restored``).

    "mất sổ đỏ" -> ["mất giấy chứng nhận quyền sử dụng đất", ...]. The input itself is
    not included; an empty list when no synonym applies.
    """
    from common.text.lexicon import get_lexicon

    return get_lexicon().synonym_variants(nfc(text))
