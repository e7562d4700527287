"""The retrieval library: the one search used by the bot's actions, the API and the CLI.

    from indexer.procedure_search import Retriever
    r = Retriever.load()                      # once per process (cached, thread-safe)
    res = r.search("lam lai cccd bi mat o dau", k=5)
    res.hits[0].code, res.no_match, res.ambiguous
    r.get_procedure("1.001193"); r.get_notice("002_3b5b778ef1901bc5")

How a query is ranked (see :meth:`Retriever.search`):
1. query forms from :mod:`indexer.query` (NFC/normalised, restored, folded, synonyms);
2. three rankings over the same documents: dense (e5 cosine, best passage row per
   document; diacritic-free title rows catch unaccented queries), BM25 over segmented words
   of the restored form, BM25 over diacritic-free syllables+bigrams of the typed form (so a
   wrong restoration cannot lose what the user typed);
3. weighted reciprocal-rank fusion; the procedures are then reordered by that score plus
   weighted match features (:data:`MATCH_FEATURES`: title coverage, cosine margin, shares of
   the best BM25 scores…), fitted by ``bench/fit_fusion.py``;
4. one hit per notice (best chunk), procedures with the same title grouped and ordered by
   level (citizen-facing first unless the question names a level or ``level=`` is given);
5. ``no_match`` when the scope gate (:mod:`indexer.scope_gate`) finds that the best hit does not
   explain the question (meaning, words, the question's length, how close an area the knowledge
   base does not hold came — ``knowledge/coverage.yaml``); the area is named (``outside``) when
   it ranks close to the best record.
"""

from __future__ import annotations

import json
import math
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import ClassVar

import numpy as np

from indexer.build import title_core
from indexer.known_search import KnownMatch, KnownProcedureSearch
from indexer.query import (
    CHAT_FILLERS,
    QueryForms,
    QueryTerms,
    QueryText,
    content_syllables,
    fold,
    folded_terms,
    query_terms,
    syllables,
)
from indexer.scope_gate import LONG_QUESTION, MatchEvidence, ScopeGate
from knowledge.schema import LEVEL_ORDER

# what Retriever.match_features measures of a procedure, in the order of Fusion.boosts
MATCH_FEATURES = (
    "title",  # share of the title's syllables the question holds, squared
    "title_explains",  # share of the question's content syllables the title holds, squared
    "dense_margin",  # the procedure's best cosine minus the best cosine of any document (≤ 0)
    "segmented_share",  # BM25 over segmented words, as a share of the best document's
    "folded_share",  # BM25 over diacritic-free syllables, as a share of the best document's
    "lexical_coverage",  # share of the question's content syllables its lexical text holds
    "title_whole",  # 1 when the question holds every syllable of the title
)


