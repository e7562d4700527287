"""What a turn came to, read from the slot events the bot's actions record.

The metrics (``api/metrics.py``, counted as the actions answer) and the office dashboard
(``api/staff/insights.py``, read later from the tracker store) classify turns with this one
function, so a count never depends on the wording of a reply:

- ``no_match``: the bot found nothing to answer with, or said the question is not about
  an administrative procedure (``no_match = true``; ``action_answer_question``,
  ``action_out_of_scope``);
- ``handoff``: the citizen asked for a person (``handoff_requested = true``, ``action_handoff``);
- ``helpful`` / ``not_helpful``: the citizen rated an answer (``rating``, ``action_store_rating``).
"""

from __future__ import annotations

from typing import Any, Literal

Outcome = Literal["no_match", "handoff", "helpful", "not_helpful"]
RATINGS: tuple[Outcome, ...] = ("helpful", "not_helpful")


def slot_outcome(slot: str | None, value: Any) -> Outcome | None:
    """The outcome a slot event records, or None when it records none.

    :param slot: the slot's name.
    :param value: the value the event sets.
    """
    if slot == "no_match" and value is True:
        return "no_match"
    if slot == "handoff_requested" and value is True:
        return "handoff"
    if slot == "rating" and value in RATINGS:
        return value
    return None


def action_outcomes(events: Any) -> list[Outcome]:
    """The outcomes among the events an action returned (action-server protocol dicts).

    :param events: the ``events`` list of an action's response; anything else counts as none.
    """
    if not isinstance(events, list):
        return []
    found = []
    for event in events:
        if isinstance(event, dict) and event.get("event") == "slot":
            outcome = slot_outcome(event.get("name"), event.get("value"))
            if outcome:
                found.append(outcome)
    return found
