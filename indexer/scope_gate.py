"""Does any record answer the question? The decision between answering the best record and
saying "tôi chưa có dữ liệu về việc này".

A question the knowledge base does not hold still has a nearest record, often a confident-looking
one ("giấy phép bán rượu" → tax exemption for imported alcohol). What tells them apart is how
well that record explains the question: how close it is in meaning, how many of the question's
words its text and its title hold, whether the question names the record's whole title, how
close an area the knowledge base does not hold (``knowledge/coverage.yaml``) came, and how long
the question is (a story told before the question is far in meaning from any title, though a
record answers it). A logistic model over these measures gives the probability that no record
answers; at the threshold or above, the question is answered "no data". A public notice is
quoted, not summarised: it answers when the passage quoted holds most of the question's words.

The weights are fitted on development data only (``bench/fit_scope_gate.py`` prints the fit, the
trade-off on each set and the constants below); blind sets are measured, never fitted on.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class MatchEvidence:
    """How well the best record explains a question (each a share between 0 and 1, except
    ``outside_ratio``). The share of the question's word pairs the corpus never saw was tried as
    a measure too: chat spelling makes it high for questions a record answers, and the fit gained
    nothing from it."""

    dense: float  # best cosine of the top hit's passages
    coverage: float  # share of the question's content syllables the top hit's text holds
    title_explains: float  # share of the question's content syllables the top hit's title holds
    outside_ratio: float  # fused score of the nearest area not held / the top hit's (0: none)
    length: float = 0.0  # the question's distinct content syllables, as a share of LONG_QUESTION
    title_whole: float = 0.0  # 1 when the question holds every syllable of the top hit's title
    notice: bool = False  # the top hit is a public notice (quoted, not a procedure)

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


FEATURES = ("dense", "coverage", "title_explains", "outside_ratio", "length", "title_whole")
LONG_QUESTION = 60  # content syllables from which a question counts as fully long

# fitted by bench/fit_scope_gate.py on development data (see its output for the trade-off)
WEIGHTS: dict[str, float] = {
    "dense": -92.694,
    "coverage": -2.943,
    "title_explains": -1.244,
    "outside_ratio": 4.304,
    "length": -3.293,
    "title_whole": -2.950,
}
BIAS = 84.687
THRESHOLD = 0.41
# below this probability of "no record answers" the best record is sure enough to answer a
# message the dialogue model took for small talk, and to be offered beside a life event's list
# (the out-of-scope examples of bot/data/nlu/out_of_scope.yml that the search answers at all
# score 0.2 or more)
SURE = 0.1
# the share of the question's content words a notice's quoted passage must hold (the dev notice
# questions hold 0.88 or more; chat that lands on a notice, 0.7 or less)
NOTICE_MIN_COVERAGE = 0.8


class ScopeGate:
    """Answer the best record, or say that no record answers.

    :param weights: one logistic weight per :class:`MatchEvidence` field.
    :param bias: the logistic intercept.
    :param threshold: the least probability of "no record answers" at which the question is
        answered "no data" (lower rejects more in-domain questions, higher answers more
        questions the knowledge base does not hold).
    :param notice_min_coverage: the least share of the question's content words the quoted
        passage of a notice must hold for the notice to answer.
    :param sure: the probability of "no record answers" below which the best procedure is
        sure enough to override another reading of the message (below ``threshold``).
    """

    def __init__(
        self,
        weights: dict[str, float] | None = None,
        bias: float = BIAS,
        threshold: float = THRESHOLD,
        notice_min_coverage: float = NOTICE_MIN_COVERAGE,
        sure: float = SURE,
    ):
        weights = dict(WEIGHTS if weights is None else weights)
        if set(weights) != set(FEATURES):
            raise ValueError(
                f"weights must name exactly {', '.join(FEATURES)}; got {', '.join(sorted(weights))}"
            )
        if not all(math.isfinite(w) for w in [*weights.values(), bias]):
            raise ValueError("weights and bias must be finite numbers")
        if not 0.0 < threshold < 1.0:
            raise ValueError(f"threshold is a probability strictly between 0 and 1, got {threshold}")
        if not 0.0 <= notice_min_coverage <= 1.0:
            raise ValueError(f"notice_min_coverage is a share between 0 and 1, got {notice_min_coverage}")
        if not 0.0 < sure <= threshold:
            raise ValueError(f"sure is a probability in (0, threshold], got {sure}")
        self.weights = weights
        self.bias = float(bias)
        self.threshold = float(threshold)
        self.notice_min_coverage = float(notice_min_coverage)
        self.sure = float(sure)

    def p_unanswered(self, evidence: MatchEvidence) -> float:
        """Probability that no record answers the question."""
        z = self.bias + sum(self.weights[k] * getattr(evidence, k) for k in FEATURES)
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))

    def rejects(self, evidence: MatchEvidence) -> bool:
        if evidence.notice:
            return evidence.coverage < self.notice_min_coverage
        return self.p_unanswered(evidence) >= self.threshold

    def is_sure(self, evidence: MatchEvidence) -> bool:
        """The best procedure answers beyond doubt (never a notice: its passage is only quoted)."""
        return not evidence.notice and self.p_unanswered(evidence) < self.sure
