"""The project's lexicon (``knowledge/lexicon/*.tsv``): abbreviations, chat forms, synonyms.

File format (UTF-8, tab-separated, ``#`` starts a comment line):

- ``abbreviations.tsv`` and ``chat_forms.tsv``: ``form<TAB>expansion<TAB>note``.
  ``form`` is one to four whitespace-separated tokens, matched case-insensitively as
  whole tokens: "k" never matches inside "100k" or a code such as "1.001193".
  Longest match wins, so "sổ hk" / "dc hk" decide what an ambiguous "hk" means.
  Chat forms made of a single letter ("k", "j") are not applied to an upper-case
  letter (a licence class, an initial).
- ``synonyms.tsv``: ``phrase<TAB>alternative<TAB>note`` — directional, colloquial or
  older wording -> wording used by procedures; one line per alternative.

Only the standard library is used (the Rasa environment loads this too).
"""

from __future__ import annotations

import itertools
import logging
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from common.text import config

log = logging.getLogger(__name__)

# A token: letters/digits, possibly joined by . / - (codes like 1.001193, 45/2016/QĐ-TTg).
TOKEN_RE = re.compile(r"[^\W_]+(?:[./\-][^\W_]+)*")
MAX_VARIANTS = 12


def read_tsv(path: Path) -> list[tuple[str, ...]]:
    rows = []
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            cols = [c.strip() for c in line.split("\t")]
            if len(cols) < 2 or not cols[0] or not cols[1]:
                raise ValueError(f"{path}:{lineno}: expected 'form<TAB>expansion[<TAB>note]', got {line!r}")
            rows.append(tuple(cols))
    return rows


def _key(phrase: str) -> tuple[str, ...]:
    from common.text.normalize import nfc

    return tuple(t.lower() for t in TOKEN_RE.findall(nfc(phrase)))


@dataclass
class Lexicon:
    expansions: dict[tuple[str, ...], str] = field(default_factory=dict)
    chat_keys: set[tuple[str, ...]] = field(default_factory=set)
    synonyms: dict[tuple[str, ...], list[str]] = field(default_factory=dict)
    # first token -> the most tokens a key starting with it has (most tokens start none)
    longest: dict[str, int] = field(default_factory=dict)
    syn_longest: dict[str, int] = field(default_factory=dict)

    @classmethod
    def load(cls, directory: Path | None = None) -> Lexicon:
        from common.text.normalize import nfc

        directory = directory or config.lexicon_dir()
        lex = cls()
        for name, is_chat in (("abbreviations.tsv", False), ("chat_forms.tsv", True)):
            path = directory / name
            if not path.exists():
                log.warning("lexicon file missing: %s", path)
                continue
            for row in read_tsv(path):
                key = _key(row[0])
                if not key:
                    continue
                if key in lex.expansions and lex.expansions[key] != nfc(row[1]):
                    raise ValueError(f"{path}: {row[0]!r} defined twice with different expansions")
                lex.expansions[key] = nfc(row[1])
                if is_chat:
                    lex.chat_keys.add(key)
                lex.longest[key[0]] = max(lex.longest.get(key[0], 0), len(key))
        path = directory / "synonyms.tsv"
        if path.exists():
            for row in read_tsv(path):
                key = _key(row[0])
                if key:
                    alts = lex.synonyms.setdefault(key, [])
                    if nfc(row[1]) not in alts:
                        alts.append(nfc(row[1]))
                    lex.syn_longest[key[0]] = max(lex.syn_longest.get(key[0], 0), len(key))
        else:
            log.warning("lexicon file missing: %s", path)
        return lex

    def is_key_token(self, token: str) -> bool:
        """True if ``token`` (any case) is one of the single-token forms of the lexicon."""
        return (token.lower(),) in self.expansions

    # --- matching ----------------------------------------------------------------
    @staticmethod
    def _tokens(text: str) -> list[re.Match]:
        return list(TOKEN_RE.finditer(text))

    def _match(self, text, toks, i, table, longest):
        """Longest key of ``table`` starting at token i (tokens separated by spaces only);
        ``longest``: the table's longest key for each first token."""
        max_len = longest.get(toks[i].group(0).lower(), 0)
        for n in range(min(max_len, len(toks) - i), 0, -1):
            span = toks[i : i + n]
            if any(text[a.end() : b.start()].strip() for a, b in itertools.pairwise(span)):
                continue
            key = tuple(m.group(0).lower() for m in span)
            if key in table:
                return n, key
        return 0, None

    def expand(self, text: str) -> str:
        """Replace chat forms and abbreviations by their expansion."""
        if not text or not self.expansions:
            return text
        toks = self._tokens(text)
        out, pos, i = [], 0, 0
        while i < len(toks):
            n, key = self._match(text, toks, i, self.expansions, self.longest)
            if n:
                first = toks[i].group(0)
                if key in self.chat_keys and n == 1 and len(first) == 1 and first.isupper():
                    before = text[: toks[i].start()].rstrip()
                    if before and before[-1] not in ".!?…":
                        n = 0  # "hạng K", "ông K": a letter, not "không"; sentence-initial "K" is
            if not n:
                i += 1
                continue
            first = toks[i].group(0)
            repl = self.expansions[key]
            if len(first) > 1 and first[0].isupper() and first[1:].islower() and repl:
                repl = repl[0].upper() + repl[1:]
            out.append(text[pos : toks[i].start()])
            out.append(repl)
            pos = toks[i + n - 1].end()
            i += n
        out.append(text[pos:])
        return "".join(out)

    def synonym_variants(self, text: str) -> list[str]:
        variants: list[str] = []
        if not text or not self.synonyms:
            return variants
        toks = self._tokens(text)
        spans: list[tuple[int, int, list[str]]] = []
        i = 0
        while i < len(toks):
            n, key = self._match(text, toks, i, self.synonyms, self.syn_longest)
            if not n:
                i += 1
                continue
            a, b = toks[i].start(), toks[i + n - 1].end()
            alts = [alt for alt in self.synonyms[key] if not _overlaps(text, alt, a, b)]
            if alts:
                spans.append((a, b, alts))
            i += n
        if len(spans) > 1:  # every phrase replaced by its first alternative
            combined, pos = [], 0
            for a, b, alts in spans:
                combined += [text[pos:a], alts[0]]
                pos = b
            variants.append("".join([*combined, text[pos:]]))
        for a, b, alts in spans:
            for alt in alts:
                v = text[:a] + alt + text[b:]
                if v != text and v not in variants:
                    variants.append(v)
        return variants[:MAX_VARIANTS]


def _overlaps(text: str, alt: str, a: int, b: int) -> bool:
    """True if ``alt`` already occurs in ``text`` over the span [a, b) (case-insensitive)."""
    low, alt = text.lower(), alt.lower()
    start = low.find(alt, max(0, a - len(alt)))
    while start != -1 and start < b:
        if start + len(alt) > a:
            return True
        start = low.find(alt, start + 1)
    return False


_LOCK = threading.Lock()
_LEXICON: Lexicon | None = None


def get_lexicon() -> Lexicon:
    """The lexicon of ``config.lexicon_dir()``, loaded once per process."""
    global _LEXICON
    if _LEXICON is None:
        with _LOCK:
            if _LEXICON is None:
                _LEXICON = Lexicon.load()
    return _LEXICON


def reset_lexicon() -> None:
    """Forget the cached lexicon (tests, or after editing the files)."""
    global _LEXICON
    _LEXICON = None
