"""Prometheus metrics at ``GET /metrics`` (prometheus-client, text exposition format).

Every citizen turn of every channel goes through :func:`api.rasa_client.send_message`,
which calls :func:`observe_turn`; the kind of answer is read from the bot's messages:

- no match: the answer offers the "Gặp cán bộ" button (payload ``/handoff``), which the
  actions add only to "I do not know" answers (``bot/actions/replies.py``);
- handoff: the bot confirms the request (``action_handoff``'s text);
- rating: the bot thanks for a rating (``action_store_rating``'s texts).

``tests/reliability/test_metrics.py`` checks these against the real bot. Counters are
per process: with several uvicorn workers or instances, let Prometheus sum them.
Access: a bearer token ``TTHC_METRICS_TOKEN`` when set, else loopback clients only.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

from api.access import secret_or_loopback
from api.channels.registry import channel_of
from tthc import texts
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

HANDOFF_PAYLOAD = "/handoff"
RATING_TEXTS = {texts.RATED_HELPFUL: "helpful", texts.RATED_NOT_HELPFUL: "not_helpful"}


def classify(messages: list[dict[str, Any]]) -> dict[str, Any]:
    """What the bot's messages say: no_match / handoff / rating (None or helpful/not_helpful)."""
    no_match = handoff = False
    rating = None
    for message in messages:
        text = message.get("text") if isinstance(message.get("text"), str) else ""
        buttons = message.get("buttons") if isinstance(message.get("buttons"), list) else []
        if any(isinstance(b, dict) and b.get("payload") == HANDOFF_PAYLOAD for b in buttons):
            no_match = True
        if text.startswith(texts.HANDOFF_NOTED):
            handoff = True
        for prefix, value in RATING_TEXTS.items():
            if text.startswith(prefix):
                rating = value
    return {"no_match": no_match, "handoff": handoff, "rating": rating}


def observe_turn(sender: str, messages: list[dict[str, Any]], seconds: float) -> None:
    channel = channel_of(sender).name
    TURNS.labels(channel).inc()
    LATENCY.labels(channel).observe(seconds)
    kind = classify(messages)
    if kind["no_match"]:
        NO_MATCH.labels(channel).inc()
    if kind["handoff"]:
        HANDOFFS.labels(channel).inc()
    if kind["rating"]:
        RATINGS.labels(channel, kind["rating"]).inc()


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