@dataclass(frozen=True)
class Fusion:
    """How the three rankings become one (weighted reciprocal-rank fusion), how the procedures
    are then ordered, and when the first hits are too close to call. The ranking weights were
    tuned on the dev sets and indexer/data; the boosts (``title`` … ``title_whole``, in fusion
    units: 1 / (rrf_k + 1) is one first place) are fitted by ``bench/fit_fusion.py`` on the
    development questions. A procedure is ordered by its fused score plus the weighted features
    :meth:`Retriever.match_features` measures; the fusion's score values are kept.

    :param rrf_k: the rank offset of reciprocal-rank fusion (a document at rank r adds
        weight / (rrf_k + r)).
    :param dense: weight of the e5 cosine ranking.
    :param folded: weight of BM25 over the diacritic-free syllables and bigrams typed.
    :param segmented: weight of BM25 over the segmented words of the restored question.
    :param title: weight of the share of a title's syllables the question holds (squared).
    :param title_explains: weight of the share of the question's content words the title holds
        (squared).
    :param dense_margin: weight of the procedure's cosine minus the best cosine (≤ 0).
    :param segmented_share: weight of its segmented-word BM25 as a share of the best document's.
    :param folded_share: weight of its diacritic-free BM25 as a share of the best document's.
    :param lexical_coverage: weight of the share of the question's content words its text holds.
    :param title_whole: weight of "the question holds the whole title" (0 or 1).
    :param reordered: how many of the best-fused documents the match features reorder.
    :param candidates: how many documents each ranking contributes.
    :param ambiguous_ratio: a procedure scoring at least this share of the first hit's score
        makes the answer a choice between them.
    :param notice_second_chunk: a notice's second passage is quoted too when it scores at least
        this share of its best one.
    :param notice_support: share of a notice's second-best passage score added to its best one:
        a notice several of whose passages match the question is more likely the one asked about.
    :param outside_margin: an unanswered question names an area of knowledge/coverage.yaml
        (where to ask) when the area scores at least this share of the best record (chosen on the
        dev calibration and life-event sets: lower names more areas rightly, and answers fewer
        event questions with a list).
    """

    rrf_k: int = 30
    dense: float = 1.6
    folded: float = 1.2
    segmented: float = 0.5
    title: float = 0.069
    title_explains: float = 0.13
    dense_margin: float = 4.55
    segmented_share: float = 0.161
    folded_share: float = 0.191
    lexical_coverage: float = 0.029
    title_whole: float = 0.089
    reordered: int = 30
    candidates: int = 100
    ambiguous_ratio: float = 0.97
    notice_second_chunk: float = 0.8
    notice_support: float = 0.1
    outside_margin: float = 0.75

    @property
    def boosts(self) -> tuple[float, ...]:
        """The weights of :meth:`Retriever.match_features`, in the order of MATCH_FEATURES."""
        return tuple(getattr(self, name) for name in MATCH_FEATURES)

    def __post_init__(self) -> None:
        if self.rrf_k < 0 or self.candidates < 1 or self.reordered < 1:
            raise ValueError(
                f"rrf_k must be ≥ 0, candidates and reordered ≥ 1; got {self.rrf_k}, {self.candidates}"
                f" and {self.reordered}"
            )
        rankings = (self.dense, self.folded, self.segmented)
        if min(rankings) < 0 or not any(rankings):
            raise ValueError("ranking weights must be ≥ 0, and at least one ranking must count")
        if not all(math.isfinite(w) for w in self.boosts):
            raise ValueError(f"the match-feature boosts must be finite numbers, got {self.boosts}")
        for name in ("ambiguous_ratio", "notice_second_chunk", "outside_margin"):
            if not 0.0 < getattr(self, name) <= 1.0:
                raise ValueError(f"{name} is a share in (0, 1], got {getattr(self, name)}")
        if not 0.0 <= self.notice_support <= 1.0:
            raise ValueError(f"notice_support is a share in [0, 1], got {self.notice_support}")


# Dense query form for questions typed without diacritics: "typed" | "restored" | "both".
DENSE_MODE = os.environ.get("TTHC_DENSE_MODE", "restored")
# a procedure known by name only (knowledge/known_procedures.yaml) is named for a question no record
# answers when its title is this close and the question holds this share of the title's syllables
# (calibrated on bench/data/coverage_calibration.jsonl)
KNOWN_MIN_DENSE = 0.88
KNOWN_MIN_COVERAGE = 0.8

_LEVEL_WORDS = {
    "xa": ("cap xa", "o xa", "ubnd xa", "phuong", "uy ban xa", "tai xa"),
    "tinh": ("cap tinh", "o tinh", "so ", "ubnd tinh", "tai tinh"),
    "huyen": ("cap huyen", "o huyen", "quan huyen"),
    "bo": ("cap bo", "trung uong", "cap trung uong", "bo cong an", "o bo"),
}
# The rest of a question's analysis and its BM25 scores run here, beside the encoder on the
# searching thread (a few at once when several requests search).
_LEXICAL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="query-lexical")
# How long a Python thread keeps the GIL before another may take it. The encoder (native code)
# runs without it; when it returns, the searching thread waits for the analysis to hand the GIL
# back: at CPython's default (5 ms) up to that long.
GIL_SWITCH_INTERVAL_S = 0.0005

# syllables that name no procedure, left out of the titles of procedures known by name only
KNOWN_GENERIC = CHAT_FILLERS | {"thu", "tuc", "cap", "xin", "de", "nghi", "viec", "cho", "doi", "voi"}


