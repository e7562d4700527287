"""Office dashboard figures, computed on request from Rasa's tracker store.

Definitions (each conversation is read in event order):
- a *question* is a user message whose intent is not small talk, feedback or a handoff
  request (greetings, thanks, 👍/👎 and "gặp cán bộ" are not questions);
- the *channel* is the one whose prefix starts the sender id (api/channels/registry.py);
  others are "khác" (e.g. Rasa's own REST tests);
- a question is *about* procedure X when the bot set the ``procedure_code`` slot to X
  while answering it;
- *unanswered*: the bot set ``no_match`` (it found nothing), the question was
  classified ``out_of_scope`` (the bot said it cannot help; counted once, as
  ``out_of_scope``, although that answer sets ``no_match`` too), or the citizen pressed
  👎 (``rating = not_helpful``) — then the question shown is the last one before it;
- a *handoff* is a ``handoff_requested = true`` slot event; the queue lists each
  flagged conversation once, newest first, with its last question.
Slot events are classified by :func:`api.turn_outcomes.slot_outcome`, as the metrics are.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from zoneinfo import ZoneInfo

from api.channels.registry import channel_of, labels
from api.staff.tracker_reader import Event, TrackerReader
from api.turn_outcomes import slot_outcome

NOT_QUESTIONS = frozenset(
    {
        "greet",
        "goodbye",
        "thank",
        "acknowledge",
        "rate_helpful",
        "rate_not_helpful",
        "handoff",
        "bot_challenge",
        "abuse",
        "session_start",
        "restart",
    }
)


@dataclass
class Gap:
    sender_id: str
    channel: str
    time: str
    question: str
    reason: str  # "no_match" | "out_of_scope" | "not_helpful"
    procedure_code: str | None = None


@dataclass
class Handoff:
    sender_id: str
    channel: str
    time: str
    last_question: str
    questions: int
    at: float = 0.0
    handled_by: str | None = None
    handled_at: str | None = None


@dataclass
class Insights:
    since: str
    until: str
    days: int
    timezone: str
    questions: int = 0
    conversations: int = 0
    per_day: list[dict] = field(default_factory=list)  # {"day", "total", "web", "messenger", ...}
    per_channel: dict[str, int] = field(default_factory=dict)
    top_procedures: list[dict] = field(default_factory=list)  # {"code", "title", "count"}
    unanswered: list[Gap] = field(default_factory=list)
    handoffs: int = 0
    handoff_queue: list[Handoff] = field(default_factory=list)
    handoffs_open: int = 0
    no_match: int = 0
    not_helpful: int = 0
    helpful: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


def _is_question(event: Event) -> bool:
    if event.type_name != "user":
        return False
    text = event.text.strip()
    if not text or text.startswith("/session_start") or text.startswith("/restart"):
        return False
    intent = event.intent_name or (event.data.get("parse_data") or {}).get("intent", {}).get("name")
    return intent not in NOT_QUESTIONS


def compute(
    reader: TrackerReader,
    days: int = 30,
    tz: str = "Asia/Ho_Chi_Minh",
    now: float | None = None,
    titles: dict[str, str] | None = None,
    top: int = 20,
    max_gaps: int = 200,
    handled: dict[str, tuple[str, float]] | None = None,
) -> Insights:
    zone = ZoneInfo(tz)
    now = time.time() if now is None else now
    today = dt.datetime.fromtimestamp(now, zone).date()
    first_day = today - dt.timedelta(days=days - 1)
    since = dt.datetime.combine(first_day, dt.time(), zone).timestamp()

    def local(ts: float) -> dt.datetime:
        return dt.datetime.fromtimestamp(ts, zone)

    def gap(ev: Event, question: Event | None, reason: str, code: str | None = None) -> Gap:
        when = local(ev.timestamp).isoformat(timespec="seconds")
        return Gap(
            ev.sender_id, channel_of(ev.sender_id).name, when, question.text if question else "", reason, code
        )

    per_day: dict[dt.date, Counter] = {first_day + dt.timedelta(days=i): Counter() for i in range(days)}
    per_channel: Counter = Counter()
    procedures: Counter = Counter()
    gaps: list[Gap] = []
    queue: dict[str, Handoff] = {}
    out = Insights(since=first_day.isoformat(), until=today.isoformat(), days=days, timezone=tz, handoffs=0)
    senders: set[str] = set()

    current_sender = None
    last_question: Event | None = None
    counted_code_for: int | None = None  # id of the question whose procedure was counted
    procedure_code: str | None = None
    n_questions = 0
    for ev in reader.dashboard_events(since):
        if ev.sender_id != current_sender:
            current_sender, last_question, counted_code_for, procedure_code = ev.sender_id, None, None, None
            n_questions = 0
        channel = channel_of(ev.sender_id).name
        if ev.type_name == "user":
            if _is_question(ev):
                last_question = ev
                if ev.intent_name == "out_of_scope":  # the bot said it does not handle this
                    out.no_match += 1
                    gaps.append(gap(ev, ev, "out_of_scope"))
                n_questions += 1
                out.questions += 1
                senders.add(ev.sender_id)
                day = local(ev.timestamp).date()
                if day in per_day:
                    per_day[day][channel] += 1
                per_channel[channel] += 1
            continue
        slot, value = ev.action_name, ev.value
        if slot == "procedure_code":
            procedure_code = value or procedure_code
            if value and last_question is not None and counted_code_for != last_question.id:
                procedures[value] += 1
                counted_code_for = last_question.id
            continue
        outcome = slot_outcome(slot, value)
        if outcome == "no_match":
            if last_question is not None and last_question.intent_name == "out_of_scope":
                continue  # counted with its question (older conversations carry no slot)
            out.no_match += 1
            gaps.append(gap(ev, last_question, "no_match"))
        elif outcome == "helpful":
            out.helpful += 1
        elif outcome == "not_helpful":
            out.not_helpful += 1
            gaps.append(gap(ev, last_question, "not_helpful", procedure_code))
        elif outcome == "handoff":
            out.handoffs += 1
            queue[ev.sender_id] = Handoff(
                ev.sender_id,
                channel,
                local(ev.timestamp).isoformat(timespec="seconds"),
                last_question.text if last_question else "",
                n_questions,
                ev.timestamp,
            )

    out.conversations = len(senders)
    out.per_day = [
        {"day": day.isoformat(), "total": sum(c.values()), **{ch: c.get(ch, 0) for ch in labels()}}
        for day, c in sorted(per_day.items())
    ]
    out.per_channel = {ch: per_channel.get(ch, 0) for ch in labels()}
    titles = titles or {}
    out.top_procedures = [
        {"code": code, "title": titles.get(code, ""), "count": n} for code, n in procedures.most_common(top)
    ]
    gaps.sort(key=lambda g: g.time, reverse=True)
    out.unanswered = gaps[:max_gaps]
    for h in queue.values():
        by, at = (handled or {}).get(h.sender_id, (None, 0.0))
        if by and at >= h.at:  # handled after the (last) request; a new request re-opens it
            h.handled_by, h.handled_at = by, local(at).isoformat(timespec="seconds")
    # open requests first, each group newest first
    out.handoff_queue = sorted(queue.values(), key=lambda h: (h.handled_by is None, h.at), reverse=True)
    out.handoffs_open = sum(1 for h in queue.values() if h.handled_by is None)
    return out


def transcript(reader: TrackerReader, sender_id: str, tz: str = "Asia/Ho_Chi_Minh") -> list[dict]:
    """One conversation for a person to read: who said what, when, and the markers
    (procedure discussed, no match, rating, handoff)."""
    zone = ZoneInfo(tz)
    out = []
    for ev in reader.conversation(sender_id):
        when = dt.datetime.fromtimestamp(ev.timestamp, zone).isoformat(timespec="seconds")
        if ev.type_name in ("user", "bot"):
            if ev.type_name == "user" and ev.text.startswith("/session_start"):
                continue
            buttons = [b.get("title", "") for b in (ev.data.get("data") or {}).get("buttons") or []]
            out.append({"who": ev.type_name, "time": when, "text": ev.text, "buttons": buttons})
        elif ev.value not in (None, False, []):
            out.append({"who": "marker", "time": when, "slot": ev.action_name, "value": ev.value})
    return out
