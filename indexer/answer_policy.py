"""The one answer policy: what a citizen gets for a message, given the conversation so far.

Used by the bot's actions, ``tthc answer``, ``tthc eval`` and the staff page, so that what is
measured is what citizens get. It decides, never writes text (:mod:`indexer.answer_composer`
does):

- **answer or say we do not know** — the best hit is answered; other procedures that scored
  almost as well are named under the answer, one tap away (a citizen gets an answer, and sees
  what was answered and what else it could be); no good hit → "no data";
- **which level** — the same procedure published at several levels (``same_as``) is answered
  for the level a citizen uses (commune first, or the level the question names), with one line
  on where else it is done and, when the other levels state another time or fee, what they
  state. A citizen is never quizzed about levels: the dossier is one legal list at every level,
  and time and fee differences are said, not asked;
- **life events** — a message that describes a life event ("bố tôi mới mất", "vừa sinh con")
  gets the procedures the event usually takes (:mod:`indexer.life_events`), numbered so that
  a number or a button opens one; unless it names one procedure, or asks its time, fee or
  place (then that procedure is answered);
- **when will it be ready** — a time question that names a submission day ("nộp thứ Sáu
  này") or asks when ("bao giờ lấy được?") adds the estimated day of the result;
- **follow-ups never fall through** — a detail question ("lệ phí?", "mất bao lâu?") is about the
  procedure under discussion, or, while a choice is pending, about the offered procedures (one
  line each); a follow-up after a notice is looked up in that notice; a message that names
  another procedure changes the topic.

The conversation state is a :class:`Context`; the bot keeps it in slots.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from indexer.answer_composer import (
    UNKNOWN_UNIT,
    Answer,
    LevelNote,
    Part,
    add_alternatives,
    compare_lines,
    compose_choice,
    compose_known,
    compose_no_match,
    compose_not_understood,
    compose_notice,
    compose_outside,
    compose_procedure,
    detect_part,
    fee_lines,
    parse_part,
    time_lines,
)
from indexer.build import title_core
from indexer.life_event_answer import EVENT_PART, add_event_link, compose_life_event
from indexer.life_events import EventMatch, LifeEventMatcher, default_matcher
from indexer.procedure_search import Retriever, SearchHit, SearchResponse
from indexer.query import CHAT_FILLERS, content_syllables, fold, syllables
from indexer.return_date import parse_submission_day, today_vn
from knowledge.freshness import default_check
from knowledge.schema import LEVEL_ORDER

# a message names a procedure when it covers this share of that procedure's title
NEW_TOPIC_TITLE_COVERAGE = 0.75
# what a message telling a life event asks about the whole event ("giờ phải làm gì", "làm thế
# nào"); any other part ("ở đâu", "lệ phí") is asked of its best procedure
_WHOLE_EVENT_PARTS = {Part.SUMMARY, Part.STEPS}
# ... and "phải làm (những) giấy tờ gì", "lo thủ tục gì": which procedures, not which papers to
# bring ("đăng ký hộ kinh doanh cần những giấy tờ gì" asks the dossier of one procedure)
_ASKS_WHAT_TO_DO = re.compile(
    r"\b(?:lam|lo|can lam|phai lam)(?: nhung| cac)? (?:giay to|thu tuc|viec)(?: gi| nao)"
    r"|\b(?:thu tuc|viec) gi\b|\b(?:lam|lo) (?:nhung )?gi\b|\bbat dau tu dau\b"
)
ASK_WHICH_PROCEDURE = (
    'Bạn đang hỏi về thủ tục nào? Hãy nêu tên thủ tục, ví dụ: "đăng ký khai sinh", "cấp lại căn cước".'
)
ASK_WHICH_CHOICE = "Tôi chưa rõ bạn chọn mục nào. Hãy gõ số thứ tự trong danh sách, hoặc nêu tên thủ tục."


@dataclass
class Context:
    """What a follow-up refers to: the procedure or notice under discussion, or the
    procedures offered in a pending choice (and the part asked before choosing)."""

    procedure_code: str | None = None
    candidates: list[str] = field(default_factory=list)
    pending_part: str | None = None
    notice_id: str | None = None

    @property
    def candidate_codes(self) -> list[str]:
        """The procedures offered (a candidate is a code, or "code|part" for a situation)."""
        return [c.partition("|")[0] for c in self.candidates]


@dataclass
class Turn:
    answer: Answer
    context: Context
    no_match: bool = False


# --------------------------------------------------------------------------- levels


def variants(retriever: Retriever, p) -> list:
    """``p`` and the same procedure at other levels, citizen-facing level first."""
    found = [p] + [o for code in p.same_as if (o := retriever.get_procedure(code)) is not None]
    return sorted(found, key=lambda v: min((LEVEL_ORDER.get(lv.value, 5) for lv in v.levels), default=5))


def _times_stated(p) -> dict[str, tuple]:
    """Per channel, the processing time the record states with its unit."""
    return {
        c.kind.value: (c.time.value, c.time.unit.value)
        for c in p.channels
        if c.time is not None and c.time.value is not None and c.time.unit.value != UNKNOWN_UNIT
    }


def _fees_stated(p) -> dict[str, tuple]:
    """Per channel, the fees the record states: amounts, or free when it says "Miễn phí"
    ("Chưa quy định" is no statement)."""
    out = {}
    for c in p.channels:
        values = []
        for f in c.fees:
            if f.kind.value == "amount":
                values.append(f.amount_vnd)
            elif f.kind.value == "free" and fold(f.text or "mien phi").startswith(("mien phi", "0")):
                values.append(0)
            else:
                break
        else:
            if values:
                out[c.kind.value] = tuple(sorted(values))
    return out


def differences(chosen, other) -> list[str]:
    """How ``other`` differs from ``chosen`` in what a citizen pays or waits ([] = the same).
    Only values both records state are compared: an unknown unit or a missing fee is no
    difference. The dossier is one legal list at every level; its wording differs between
    publications, so comparing it word for word would invent differences."""
    out = []
    for stated, lines, what in ((_times_stated, time_lines, "thời hạn"), (_fees_stated, fee_lines, "lệ phí")):
        mine, theirs = stated(chosen), stated(other)
        if any(mine[kind] != theirs[kind] for kind in mine.keys() & theirs.keys()):
            out.append(f"{what} {'; '.join(lines(other))}")
    return out


def fresher_variant(retriever: Retriever, p):
    """``p``, or the same procedure published at the same level without names of bodies that no
    longer exist (the commune's "Trình báo mất hộ chiếu" rather than the district's)."""
    check = default_check()
    if not check.stale(p):
        return p
    same_level = [v for v in variants(retriever, p) if v.code != p.code and set(v.levels) == set(p.levels)]
    return next((v for v in same_level if not check.stale(v)), p)


def level_note(retriever: Retriever, p) -> LevelNote:
    return LevelNote(others=[(o, differences(p, o)) for o in variants(retriever, p) if o.code != p.code])


# "when" (not "how long"): the answer then says the day the result may be ready
_ASKS_WHEN = re.compile(r"\b(?:khi nao|bao gio|ngay nao|hom nao|luc nao|ngay may)\b")


def submission_day(question: str, part: Part | str, today: dt.date | None = None) -> dt.date | None:
    """The day to estimate the result from: for a time question, the day it names, or today
    when it asks when; None otherwise."""
    if parse_part(part)[0] != Part.TIME:
        return None
    today = today or today_vn()
    named = parse_submission_day(question, today)
    return named or (today if _ASKS_WHEN.search(fold(question)) else None)


def answer_procedure(
    retriever: Retriever,
    p,
    part: Part | str,
    context: Context | None = None,
    submitted: dt.date | None = None,
) -> Turn:
    """Answer one part of ``p`` (the level was chosen already). When the answer numbers
    situations to pick from, typing the number picks one."""
    ans = compose_procedure(
        p, part, levels=level_note(retriever, p), submitted=submitted, stale=default_check().stale(p)
    )
    ctx = replace(
        context or Context(), procedure_code=p.code, candidates=ans.choices, pending_part=None, notice_id=None
    )
    return Turn(ans, ctx)


# --------------------------------------------------------------------------- new questions


def _representatives(retriever: Retriever, hits: Sequence[SearchHit]) -> list:
    """One record per procedure among ``hits`` (the first hit of each same-as group: the
    retriever already put the citizen's level first)."""
    seen: set[str] = set()
    out = []
    for h in hits:
        p = retriever.get_procedure(h.code)
        if p is None:
            continue
        group = {p.code, *p.same_as}
        if seen & group:
            continue
        seen |= group
        out.append(p)
    return out


def decide(
    retriever: Retriever,
    response: SearchResponse,
    part: Part | str,
    context: Context | None = None,
    submitted: dt.date | None = None,
) -> Turn:
    """Answer a searched question: a notice, one procedure, a choice, or no match."""
    context = context or Context()
    if response.unreadable:
        return Turn(compose_not_understood(), replace(context, candidates=[]), no_match=True)
    if response.known is not None:  # no record answers; a list names the procedure
        answer = compose_known(response.known.procedure, response.outside.passage if response.outside else "")
        return Turn(answer, replace(context, candidates=[]), no_match=True)
    if response.outside is not None:
        answer = compose_outside(response.outside.title, response.outside.passage)
        return Turn(answer, replace(context, candidates=[]), no_match=True)
    if response.no_match or not response.hits:
        return Turn(compose_no_match(), replace(context, candidates=[]), no_match=True)
    top = response.hits[0]
    if top.kind == "notice":
        notice = retriever.get_notice(top.code)
        quote = "\n…\n".join(top.passages) if top.passages else top.passage
        return Turn(compose_notice(notice, quote), Context(notice_id=notice.id))
    chosen = fresher_variant(retriever, retriever.get_procedure(top.code))
    offered = _representatives(retriever, response.ambiguous) if response.ambiguous else []
    alternatives = [p for p in offered if p.code != chosen.code and p.code not in chosen.same_as]
    turn = answer_procedure(retriever, chosen, part, submitted=submitted)
    if alternatives:
        # other procedures scored almost as well: answer the best, the others one tap away
        add_alternatives(turn.answer, alternatives)
    return turn


def answer_life_event(
    retriever: Retriever, match: EventMatch, response: SearchResponse | None = None
) -> Turn:
    """The procedures a life event usually takes; a number or a button opens one. The
    procedure the message itself matches confidently (``response``), when it is not one of the
    event's, is offered too ("mất sổ đỏ": the lost-papers list and the re-issue of a land
    certificate)."""
    event = match.event
    steps = [(s, p) for s in event.steps if (p := retriever.get_procedure(s.code)) is not None]
    combined = [p for code in event.combined if (p := retriever.get_procedure(code)) is not None]
    asked = None
    if response is not None and names_a_record_surely(retriever, response):
        top = response.hits[0]
        if top.kind == "procedure" and top.code not in {s.code for s in event.steps} | set(event.combined):
            asked = retriever.get_procedure(top.code)
    answer = compose_life_event(event, steps, combined, asked)
    context = Context(candidates=list(answer.choices), pending_part=EVENT_PART.value)
    return Turn(answer, context, no_match=not answer.choices)


def _event_asked(
    retriever: Retriever,
    question: str,
    part: Part | str,
    response: SearchResponse,
    matcher: LifeEventMatcher | None,
) -> tuple[EventMatch | None, bool]:
    """(the life event the message describes, whether to answer with its list). A message
    that describes an event but asks a part of one procedure ("vừa sinh con, làm giấy khai sinh
    ở đâu") or names another one ("kết hôn với người nước ngoài") gets that procedure, with
    the event one tap away; "giờ phải làm những gì" gets the event's list."""
    match = (matcher or default_matcher()).match(
        question, [response.forms.normalized] if response.forms else []
    )
    if match is None:
        return None, False
    what_to_do = _ASKS_WHAT_TO_DO.search(fold(question)) is not None
    if response.known is not None and not what_to_do:
        return match, False  # the message names a procedure we know by name only ("giấy phép bán lẻ rượu")
    if response.outside is not None:
        # the question is about an area we do not hold ("mở nhà thuốc", "muốn ly hôn"): say so,
        # with where to ask, and the event's list one tap away (it is not the answer)
        return match, False
    if response.no_match or not response.hits or response.hits[0].kind != "procedure":
        return match, True
    top = response.hits[0]
    p = retriever.get_procedure(top.code)
    if p is None:
        return match, True
    said = response.forms.normalized if response.forms else question  # "HKD" → "hộ kinh doanh"
    if covers_title(said, top.title):
        return match, False
    whole = what_to_do or parse_part(part)[0] in _WHOLE_EVENT_PARTS
    if top.code not in {s.code for s in match.event.steps} | set(match.event.combined):
        # another procedure than the event's, named by a longer run ("kết hôn với người nước ngoài")
        named = says_a_name_of(said, p, NAME_RUN_SYLLABLES + 1) or (not whole and says_a_name_of(said, p))
        return match, not named
    # one of the event's procedures: its list, unless the message names that one ("cấp lại
    # bằng lái bị mất") without asking what to do
    return match, what_to_do or (whole and not says_a_name_of(said, p, NAME_RUN_SYLLABLES + 1))


def answer_if_sure(retriever: Retriever, question: str, *, context: Context | None = None) -> Turn | None:
    """The answer to a message the dialogue model took for small talk or another topic ("nhà
    có khách nghỉ qua đêm thì báo công an thế nào") when the search is sure a procedure
    answers it (:meth:`ScopeGate.is_sure`); None: the message is not about a procedure."""
    response = retriever.search(question, k=5)
    if not names_a_record_surely(retriever, response):
        return None
    return answer_question(retriever, question, context=context, response=response)


# a message names a record on its own only with this many content syllables: "có làm online
# được không" or "cần mang giấy tờ gì" is near some record by chance, and asks about the
# procedure under discussion, if any
MIN_NAMING_SYLLABLES = 3


def names_a_record_surely(retriever: Retriever, response: SearchResponse) -> bool:
    """The search is sure a record answers (:meth:`ScopeGate.is_sure`) and the message says
    enough to name one."""
    return (
        not response.no_match
        and bool(response.hits)
        and response.evidence is not None
        and response.forms is not None
        and len(content_syllables(response.forms.folded)) >= MIN_NAMING_SYLLABLES
        and retriever.scope_gate.is_sure(response.evidence)
    )


def answer_question(
    retriever: Retriever,
    question: str,
    *,
    part: Part | str | None = None,
    context: Context | None = None,
    response: SearchResponse | None = None,
    k: int = 5,
    events: LifeEventMatcher | None = None,
    today: dt.date | None = None,
) -> Turn:
    """A new question (or one whose intent is unclear): a life event, or search and
    :func:`decide`. After a notice, a question that names nothing new is looked up in that
    notice."""
    context = context or Context()
    part = part or detect_part(question)
    response = response or retriever.search(question, k=k)
    match, as_list = (
        (None, False) if context.notice_id else _event_asked(retriever, question, part, response, events)
    )
    if match and as_list:
        return answer_life_event(retriever, match, response)
    submitted = submission_day(question, part, today)
    if context.notice_id and not names_new_topic(retriever, question, response, context):
        in_notice = retriever.search(question, k=1, notice=context.notice_id)
        if in_notice.hits:
            in_notice.no_match = False
            return decide(retriever, in_notice, part, context)
    return _with_event_link(retriever, decide(retriever, response, part, context, submitted), match)


def _with_event_link(retriever: Retriever, turn: Turn, match: EventMatch | None) -> Turn:
    """A procedure answered for a message that also tells a life event, or a question about an
    area we do not hold asked within one ("mở nhà thuốc"): the event one tap away."""
    known = bool(turn.answer.citations) and turn.answer.citations[0].kind == "known"
    outside = turn.answer.kind == "no_match" and bool(turn.answer.heading)  # compose_outside
    if match is not None and (turn.answer.kind == "procedure" or known or outside):
        answered = retriever.get_procedure(turn.answer.code)
        skip = {turn.answer.code, *(answered.same_as if answered else [])}
        others = [
            p
            for s in match.event.steps
            if s.code not in skip and not s.why.startswith("Hoặc") and (p := retriever.get_procedure(s.code))
        ]
        add_event_link(turn.answer, match.event, others)
    return turn


def names_new_topic(retriever: Retriever, question: str, response: SearchResponse, context: Context) -> bool:
    """The message names a procedure or notice other than the one under discussion: its best
    hit is confident and the message covers most of that procedure's title ("thế còn đăng ký
    kết hôn?"), or the best hit is another notice."""
    if response.no_match or not response.hits:
        return False
    top = response.hits[0]
    if top.kind == "notice":
        return top.code != context.notice_id
    current = set(context.candidate_codes)
    if context.procedure_code:
        p = retriever.get_procedure(context.procedure_code)
        current |= {context.procedure_code, *(p.same_as if p else [])}
    return top.code not in current and covers_title(question, top.title)


# this many content syllables in a row (fillers such as "thủ tục", "cần", "gì" left out) from
# a procedure's title or everyday names name that procedure ("kết hôn … nước ngoài",
# "doanh nghiệp tư nhân", "đóng cửa hộ kinh doanh")
NAME_RUN_SYLLABLES = 3


def _content_runs(text: str, n: int) -> set[str]:
    words = [w for w in syllables(fold(text)) if w not in CHAT_FILLERS]
    return {" ".join(words[i : i + n]) for i in range(len(words) - n + 1)}


def says_a_name_of(question: str, p, run: int = NAME_RUN_SYLLABLES) -> bool:
    """The message holds ``run`` content syllables in a row of ``p``'s title or of one of its
    everyday names (its reviewed aliases)."""
    asked = _content_runs(question, run)
    return bool(asked) and any(asked & _content_runs(n, run) for n in [title_core(p.title), *p.keywords])


def covers_title(question: str, title: str) -> bool:
    """The message names the procedure: it holds most syllables of its title ("thế còn đăng
    ký kết hôn?")."""
    words = set(syllables(title_core(title)))
    shared = words & set(syllables(fold(question)))
    return bool(words) and len(shared) >= 2 and len(shared) / len(words) >= NEW_TOPIC_TITLE_COVERAGE


# --------------------------------------------------------------------------- follow-ups


def answer_follow_up(
    retriever: Retriever,
    question: str,
    *,
    part: Part | str | None = None,
    context: Context | None = None,
    code: str | None = None,
    today: dt.date | None = None,
    event: str | None = None,
) -> Turn:
    """A detail question ("lệ phí?", a button): about ``code`` or the life ``event`` when a
    button named one, else about what the conversation is on (see module doc)."""
    context = context or Context()
    part = part or detect_part(question)
    submitted = submission_day(question, part, today)
    if event and (chosen := default_matcher().get(event)) is not None:
        return answer_life_event(retriever, EventMatch(chosen, 0))
    if code:
        p = retriever.get_procedure(code)
        if p is not None:
            return answer_procedure(retriever, p, part, context, submitted)
    response = retriever.search(question, k=5)
    if response.unreadable and len(set(context.candidate_codes)) <= 1:  # "👍", "123" after an answer
        return decide(retriever, response, part, context)
    match, as_list = _event_asked(retriever, question, part, response, None)
    if match and as_list:
        return answer_life_event(retriever, match, response)
    if names_new_topic(retriever, question, response, context):
        return _with_event_link(retriever, decide(retriever, response, part, context, submitted), match)
    if len(set(context.candidate_codes)) > 1:
        return _about_pending_choice(retriever, part, context)
    if context.procedure_code:
        p = retriever.get_procedure(context.procedure_code)
        if p is not None:
            return answer_procedure(retriever, p, part, context, submitted)
    # a notice under discussion is searched again; with nothing under discussion, a message that
    # names a record beyond doubt is a new question the dialogue model read as a detail ("thi hành
    # án thì nộp đơn ở đâu?")
    if context.notice_id or names_a_record_surely(retriever, response):
        return answer_question(
            retriever, question, part=part, context=context, response=response, today=today
        )
    # nothing under discussion and the message names no procedure ("thế còn lệ phí?")
    return Turn(Answer(text=ASK_WHICH_PROCEDURE, kind="ask"), context)


def _about_pending_choice(retriever: Retriever, part: Part | str, context: Context) -> Turn:
    """ "mất bao lâu?" while a choice is pending: one line per offered procedure; the choice stays."""
    offered = [p for code in context.candidate_codes if (p := retriever.get_procedure(code)) is not None]
    asked = parse_part(part)[0]
    if asked in (Part.TIME, Part.FEE, Part.AGENCY):
        ans = compare_lines(offered, asked)
    else:
        ans = compose_choice(offered)
        ans.text = ans.text.replace(
            "Có vài thủ tục gần giống, bạn muốn hỏi thủ tục nào?",
            f"Bạn chọn thủ tục trước, tôi sẽ trả lời phần «{asked.label.lower()}» của thủ tục đó:",
        )
    return Turn(ans, replace(context, pending_part=asked.value))


def answer_choice(retriever: Retriever, index: int | None, context: Context) -> Turn:
    """The citizen picked item ``index`` (1-based) of the pending choice."""
    if index is None or not 1 <= index <= len(context.candidates):
        return Turn(Answer(text=ASK_WHICH_CHOICE, kind="ask"), context)
    code, _, part = context.candidates[index - 1].partition("|")
    p = retriever.get_procedure(code)
    if p is None:
        return Turn(Answer(text=ASK_WHICH_PROCEDURE, kind="ask"), Context())
    return answer_procedure(retriever, p, part or context.pending_part or Part.SUMMARY, Context())