@dataclass
class SearchHit:
    kind: str  # "procedure" | "notice"
    code: str  # procedure code, or notice id
    title: str
    source: str  # URL (procedure) or original file name (notice)
    score: float
    passage: str = ""  # notices: the best-matching chunk
    passages: list[str] = field(default_factory=list)  # notices: chunks to quote, in text order
    levels: list[str] = field(default_factory=list)
    field: str = ""
    dense: float = 0.0  # best cosine of the document's passages
    coverage: float = 0.0  # share of the query's content syllables found in the document

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class SearchResponse:
    query: str
    hits: list[SearchHit]
    no_match: bool
    ambiguous: list[SearchHit] = field(default_factory=list)
    forms: QueryForms | None = None
    elapsed_ms: float = 0.0
    level: str | None = None  # the level the question named (or ``level=``), if any
    # an area the knowledge base does not hold ranked first (title: the area, passage: where to ask)
    outside: SearchHit | None = None
    # no record answers, but a procedure known by name only does (knowledge/known_procedures.yaml)
    known: KnownMatch | None = None
    # no word to read: emoji, symbols, digits only, or letters that make no word we know
    unreadable: bool = False
    # how well the first hit explains the question (what the scope gate decided on)
    evidence: MatchEvidence | None = None

    @property
    def top(self) -> SearchHit | None:
        return None if self.no_match or not self.hits else self.hits[0]

    def to_dict(self) -> dict:
        return {
            "query": self.query,
            "no_match": self.no_match,
            "unreadable": self.unreadable,
            "hits": [h.to_dict() for h in self.hits],
            "ambiguous": [h.to_dict() for h in self.ambiguous],
            "outside": self.outside.to_dict() if self.outside else None,
            "known": self.known.procedure.model_dump(mode="json") if self.known else None,
            "evidence": self.evidence.as_dict() if self.evidence else None,
            "elapsed_ms": round(self.elapsed_ms, 2),
        }


@dataclass(frozen=True)
class LexicalScores:
    """What the BM25 indexes give a question: every document's score in the segmented and the
    folded index (0 for documents the search leaves out), each index's candidates best first, and
    which documents the search may return (None: every one)."""

    seg: np.ndarray
    fol: np.ndarray
    seg_top: list[int]
    fol_top: list[int]
    allowed: np.ndarray | None


def mentioned_level(folded_q: str) -> str | None:
    q = f" {folded_q} "
    for lv, words in _LEVEL_WORDS.items():
        if any(f" {w}" in q for w in words):
            return lv
    return None


def query_model_dir(manifest: dict) -> Path:
    """The model folder to encode questions with: ``TTHC_MODEL_DIR`` when set, else the
    one that encoded the index's passages (its manifest), else the default folder. So a
    process pointed at an index by ``TTHC_INDEX_DIR`` alone uses the matching model."""
    from indexer.embedding_model import STAMP_FILE
    from tthc.settings import get_settings

    settings = get_settings()
    if settings.model_dir is not None:
        return Path(settings.model_dir)
    built = Path(manifest.get("model", {}).get("dir") or settings.resolved_model_dir)
    return built if (built / STAMP_FILE).exists() else settings.resolved_model_dir


