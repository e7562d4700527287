"""``api/turn_outcomes.py``: the one reading of what a turn came to, shared by metrics and dashboard."""

from __future__ import annotations

import pytest

from api.turn_outcomes import action_outcomes, slot_outcome


@pytest.mark.parametrize(
    ("slot", "value", "outcome"),
    [
        ("no_match", True, "no_match"),
        ("no_match", False, None),
        ("no_match", "true", None),
        ("handoff_requested", True, "handoff"),
        ("handoff_requested", False, None),
        ("rating", "helpful", "helpful"),
        ("rating", "not_helpful", "not_helpful"),
        ("rating", "tuyệt vời", None),
        ("procedure_code", "1.001193", None),
        (None, True, None),
    ],
)
def test_slot_outcome(slot, value, outcome) -> None:
    assert slot_outcome(slot, value) == outcome


def test_action_outcomes_read_slot_events_only() -> None:
    events = [
        {"event": "slot", "name": "procedure_code", "value": "1.001193"},
        {"event": "slot", "name": "no_match", "value": True},
        {"event": "bot", "text": "Tôi đã ghi nhận yêu cầu gặp cán bộ", "name": "handoff_requested"},
        {"event": "slot", "name": "rating", "value": "helpful"},
        "not an event",
    ]
    assert action_outcomes(events) == ["no_match", "helpful"]
    assert action_outcomes(None) == [] and action_outcomes({"event": "slot"}) == []
