"""Search-as-you-type over procedure records (``/api/search?mode=lexical``, the staff page).

The hybrid search of :mod:`indexer.procedure_search` encodes every query with the e5
model, too slow for one request per keystroke (``bench/bench_staff_search.py`` prints both). This index
is lexical only and built in memory from the same records the retriever loaded
(``Retriever.procedures``), so both modes always agree on what exists:

- diacritic-insensitive: query and records are folded (``đăng ký`` = ``dang ky``);
- the last word of the query is matched as a prefix while it is being typed
  (``khai s`` finds ``khai sinh``), earlier words exactly;
- score: IDF-weighted matches (title > everyday names = code > field > agency), plus a
  bonus for each pair of words typed in the title's order, times the square of the share
  of query words found and a factor for the share of the title covered (short exact
  titles first); procedure codes match by prefix (``1.0011``) and come first.
"""

from __future__ import annotations

import bisect
import itertools
import math
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from indexer.query import QUESTION_WORDS, fold, syllables
from knowledge.schema import LEVEL_ORDER

_WEIGHTS = (("title", 3.0), ("keywords", 2.0), ("code", 3.0), ("field", 1.0), ("agency", 0.5))
MAX_EXPANSIONS = 400  # vocabulary words a partial last word may stand for
# Question words that say nothing about which procedure ("… cần giấy tờ gì?"): they
# neither add score nor count as missing when a record lacks them.
STOP = QUESTION_WORDS | {"hoi", "ve"}  # a desk search is not chat: "mất", "con", "phí" name things


def _words(text: str) -> list[str]:
    return syllables(fold(text or ""))


@dataclass
class Entry:
    code: str
    title: str
    field: str
    agency: str
    levels: list[str]
    source: str
    phrase: str  # " " + folded title words + " "
    title_words: frozenset[str]
    field_f: str
    agency_f: str


@dataclass
class QuickResult:
    query: str
    hits: list[dict] = field(default_factory=list)
    total: int = 0
    elapsed_ms: float = 0.0