class Retriever:
    """Search over one index build.

    :param path: the build folder.
    :param query_encoder: a callable text → vector (default: the process's shared encoder of the
        model that built the index).
    :param scope_gate: decides when no record answers (default: :class:`ScopeGate` as fitted).
    :param fusion: how the rankings are fused (default: :class:`Fusion` as tuned).
    """

    def __init__(
        self,
        path: Path,
        query_encoder=None,
        scope_gate: ScopeGate | None = None,
        fusion: Fusion | None = None,
    ):
        import bm25s
        import faiss

        sys.setswitchinterval(min(sys.getswitchinterval(), GIL_SWITCH_INTERVAL_S))
        self.path = Path(path)
        self.scope_gate = scope_gate or ScopeGate()
        self.fusion = fusion or Fusion()
        self.manifest = json.loads((self.path / "manifest.json").read_text(encoding="utf-8"))
        self.docs = [
            json.loads(x) for x in (self.path / "docs.jsonl").read_text(encoding="utf-8").splitlines()
        ]
        self.rows = np.load(self.path / "rows.npy")
        self.dense = faiss.read_index(str(self.path / "dense.faiss"))
        self.bm25_seg = bm25s.BM25.load(str(self.path / "bm25_seg"), show_progress=False)
        self.bm25_fold = bm25s.BM25.load(str(self.path / "bm25_fold"), show_progress=False)
        self.procedures = {}
        self.notices = {}
        from knowledge.schema import Notice, Procedure

        for line in (self.path / "procedures.jsonl").read_text(encoding="utf-8").splitlines():
            p = Procedure.model_validate_json(line)
            self.procedures[p.code] = p
        for line in (self.path / "notices.jsonl").read_text(encoding="utf-8").splitlines():
            n = Notice.model_validate_json(line)
            self.notices[n.id] = n
        self.fold_vocab = self.bm25_fold.vocab_dict
        self.is_notice = np.array([d["kind"] == "notice" for d in self.docs])
        self.is_procedure = np.array([d["kind"] == "procedure" for d in self.docs])
        self.doc_syl = [set(syllables(fold(d["title"] + " " + d.get("field", "")))) for d in self.docs]
        self.lex_syl = [set(folded_terms(d["lexical"])) for d in self.docs]
        self.title_syl = [set(syllables(title_core(d["title"]))) for d in self.docs]
        self._doc_by_key: dict[tuple[str, str], int] = {}
        for i, d in enumerate(self.docs):
            self._doc_by_key.setdefault((d["kind"], d["id"]), i)
        # groups: same title up to the level suffix, joined with Procedure.same_as
        for code, p in self.procedures.items():
            for other in p.same_as:
                mine, theirs = (
                    self._doc_by_key.get(("procedure", code)),
                    self._doc_by_key.get(("procedure", other)),
                )
                if mine is not None and theirs is not None:
                    a, b = self.docs[mine]["group"], self.docs[theirs]["group"]
                    if a != b:
                        for d in self.docs:
                            if d["kind"] == "procedure" and d["group"] == b:
                                d["group"] = a
        self.groups: dict[str, list[int]] = {}
        for i, d in enumerate(self.docs):
            if d["kind"] == "procedure":
                self.groups.setdefault(d["group"], []).append(i)
        self.quick_index = None  # the staff page's lexical index, built on first use (indexer.prefix_search)
        self.known = KnownProcedureSearch.load(self.path, KNOWN_MIN_DENSE, KNOWN_MIN_COVERAGE, KNOWN_GENERIC)
        if query_encoder is None:
            query_encoder = self._shared_query_encoder(self.manifest)
        self.encode_query = query_encoder
        self.search("khởi động tìm kiếm dang ky")  # warm up: encoder, segmenter, restorer

    # ----------------------------------------------------------------- loading
    _encoders: ClassVar[dict[str, object]] = {}  # model folder -> cached query encoder
    _encoders_lock = threading.Lock()

    @classmethod
    def _shared_query_encoder(cls, manifest: dict):
        from common.query_encoder import CachedQueryEncoder
        from indexer.encoder import make_encoder

        model_dir = query_model_dir(manifest)
        with cls._encoders_lock:
            encoder = cls._encoders.get(str(model_dir))
            if encoder is None:
                encoder = cls._encoders[str(model_dir)] = CachedQueryEncoder(
                    make_encoder(role="query", model_dir=model_dir)
                )
        return encoder

    @classmethod
    def load(cls, index_dir: Path | str | None = None) -> Retriever:
        """The retriever of the newest good build under ``index_dir`` (an index root whose CURRENT
        names a build, or one build folder; default ``settings.resolved_index_dir``), through the
        process's one index life cycle (:mod:`indexer.live_index`: validated, swapped in the
        background when CURRENT moves, the last good build kept)."""
        from indexer.live_index import retriever

        return retriever(index_dir)

    def get_procedure(self, code: str):
        return self.procedures.get(code)

    def get_notice(self, notice_id: str):
        return self.notices.get(notice_id.removesuffix(".txt"))

    # ----------------------------------------------------------------- search
    def _dense_scores(self, text: str) -> dict[int, float]:
        """The best cosine of each document among the nearest passages to ``text``."""
        vec = self.encode_query(text).reshape(1, -1).astype(np.float32)
        sims, idx = self.dense.search(vec, min(self.fusion.candidates * 3, self.dense.ntotal))
        found = idx[0] >= 0
        docs, sims = self.rows[idx[0][found]], sims[0][found]
        # passages come best first: keep each document's first, in that order
        first = np.sort(np.unique(docs, return_index=True)[1])
        return dict(zip(docs[first].tolist(), sims[first].tolist(), strict=True))

    def _dense_for(self, text: QueryText) -> dict[int, float]:
        restored = not text.accented and text.restored != text.normalized
        if restored and DENSE_MODE == "restored":
            # typed without diacritics: ask the encoder with the restored form only
            return self._dense_scores(text.restored)
        dense = self._dense_scores(text.normalized)
        if restored and DENSE_MODE == "both":  # and keep the best cosine of both forms
            for d, sc in self._dense_scores(text.restored).items():
                if sc > dense.get(d, -1.0):
                    dense[d] = sc
        return dense

    def _lexical_scores(
        self, terms: QueryTerms, field: str | None, level: str | None, notice: str | None
    ) -> LexicalScores | None:
        """BM25 scores of every document in the segmented and the folded index, kept to the
        documents :meth:`_allowed` lets through; None when the question has no word to read
        (:meth:`readable`: never segmented)."""
        if not self.readable(terms.forms):
            return None
        seg_q, fol_q = list(terms.segmented), list(terms.folded)
        n = len(self.docs)
        seg = self.bm25_seg.get_scores(seg_q) if seg_q else np.zeros(n)
        fol = self.bm25_fold.get_scores(fol_q) if fol_q else np.zeros(n)
        allowed = self._allowed(field, level, notice)
        if allowed is not None:
            seg = np.where(allowed, seg, 0)
            fol = np.where(allowed, fol, 0)
        top = self.fusion.candidates
        return LexicalScores(seg, fol, self._top(seg, top), self._top(fol, top), allowed)

    def _allowed(self, field: str | None, level: str | None, notice: str | None) -> np.ndarray | None:
        """Which documents a search may return: the chunks of ``notice`` only, or the procedures of
        ``field`` and ``level`` only; None: every document."""
        if notice:
            return np.array([d["kind"] == "notice" and d["id"] == notice for d in self.docs])
        if not (field or level):
            return None
        fz = fold(field) if field else None
        return np.array(
            [
                d["kind"] == "procedure"
                and (fz is None or fz in fold(d.get("field", "")))
                and (level is None or level in d.get("levels", []))
                for d in self.docs
            ]
        )

    @staticmethod
    def _top(scores: np.ndarray, n: int) -> list[int]:
        n = min(n, len(scores))
        idx = np.argpartition(-scores, n - 1)[:n]
        idx = idx[scores[idx] > 0]
        return idx[np.argsort(-scores[idx])].tolist()

    def search(
        self,
        query: str,
        k: int = 10,
        field: str | None = None,
        level: str | None = None,
        notice: str | None = None,
    ) -> SearchResponse:
        """Rank procedures and notice chunks for ``query``; ``field``/``level`` keep procedures of
        that field or level only, ``notice`` the chunks of that notice only (a follow-up on it)."""
        t0 = time.perf_counter()
        # The encoder's text is known first (normalised; restored when typed without diacritics).
        # The encoder is native code and releases the GIL, so the rest of the analysis and the
        # BM25 scores and rankings, Python mostly, run meanwhile on the other core and are ready
        # when it ends.
        terms = query_terms(query)
        lexical = _LEXICAL.submit(self._lexical_scores, terms, field, level, notice)
        dense = self._dense_for(terms.text)
        scores = lexical.result()
        forms = terms.forms
        if scores is None:
            return SearchResponse(query, [], True, forms=forms, unreadable=True)
        seg, fol, allowed = scores.seg, scores.fol, scores.allowed
        if allowed is not None:
            dense = {d: s for d, s in dense.items() if allowed[d]}

        fusion = self.fusion
        q_syl = set(syllables(forms.folded))
        content = content_syllables(forms.folded)
        fused = self._reciprocal_ranks(dense, scores.seg_top, scores.fol_top)
        head = sorted(fused, key=fused.get, reverse=True)[: fusion.reordered]
        self._order_procedures(fused, self.match_features(head, dense, seg, fol, q_syl, content))

        ranked = sorted(fused, key=fused.get, reverse=True)
        notice_chunks: dict[str, list[int]] = {}
        for d in ranked:
            if self.is_notice[d]:
                notice_chunks.setdefault(self.docs[d]["id"], []).append(d)
        if fusion.notice_support and notice_chunks:
            for best, second, *_ in (c for c in notice_chunks.values() if len(c) > 1):
                fused[best] += fusion.notice_support * fused[second]
            ranked.sort(key=fused.get, reverse=True)
        want_level = level or mentioned_level(forms.folded)
        hits: list[SearchHit] = []
        seen_notice: set[str] = set()
        seen_group: set[str] = set()
        outside: SearchHit | None = None
        for d in ranked:
            doc = self.docs[d]
            if doc["kind"] == "outside":
                # an area the knowledge base does not hold (the best one only), when the question
                # uses some of its words: a greeting or gibberish is near an area by meaning only
                if outside is None and (hit := self._hit(d, fused[d], dense, content)).coverage > 0:
                    outside = hit
                    outside.passage = doc["passage"]
                continue
            if doc["kind"] == "notice":
                if doc["id"] in seen_notice:
                    continue
                seen_notice.add(doc["id"])
                hit = self._hit(d, fused[d], dense, content)
                # a second chunk of the same notice that scores nearly as well is quoted too
                extra = [
                    c
                    for c in notice_chunks[doc["id"]][1:2]
                    if fused[c] >= fusion.notice_second_chunk * fused[d]
                ]
                chunks = sorted([d, *extra], key=lambda c: self.docs[c]["chunk"])
                hit.passages = [self.docs[c]["passage"] for c in chunks]
                hits.append(hit)
            else:
                if doc["group"] in seen_group:
                    continue
                seen_group.add(doc["group"])
                members = [m for m in self.groups.get(doc["group"], [d]) if m in fused or m == d]
                if allowed is not None:
                    members = [m for m in members if allowed[m]]
                members.sort(key=lambda m: self._level_key(m, want_level, fused))
                top_score = fused[d]
                for j, m in enumerate(members):
                    hits.append(self._hit(m, top_score - 1e-6 * j, dense, content))
            if len(hits) >= k + 5:
                break
        hits = hits[:k]
        evidence = self._evidence(hits, outside, content, q_syl)
        no_match = evidence is None or self.scope_gate.rejects(evidence)
        if outside is not None and (
            not no_match or (hits and outside.score < self.fusion.outside_margin * hits[0].score)
        ):
            outside = None  # a record answers, or matches clearly better than the area
        # a procedure known by name only (the encoding is cached): it answers when no record does,
        # or when the question names it rather than the first record (answered: hits is not empty)
        known = self.known.best(self.encode_query(terms.dense_text), q_syl) if allowed is None else None
        if known is not None and not no_match:
            top = hits[0]
            no_match = top.kind == "procedure" and self.known.names_better(known, top.title, top.dense, q_syl)
            known = known if no_match else None
        ambiguous = self._ambiguous(hits, want_level) if hits and not no_match else []
        elapsed = (time.perf_counter() - t0) * 1e3
        return SearchResponse(
            query,
            hits,
            no_match,
            ambiguous,
            forms,
            elapsed,
            level=want_level,
            outside=outside,
            known=known,
            evidence=evidence,
        )

    def _reciprocal_ranks(
        self, dense: dict[int, float], seg_top: list[int], fol_top: list[int]
    ) -> dict[int, float]:
        """Weighted reciprocal-rank fusion of the three rankings (the lexical ones: the documents
        of each BM25 index, best first)."""
        fusion = self.fusion
        fused: dict[int, float] = {}
        for rank, d in enumerate(sorted(dense, key=dense.get, reverse=True)[: fusion.candidates]):
            fused[d] = fused.get(d, 0.0) + fusion.dense / (fusion.rrf_k + rank + 1)
        for w, top in ((fusion.segmented, seg_top), (fusion.folded, fol_top)):
            for rank, d in enumerate(top):
                fused[d] = fused.get(d, 0.0) + w / (fusion.rrf_k + rank + 1)
        return fused

    def _order_procedures(self, fused: dict[int, float], features: dict[int, np.ndarray]) -> None:
        """Reorder the procedures of ``fused`` by their fused score plus the weighted match features.
        The procedures keep the fusion's score values (handed out in the new order), so scores stay
        comparable with notices and coverage areas, and the scope gate's ratios keep their scale."""
        if not features:
            return
        boosts = np.asarray(self.fusion.boosts)
        boosted = {d: fused[d] + float(x @ boosts) for d, x in features.items()}
        values = sorted((fused[d] for d in features), reverse=True)
        for d, value in zip(sorted(boosted, key=boosted.get, reverse=True), values, strict=True):
            fused[d] = value

    def match_features(
        self,
        docs,
        dense: dict[int, float],
        seg: np.ndarray,
        fol: np.ndarray,
        q_syl: set[str],
        content: set[str],
    ) -> dict[int, np.ndarray]:
        """How well each procedure of ``docs`` matches the question, one vector per document in
        the order of :data:`MATCH_FEATURES` (weighted by :attr:`Fusion.boosts`)."""
        top_dense = max(dense.values(), default=0.0)
        floor = min(dense.values(), default=0.0)
        seg_max, fol_max = float(seg.max(initial=0.0)) or 1.0, float(fol.max(initial=0.0)) or 1.0
        out: dict[int, np.ndarray] = {}
        for d in docs:
            ts = self.title_syl[d]
            if not ts or not self.is_procedure[d]:
                continue
            out[d] = np.array(
                [
                    (len(ts & q_syl) / len(ts)) ** 2,
                    self._title_explains(d, content) ** 2,
                    dense.get(d, floor) - top_dense,
                    seg[d] / seg_max,
                    fol[d] / fol_max,
                    len(content & self.lex_syl[d]) / len(content) if content else 0.0,
                    float(self._names_title(d, q_syl)),
                ]
            )
        return out

    def _evidence(
        self, hits: list[SearchHit], outside: SearchHit | None, content: set[str], q_syl: set[str]
    ) -> MatchEvidence | None:
        """What the scope gate weighs about the first hit (None: nothing to weigh)."""
        if not hits:
            return None
        top = hits[0]
        d = self._doc_of(top)
        return MatchEvidence(
            dense=top.dense,
            coverage=top.coverage,
            title_explains=self._title_explains(d, content),
            outside_ratio=outside.score / top.score if outside is not None and top.score > 0 else 0.0,
            length=min(len(content), LONG_QUESTION) / LONG_QUESTION,
            notice=top.kind == "notice",
            title_whole=float(top.kind == "procedure" and self._names_title(d, q_syl)),
        )

    def _names_title(self, d: int, q_syl: set[str]) -> bool:
        """The question holds every syllable of document ``d``'s title (it names the procedure)."""
        return bool(self.title_syl[d]) and self.title_syl[d] <= q_syl

    def _title_explains(self, d: int, content: set[str]) -> float:
        """How much of the question (its content syllables) document ``d``'s title holds."""
        return len(content & self.title_syl[d]) / len(content) if content else 0.0

    def _level_key(self, m: int, want: str | None, fused: dict[int, float]):
        levels = self.docs[m].get("levels") or ["khac"]
        if want and want in levels:
            return (-1, -fused.get(m, 0.0))
        return (min(LEVEL_ORDER.get(lv, 5) for lv in levels), -fused.get(m, 0.0))

    def _hit(self, d: int, score: float, dense: dict[int, float], content: set[str]) -> SearchHit:
        doc = self.docs[d]
        cov = len(content & self.lex_syl[d]) / len(content) if content else 0.0
        return SearchHit(
            kind=doc["kind"],
            code=doc["id"],
            title=doc["title"],
            source=doc["source"],
            score=round(float(score), 6),
            passage=doc.get("passage", ""),
            levels=doc.get("levels", []),
            field=doc.get("field", ""),
            dense=round(dense.get(d, 0.0), 4),
            coverage=round(cov, 3),
        )

    def readable(self, forms: QueryForms) -> bool:
        """The question has a word the knowledge base uses (abbreviations expanded): not only
        emoji, punctuation, digits ("123") or keyboard mash ("asdfghjkl")."""
        words = [s for s in syllables(fold(forms.expanded)) if not s.isdigit()]
        return any(w in self.fold_vocab for w in words)

    def _ambiguous(self, hits: list[SearchHit], want_level: str | None) -> list[SearchHit]:
        top = hits[0]
        if top.kind != "procedure":
            return []
        group = self.docs[self._doc_of(top)]["group"]
        same = [h for h in hits if h.kind == "procedure" and self._group_of(h) == group]
        if len(same) > 1 and not want_level:
            return same
        close = [
            h
            for h in hits[1:4]
            if h.kind == "procedure" and h.score >= self.fusion.ambiguous_ratio * top.score
        ]
        return [top, *close] if close else []

    def _doc_of(self, h: SearchHit) -> int:
        return self._doc_by_key[(h.kind, h.code)]

    def _group_of(self, h: SearchHit) -> str:
        return self.docs[self._doc_of(h)]["group"]
