"""Prometheus metrics at ``GET /metrics`` (prometheus-client, text exposition format).

Every citizen turn of every channel goes through :func:`api.rasa_client.send_message`, which
calls :func:`observe_turn` (turns, latency). What a turn came to (no match, handoff, rating)
is counted from the slot events the bot's actions return (:func:`observe_action`, called by
``POST /webhook``, classified by :mod:`api.turn_outcomes` as the dashboard does), never from
the wording of a reply. An action server run apart from the API (README, "Deploying for a
province") counts none of these.

``tests/api/test_actions.py`` checks them through the real actions, and
``tests/reliability/test_limits_and_logs.py`` that a reply's words count nothing. Counters are per
process: with several uvicorn workers or instances, let Prometheus sum them.
Access: a bearer token ``TTHC_METRICS_TOKEN`` when set, else loopback clients only.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

from api.access import secret_or_loopback
from api.channels.registry import channel_of
from api.turn_outcomes import action_outcomes
from tthc.settings import get_settings

router = APIRouter(include_in_schema=False)

TURNS = Counter("tthc_turns_total", "Citizen messages answered", ["channel"])
NO_MATCH = Counter("tthc_no_match_total", "Answers saying the assistant does not know", ["channel"])
HANDOFFS = Counter("tthc_handoffs_total", "Requests to talk to an officer", ["channel"])
RATINGS = Counter("tthc_ratings_total", "Ratings of answers", ["channel", "rating"])
FAILED_TURNS = Counter(
    "tthc_failed_turns_total", "Turns answered with 'please try again'", ["channel", "reason"]
)
RATE_LIMITED = Counter("tthc_rate_limited_total", "Requests refused by a rate limit", ["scope"])
LATENCY = Histogram(
    "tthc_turn_latency_seconds",
    "Time Rasa took to answer a citizen message",
    ["channel"],
    buckets=(0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 2, 5, 10, 30),
)


def observe_turn(sender: str, seconds: float) -> None:
    channel = channel_of(sender).name
    TURNS.labels(channel).inc()
    LATENCY.labels(channel).observe(seconds)


def observe_action(sender: Any, events: Any) -> None:
    """Count the outcomes an action recorded for ``sender``'s turn."""
    channel = channel_of(sender if isinstance(sender, str) else "").name
    for outcome in action_outcomes(events):
        if outcome == "no_match":
            NO_MATCH.labels(channel).inc()
        elif outcome == "handoff":
            HANDOFFS.labels(channel).inc()
        else:
            RATINGS.labels(channel, outcome).inc()


def observe_failure(sender: str, reason: str) -> None:
    FAILED_TURNS.labels(channel_of(sender).name, reason).inc()


def _allowed(request: Request) -> bool:
    token = get_settings().metrics_token
    return secret_or_loopback(
        request, f"Bearer {token}" if token else "", request.headers.get("authorization", "")
    )


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    if not _allowed(request):
        return Response("Forbidden\n", status_code=403, media_type="text/plain")
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
