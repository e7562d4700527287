"""Procedures known by name only (``knowledge/known_procedures.yaml``): which one a question names.

A title is taken when it is close in meaning (cosine of the e5 embeddings) and the question holds
most of the title's content words (a question tells a story; a title is a name). It answers a
question no record answers, or one whose first record is both farther in meaning and holds fewer
of its own title's words (:meth:`KnownProcedureSearch.names_better`): a procedure we know only by
name, rather than a wrong one answered with confidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from indexer.build import KNOWN_DENSE, KNOWN_RECORDS
from indexer.query import fold, syllables
from knowledge.schema import KnownProcedure


@dataclass(frozen=True)
class KnownMatch:
    procedure: KnownProcedure
    dense: float  # cosine of the question and the title
    coverage: float  # share of the title's content syllables the question holds


class KnownProcedureSearch:
    """Best title among the procedures known by name only.

    :param procedures: the entries, in the order of the rows of ``index``.
    :param index: a FAISS inner-product index of their title embeddings.
    :param min_dense: the least cosine for a title to be named.
    :param min_coverage: the least share of the title's content syllables the question must hold.
    :param generic: syllables that name no procedure ("thủ tục", "cấp", fillers), left out of titles.
    """

    def __init__(
        self,
        procedures: list[KnownProcedure],
        index,
        min_dense: float,
        min_coverage: float,
        generic: frozenset[str] = frozenset(),
    ):
        if index is not None and index.ntotal != len(procedures):
            raise ValueError(f"{index.ntotal} title vectors for {len(procedures)} known procedures")
        if not (0.0 <= min_dense <= 1.0 and 0.0 <= min_coverage <= 1.0):
            raise ValueError("min_dense and min_coverage are shares between 0 and 1")
        self.procedures = procedures
        self.index = index
        self.min_dense = min_dense
        self.min_coverage = min_coverage
        self.generic = generic
        self._title_syl = [set(syllables(fold(p.title))) - generic for p in procedures]

    @classmethod
    def load(
        cls, build_dir: Path, min_dense: float, min_coverage: float, generic: frozenset[str] = frozenset()
    ) -> KnownProcedureSearch:
        """From an index build (none known if the build has no such files)."""
        import faiss

        records, dense = build_dir / KNOWN_RECORDS, build_dir / KNOWN_DENSE
        if not (records.exists() and dense.exists()):
            return cls([], None, min_dense, min_coverage, generic)
        procedures = [
            KnownProcedure.model_validate_json(line)
            for line in records.read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
        return cls(procedures, faiss.read_index(str(dense)), min_dense, min_coverage, generic)

    def best(self, vector: np.ndarray, content: set[str], candidates: int = 5) -> KnownMatch | None:
        """The closest title (of the ``candidates`` closest) that passes both thresholds, or None.

        :param vector: the question's query embedding (normalised, as for the records).
        :param content: the question's folded syllables.
        """
        if self.index is None or not self.procedures or not content:
            return None
        sims, rows = self.index.search(
            vector.reshape(1, -1).astype(np.float32), min(candidates, len(self.procedures))
        )
        for sim, row in zip(sims[0], rows[0], strict=True):
            if row < 0 or sim < self.min_dense:
                continue
            coverage = self._share(self._title_syl[row], content)
            if coverage >= self.min_coverage:
                return KnownMatch(self.procedures[row], float(sim), round(coverage, 3))
        return None

    def names_better(
        self, match: KnownMatch, record_title: str, record_dense: float, content: set[str]
    ) -> bool:
        """Whether the question is about ``match`` rather than the record search ranked first: the
        known title is closer in meaning and the question holds more of its words."""
        record = set(syllables(fold(record_title))) - self.generic
        return match.dense > record_dense and match.coverage > self._share(record, content)

    @staticmethod
    def _share(title: set[str], content: set[str]) -> float:
        return len(content & title) / len(title) if title else 0.0
