"""The answer to a life event ("bố tôi mới mất"): the procedures it usually takes, in order,
one line each, with a button per procedure; the combined (liên thông) procedure when one
exists; and, honestly, the steps the knowledge base does not hold with where to ask.

Every procedure named is a record (cited by code); a deadline is the record's own words
(``deadline_quote``, validated by ``tthc kb validate``). Which event a message describes is
decided in :mod:`indexer.life_events`; when to answer with an event, in
:mod:`indexer.answer_policy`.
"""

from __future__ import annotations

from collections.abc import Sequence

from indexer.answer_composer import (
    FIRST_REPLY_CHARS,
    Answer,
    Button,
    Citation,
    Part,
    display_title,
    levels_text,
    shorten,
)
from knowledge.schema import EventStep, LifeEvent

EVENT_PART = Part.DOCUMENTS  # a step's button opens what to bring: the ordinary-case documents
NO_STEPS_IN_DATA = "Tôi chưa có dữ liệu về thủ tục nào của việc này."
ASKED_HEADING = "Thủ tục gần nhất với câu bạn hỏi:"
PICK_HINT = "Gõ số thứ tự hoặc bấm nút để xem giấy tờ cần nộp của từng việc."
EVENT_PAYLOAD = "event:"  # a button that opens a life event's list: "event:<id>"


def event_button(event: LifeEvent) -> Button:
    return Button(title=f"Việc cần làm: {event.title}", payload=f"{EVENT_PAYLOAD}{event.id}")


def add_event_link(answer: Answer, event: LifeEvent, others: Sequence = ()) -> None:
    """Under an answer to a message that also tells a life event: the event's other procedures
    (``others``, records) named, and the whole list one tap away."""
    names = "; ".join(shorten(display_title(p.title), 50) for p in others[:3])
    etc = "" if not len(others) > 3 or names.endswith("…") else "…"  # one ellipsis, not two
    more = f", bạn thường còn cần: {names}{etc}" if names else ""
    when = f"Khi {event.title[:1].lower() + event.title[1:]}"
    line = f"{when}{more} (bấm «Việc cần làm: {event.title}»)."
    if len(answer.text) + len(line) > FIRST_REPLY_CHARS:  # the first reply stays short
        line = f"{when}: các việc khác, bấm «Việc cần làm: {event.title}»."
    if answer.citations:  # above the source line
        body, _, source = answer.text.rpartition("\n")
        answer.text = f"{body}\n{line}\n{source}"
    else:
        answer.text = f"{answer.text}\n{line}"
    answer.buttons = [event_button(event), *answer.buttons]


def step_title(p) -> str:
    return shorten(display_title(p.title), 90)


def _step_line(step: EventStep, p) -> str:
    where = levels_text(p.levels)
    line = f"{step_title(p)} (mã {p.code}{', ' + where if where else ''}) — {step.why}"
    if step.mandatory:
        line += ". Bắt buộc" + (f", {step.deadline}" if step.deadline else "")
    elif step.deadline:
        line += f". Thời hạn: {step.deadline}"
    return line + "."


def compose_life_event(
    event: LifeEvent,
    steps: Sequence[tuple[EventStep, object]],
    combined: Sequence = (),
    asked: object | None = None,
) -> Answer:
    """The event's steps (``(step, Procedure)`` pairs, the records found), its combined
    procedures, the procedure the message itself names when it is not one of them (``asked``)
    and the event's gaps. An event none of whose procedures is held says so plainly."""
    lines = [f"**{event.title}** — các việc thường phải làm, theo thứ tự:"]
    items = [_step_line(step, p) for step, p in steps]
    lines += [f"{i}. {item}" for i, item in enumerate(items, 1)]
    offered = [p for _, p in steps]
    if combined:
        start = len(items) + 1
        lines.append("Làm một lần cho nhiều việc (liên thông):")
        for i, p in enumerate(combined, start):
            lines.append(f"{i}. {step_title(p)} (mã {p.code}, {levels_text(p.levels)})")
        offered += list(combined)
    if asked is not None:
        lines.append(ASKED_HEADING)
        lines.append(
            f"{len(offered) + 1}. {step_title(asked)} (mã {asked.code}, {levels_text(asked.levels)})"
        )
        offered.append(asked)
    if not steps:
        lines = [f"**{event.title}**: {NO_STEPS_IN_DATA}"]
    if event.gaps:
        lines.append("Chưa có trong dữ liệu của tôi (bạn hỏi nơi được nêu):")
        lines += [f"• {gap.what}: {gap.ask}." for gap in event.gaps]
    if event.note:
        lines.append(event.note)
    if offered:
        lines.append(PICK_HINT)
    cites = [Citation(kind="procedure", code=p.code, title=p.title, url=p.source_url) for p in offered]
    lines.append("Nguồn: mã thủ tục " + ", ".join(p.code for p in offered) if offered else "")
    text = "\n".join(line for line in lines if line)
    if len(text) > FIRST_REPLY_CHARS:  # long step lists: shorten each line, never drop a step
        text = "\n".join(shorten(line, 160) for line in text.splitlines())
    buttons = [
        Button(title=f"{shorten(step_title(p), 60)} ({p.code})", payload=f"{p.code}|{EVENT_PART.value}")
        for p in offered
    ]
    return Answer(
        text=text,
        kind="event" if offered else "no_match",
        part=EVENT_PART.value,
        heading=event.title,
        items=items,
        citations=cites,
        buttons=buttons,
        code=event.id,
        choices=[p.code for p in offered],
    )