class QuickIndex:
    def __init__(self, procedures: Iterable) -> None:
        self.entries: list[Entry] = []
        postings: dict[str, dict[int, float]] = {}
        for i, p in enumerate(sorted(procedures, key=lambda p: p.code)):
            levels = [getattr(lv, "value", str(lv)) for lv in p.levels]
            self.entries.append(
                Entry(
                    code=p.code,
                    title=p.title,
                    field=p.field,
                    agency=p.agency,
                    levels=levels,
                    source=p.source_url,
                    phrase=" " + " ".join(_words(p.title)) + " ",
                    title_words=frozenset(_words(p.title)),
                    field_f=fold(p.field),
                    agency_f=fold(p.agency),
                )
            )
            texts = {
                "title": p.title,
                "keywords": " ".join(p.keywords),
                "code": p.code,
                "field": p.field,
                "agency": p.agency,
            }
            weights: dict[str, float] = {}
            for name, w in _WEIGHTS:
                for word in set(_words(texts[name])):
                    if w > weights.get(word, 0.0):
                        weights[word] = w
            for word, w in weights.items():
                postings.setdefault(word, {})[i] = w
        n = max(len(self.entries), 1)
        self.postings = postings
        self.vocab = sorted(postings)
        self.idf = {w: math.log(1.0 + n / len(docs)) for w, docs in postings.items()}
        self.by_code = {e.code: i for i, e in enumerate(self.entries)}

    def _expand(self, prefix: str) -> list[str]:
        start = bisect.bisect_left(self.vocab, prefix)
        out = []
        for word in self.vocab[start : start + MAX_EXPANSIONS]:
            if not word.startswith(prefix):
                break
            out.append(word)
        return out

    def allowed(self, field: str | None, level: str | None, agency: str | None) -> list[bool] | None:
        if not (field or level or agency):
            return None
        fz, az = fold(field) if field else None, fold(agency) if agency else None
        return [
            (fz is None or fz in e.field_f)
            and (level is None or level in e.levels)
            and (az is None or az in e.agency_f)
            for e in self.entries
        ]

    def search(
        self,
        query: str,
        k: int = 10,
        field: str | None = None,
        level: str | None = None,
        agency: str | None = None,
    ) -> QuickResult:
        t0 = time.perf_counter()
        words = _words(query)
        result = QuickResult(query)
        if not words:
            return result
        partial = not query[-1:].isspace()
        content = [w for w in words if w not in STOP] or words
        if partial and words[-1] != content[-1]:
            partial = False  # the partial word was a stop word: nothing to complete
        words_all = words
        words = content
        allowed = self.allowed(field, level, agency)
        score: dict[int, float] = {}
        matched: dict[int, int] = {}
        for j, word in enumerate(words):
            contrib: dict[int, float] = {}
            candidates = self._expand(word) if partial and j == len(words) - 1 else [word]
            for cand in candidates:
                docs = self.postings.get(cand)
                if not docs:
                    continue
                factor = self.idf[cand] * (1.0 if cand == word else 0.8)
                for d, w in docs.items():
                    s = factor * w
                    if s > contrib.get(d, 0.0):
                        contrib[d] = s
            for d, s in contrib.items():
                if allowed is not None and not allowed[d]:
                    continue
                score[d] = score.get(d, 0.0) + s
                matched[d] = matched.get(d, 0) + 1
        code_q = query.strip()
        last = words[-1]
        exact = set(words[:-1]) if partial else set(words)
        words = words_all  # order bonus over everything typed
        pairs = [f" {a} {b}" for a, b in itertools.pairwise(words)]
        ranked = []
        for d, s in score.items():
            e = self.entries[d]
            # share of the title's words the query covers: short, exact titles first
            hit_words = sum(1 for t in e.title_words if t in exact or (partial and t.startswith(last)))
            title_cov = hit_words / len(e.title_words) if e.title_words else 0.0
            # words typed in the title's order (the last pair may end in a partial word)
            bonus = 0.0
            for j, pair in enumerate(pairs):
                tail = j == len(pairs) - 1 and partial
                if (pair in e.phrase) if tail else (pair + " " in e.phrase):
                    bonus += 1.5 * (self.idf.get(words[j], 1.0) + self.idf.get(words[j + 1], 1.0))
            coverage = matched[d] / len(content)
            final = (s + bonus) * coverage**2 * (0.6 + 0.4 * title_cov)
            if code_q and e.code.startswith(code_q):
                final += 1000.0
            level_rank = min((LEVEL_ORDER.get(lv, 5) for lv in e.levels), default=5)
            ranked.append((-round(final, 6), level_rank, len(e.title), e.code, d, final))
        ranked.sort()
        result.total = len(ranked)
        for *_, d, s in ranked[:k]:
            e = self.entries[d]
            result.hits.append(
                {
                    "kind": "procedure",
                    "code": e.code,
                    "title": e.title,
                    "source": e.source,
                    "score": round(s, 4),
                    "passage": "",
                    "levels": e.levels,
                    "field": e.field,
                    "agency": e.agency,
                    "matched_words": matched[d],
                    "query_words": len(content),
                }
            )
        result.elapsed_ms = (time.perf_counter() - t0) * 1e3
        return result


_LOCK = threading.Lock()


def quick_index(retriever) -> QuickIndex:
    """The lexical index of a loaded retriever (built once per retriever, ~0.2 s; it goes with the
    retriever when a new index build replaces it)."""
    with _LOCK:
        index = getattr(retriever, "quick_index", None)
        if index is None:
            index = retriever.quick_index = QuickIndex(retriever.procedures.values())
        return index


def facets(retriever) -> dict:
    """Values of the filters with their number of procedures (most frequent first)."""
    from knowledge.schema import Level

    fields: dict[str, int] = {}
    agencies: dict[str, int] = {}
    levels: dict[str, int] = {}
    for p in retriever.procedures.values():
        if p.field:
            fields[p.field] = fields.get(p.field, 0) + 1
        if p.agency:
            agencies[p.agency] = agencies.get(p.agency, 0) + 1
        for lv in p.levels:
            levels[lv.value] = levels.get(lv.value, 0) + 1

    def rows(counts: dict[str, int]) -> list[dict]:
        return [{"value": v, "count": c} for v, c in sorted(counts.items(), key=lambda x: (-x[1], x[0]))]

    return {
        "fields": rows(fields),
        "levels": [
            {"value": lv.value, "label": lv.label, "count": levels.get(lv.value, 0)}
            for lv in Level
            if levels.get(lv.value)
        ],
        "agencies": rows(agencies),
        "procedures": len(retriever.procedures),
    }
