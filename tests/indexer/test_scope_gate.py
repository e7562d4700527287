"""The scope gate: validated parameters, a probability that moves the right way with each measure,
and a threshold that decides (the retriever's use of it is in test_retrieval.py)."""

from __future__ import annotations

import pytest

from indexer.scope_gate import FEATURES, WEIGHTS, MatchEvidence, ScopeGate

CLEAR = MatchEvidence(dense=0.93, coverage=1.0, title_explains=0.9, outside_ratio=0.0)
FAR = MatchEvidence(dense=0.86, coverage=0.3, title_explains=0.1, outside_ratio=1.1)


def test_fitted_gate_answers_a_clear_match_and_rejects_a_far_one():
    gate = ScopeGate()
    assert not gate.rejects(CLEAR) and gate.p_unanswered(CLEAR) < 0.1
    assert gate.rejects(FAR) and gate.p_unanswered(FAR) > 0.9


@pytest.mark.parametrize(
    ("field", "worse"),
    [("dense", -0.04), ("coverage", -0.5), ("outside_ratio", 1.0), ("length", -0.3), ("title_whole", -1.0)],
)
def test_each_measure_moves_the_probability_the_right_way(field, worse):
    gate = ScopeGate()
    middle = MatchEvidence(
        dense=0.9, coverage=0.6, title_explains=0.5, outside_ratio=0.3, length=0.4, title_whole=1.0
    )
    changed = MatchEvidence(**{**middle.as_dict(), field: getattr(middle, field) + worse})
    assert gate.p_unanswered(changed) > gate.p_unanswered(middle)


def test_the_threshold_decides():
    middle = MatchEvidence(dense=0.9, coverage=0.6, title_explains=0.5, outside_ratio=0.3)
    p = ScopeGate().p_unanswered(middle)
    assert ScopeGate(threshold=max(0.001, p - 0.01)).rejects(middle)
    assert not ScopeGate(threshold=min(0.999, p + 0.01)).rejects(middle)


def test_sure_is_a_stricter_bar_than_answering_and_never_a_notice():
    gate = ScopeGate()
    assert gate.is_sure(CLEAR) and not gate.rejects(CLEAR)
    assert not gate.is_sure(FAR)
    middle = MatchEvidence(dense=0.9, coverage=0.6, title_explains=0.5, outside_ratio=0.3)
    p = gate.p_unanswered(middle)
    assert ScopeGate(threshold=0.99, sure=min(0.99, p + 0.01)).is_sure(middle)
    assert not ScopeGate(threshold=0.99, sure=max(0.001, p - 0.01)).is_sure(middle)
    assert not gate.is_sure(MatchEvidence(**{**CLEAR.as_dict(), "notice": True}))


def test_a_notice_answers_when_its_passage_holds_most_of_the_question():
    gate = ScopeGate()
    quoted = MatchEvidence(dense=0.86, coverage=0.9, title_explains=0.0, outside_ratio=0.4, notice=True)
    chat = MatchEvidence(dense=0.84, coverage=0.6, title_explains=0.6, outside_ratio=0.0, notice=True)
    assert not gate.rejects(quoted) and gate.rejects(chat)
    assert gate.rejects(MatchEvidence(**{**quoted.as_dict(), "notice": False})), (
        "as a procedure it would not answer"
    )


def test_weights_that_ignore_everything_leave_the_bias_to_decide():
    zero = dict.fromkeys(FEATURES, 0.0)
    assert ScopeGate(zero, bias=-5.0).p_unanswered(FAR) < 0.01
    assert ScopeGate(zero, bias=5.0).rejects(CLEAR)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"threshold": 0.0},
        {"threshold": 1.0},
        {"threshold": 1.5},
        {"weights": {k: v for k, v in WEIGHTS.items() if k != "dense"}},
        {"weights": {**WEIGHTS, "words": 1.0}},
        {"weights": {**WEIGHTS, "dense": float("nan")}},
        {"bias": float("inf")},
        {"sure": 0.0},
        {"sure": 0.9, "threshold": 0.5},
    ],
)
def test_invalid_parameters_are_refused(kwargs):
    with pytest.raises(ValueError):
        ScopeGate(**kwargs)


def test_extreme_evidence_does_not_overflow():
    gate = ScopeGate({k: 1e6 for k in FEATURES}, bias=0.0)
    huge = MatchEvidence(dense=1.0, coverage=1.0, title_explains=1.0, outside_ratio=50.0, length=1.0)
    assert gate.p_unanswered(huge) == pytest.approx(1.0)
