"""The one answer composer shared by the bot, the staff page and ``tthc answer``.

Every value in an answer comes from the record (never generated): a unit lost by the crawl
is said to be unknown, a missing field is said to be missing with where to confirm it, and
every answer cites the procedure code and its source link (or the notice's number, date,
issuer and file name).

A first reply is short and answers the ordinary case (``Part.DOCUMENTS``: the documents most
applicants submit and show, forms named); what only some need (conditional cases, notes, the
full list of steps) is one button away (``Part.CASES``, ``Part.NOTES``, ``steps:all``). Which
procedure, which level and whether to ask is decided in :mod:`indexer.answer_policy`.

    from indexer.answer_composer import compose_procedure, Part
    ans = compose_procedure(procedure, Part.DOCUMENTS)
    ans.text          # plain text with numbered lists (**bold** is the only markup)
    ans.to_dict()     # structured: part, heading, items, citations, buttons
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from enum import Enum

from indexer.dossier import (
    DossierView,
    Situation,
    clean_name,
    document_key,
    document_line,
    dossier,
    form_code,
    quantity,
    short_name,
)
from indexer.query import fold
from indexer.return_date import estimate_return, format_date_vi
from knowledge.importer.common import LEVEL_QUALIFIER, RECOVERED_UNIT_NOTE
from knowledge.schema import ChannelKind, Level


class Part(str, Enum):
    SUMMARY = "summary"
    DOCUMENTS = "documents"
    CASES = "cases"
    NOTES = "notes"
    TIME = "time"
    FEE = "fee"
    AGENCY = "agency"
    CHANNELS = "channels"
    STEPS = "steps"
    FORMS = "forms"
    CONDITIONS = "conditions"
    LEGAL = "legal"
    RESULT = "result"
    APPLICANTS = "applicants"

    @property
    def label(self) -> str:
        return _PART_LABELS[self]


_PART_LABELS = {
    Part.SUMMARY: "Tóm tắt",
    Part.DOCUMENTS: "Thành phần hồ sơ",
    Part.CASES: "Trường hợp riêng",
    Part.NOTES: "Lưu ý",
    Part.TIME: "Thời hạn giải quyết",
    Part.FEE: "Phí, lệ phí",
    Part.AGENCY: "Nơi nộp hồ sơ",
    Part.CHANNELS: "Cách thức nộp",
    Part.STEPS: "Trình tự thực hiện",
    Part.FORMS: "Mẫu đơn, tờ khai",
    Part.CONDITIONS: "Yêu cầu, điều kiện",
    Part.LEGAL: "Căn cứ pháp lý",
    Part.RESULT: "Kết quả",
    Part.APPLICANTS: "Đối tượng thực hiện",
}
# short labels for buttons (Messenger quick replies show 20 characters)
_BUTTON_LABELS = {
    Part.DOCUMENTS: "Giấy tờ cần nộp",
    Part.TIME: "Thời hạn",
    Part.FEE: "Lệ phí",
    Part.AGENCY: "Nơi nộp",
    Part.STEPS: "Các bước",
}
FOLLOW_UP_PARTS = (Part.DOCUMENTS, Part.TIME, Part.FEE, Part.AGENCY, Part.STEPS)

# Question-part cues, matched on folded (diacritic-free, lower-case) text; first match wins.
_PART_CUES: list[tuple[Part, tuple[str, ...]]] = [
    (Part.CASES, ("truong hop dac biet", "truong hop rieng", "cac truong hop khac", "truong hop khac")),
    (Part.NOTES, ("luu y",)),
    (Part.FORMS, ("mau don", "to khai", "mau to khai", "bieu mau", "mau so")),
    (
        Part.FEE,
        (
            "bao nhieu tien",
            "le phi",
            "phi",
            "mat phi",
            "ton phi",
            "chi phi",
            "het bao nhieu",
            "mien phi",
            "tien",
        ),
    ),
    (
        Part.TIME,
        (
            "bao lau",
            "may ngay",
            "bao nhieu ngay",
            "thoi han",
            "thoi gian",
            "mat may",
            "khi nao co",
            "bao gio",
            "khi nao xong",
            "may hom",
            "khi nao lay",
            "khi nao nhan",
            "ngay nao co",
            "ngay nao lay",
            "ngay nao nhan",
            "hom nao lay",
            "luc nao lay",
            "luc nao co",
        ),
    ),
    (Part.CHANNELS, ("online", "truc tuyen", "qua mang", "buu chinh", "buu dien", "dich vu cong", "nop qua")),
    (
        Part.AGENCY,
        (
            "o dau",
            "nop dau",
            "noi nop",
            "co quan nao",
            "lam o",
            "den dau",
            "cho nao",
            "ai giai quyet",
            "noi nao",
            "tham quyen",
        ),
    ),
    (
        Part.DOCUMENTS,
        (
            "giay to",
            "ho so",
            "can gi",
            "mang theo",
            "chuan bi",
            "can nhung",
            "thanh phan",
            "mang gi",
            "nop gi",
        ),
    ),
    (
        Part.STEPS,
        (
            "trinh tu",
            "cac buoc",
            "quy trinh",
            "lam the nao",
            "nhu the nao",
            "cach lam",
            "thu tuc ra sao",
            "lam sao",
        ),
    ),
    (Part.CONDITIONS, ("dieu kien", "yeu cau", "duoc khong", "co duoc")),
    (Part.LEGAL, ("can cu", "phap ly", "nghi dinh", "thong tu", "luat nao", "van ban nao", "quy dinh nao")),
    (Part.RESULT, ("ket qua", "nhan duoc gi", "duoc cap gi")),
    (Part.APPLICANTS, ("doi tuong", "ai duoc", "ai phai", "ai co the")),
]


_SENTENCE_END = re.compile(r"[.?!\n]+(?:\s+|$)")  # "3.5 triệu" is one sentence


def detect_part(question: str) -> Part:
    """Which part of a procedure the question asks about (works on text without diacritics).
    A message of several sentences asks in its last sentence that names a part ("Tòa đã xử cho
    tôi nhận lại tiền… Tôi nộp đơn thi hành án ở đâu?" asks where, not how much)."""
    for sentence in reversed(_SENTENCE_END.split(fold(question))):
        q = re.sub(r"\s+", " ", re.sub(r"[^\w ]", " ", f" {sentence} "))
        for part, cues in _PART_CUES:
            if any(f" {c.strip()} " in q for c in cues):
                return part
    return Part.SUMMARY


def parse_part(value: str | Part | None) -> tuple[Part, str | None]:
    """``"cases:2"`` → (Part.CASES, "2"); ``"steps:all"`` → (Part.STEPS, "all"); unknown → summary."""
    if isinstance(value, Part):
        return value, None
    name, _, detail = (value or "").partition(":")
    try:
        return Part(name), detail or None
    except ValueError:
        return Part.SUMMARY, None


@dataclass
class Citation:
    kind: str  # "procedure" | "notice" | "known" (a procedure known by name only)
    code: str  # procedure code or notice id
    title: str
    url: str = ""  # procedure source URL
    source_file: str = ""  # notice file name
    number: str = ""
    date: str = ""
    issuer: str = ""

    def text(self) -> str:
        if self.kind == "procedure":
            return f"Nguồn: mã thủ tục {self.code} — {self.url or 'không có đường dẫn'}"
        if self.kind == "known":
            return (
                f"Nguồn: danh sách thủ tục trên Cổng Dịch vụ công quốc gia ({self.source_file}, {self.date})"
            )
        bits = [
            f"số {self.number}" if self.number else "",
            f"ngày {self.date}" if self.date else "",
            self.issuer,
        ]
        head = ", ".join(b for b in bits if b)
        return f"Nguồn: {self.title}" + (f" ({head})" if head else "") + f" — tệp {self.source_file}"


@dataclass
class Button:
    title: str
    payload: str  # "<code>|<part>[:<detail>]" (a follow-up) or "<code>" (a choice)


@dataclass
class Answer:
    text: str
    kind: str  # "procedure" | "notice" | "no_match" | "ambiguous"
    part: str = ""
    heading: str = ""
    items: list[str] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    buttons: list[Button] = field(default_factory=list)
    code: str = ""
    choices: list[str] = field(default_factory=list)  # payloads of the numbered options in ``text``
    stale: list[str] = field(
        default_factory=list
    )  # freshness rules the record matches (knowledge/freshness.yaml)

    def to_dict(self) -> dict:
        return asdict(self)


# --------------------------------------------------------------------------- formatting values


def fmt_number(x: float) -> str:
    """15.0 → '15', 1.5 → '1,5' (Vietnamese decimal comma)."""
    s = f"{x:g}"
    return s.replace(".", ",")


def fmt_vnd(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " đồng"


UNKNOWN_UNIT = "không rõ đơn vị"


def fmt_time(t) -> str:
    if t is None:
        return "hồ sơ thủ tục không ghi"
    if t.value is None:
        return t.text or "hồ sơ thủ tục không ghi"
    unit = getattr(t.unit, "value", str(t.unit))
    if unit == UNKNOWN_UNIT:
        return f"«{fmt_number(t.value)}» (hồ sơ thủ tục không ghi đơn vị: ngày hay ngày làm việc)"
    quoted = re.search(rf"{RECOVERED_UNIT_NOTE}: “([^”]+)”", t.text or "")
    if quoted:  # the unit was read from the procedure's own page: its words go with it
        return f"{fmt_number(t.value)} {unit} (trang thủ tục ghi: “{quoted.group(1)}”)"
    return f"{fmt_number(t.value)} {unit}"


def fmt_fee(f) -> str:
    kind = getattr(f.kind, "value", str(f.kind))
    label = f"{f.label}: " if f.label else ""
    if kind == "free":
        return f"{label}Miễn phí"
    if kind == "amount" and f.amount_vnd is not None:
        return f"{label}{fmt_vnd(f.amount_vnd)}"
    return f"{label}{f.text or 'hồ sơ thủ tục không ghi'}"


def level_phrase(level: str | Level) -> str:
    """ "xa" → "cấp xã" (running text; "cấp Bộ" keeps its capital)."""
    label = Level(level).label
    return label if label[:1] != "C" else "c" + label[1:]


def levels_text(levels: Sequence[str | Level]) -> str:
    return ", ".join(level_phrase(lv) for lv in levels)


def display_title(title: str) -> str:
    """ "Thủ tục đăng ký khai sinh" → "Đăng ký khai sinh"; a level qualifier is dropped."""
    t = re.sub(r"^\s*thủ tục\s+", "", title.strip(), flags=re.IGNORECASE)
    t = LEVEL_QUALIFIER.sub("", t).strip()  # the heading says the level
    return t[:1].upper() + t[1:]


def _channel_label(c) -> str:
    return getattr(c.kind, "label", str(c.kind))


def _numbered(items: Sequence[str], start: int = 1) -> str:
    return "\n".join(f"{i}. {x}" for i, x in enumerate(items, start))


def shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:. ") + "…"


def _grouped(pairs: list[tuple[str, str]]) -> list[str]:
    """[(channel, value)] → one line per distinct value, naming its channels unless all share it
    (values equal but for wrapping parentheses or spacing are one value)."""
    by_value: dict[str, list[str]] = {}
    first: dict[str, str] = {}
    for channel, value in pairs:
        value = value.strip()
        if value.startswith("(") and value.endswith(")"):
            value = value[1:-1].strip()
        shown = first.setdefault(fold(value).strip(" .;"), value)
        channels = by_value.setdefault(shown, [])
        if channel not in channels:
            channels.append(channel)
    if len(by_value) == 1:
        return list(by_value)
    return [f"{value} ({', '.join(c.lower() for c in channels)})" for value, channels in by_value.items()]


def missing_text(what: str, p) -> str:
    """A value the record does not hold: say so, and where to confirm it."""
    from tthc.settings import get_settings

    where = f"trang nguồn {p.source_url}" if p.source_url else "trang nguồn của thủ tục"
    return f"Hồ sơ thủ tục không ghi {what}. Bạn nên hỏi {get_settings().office_contact}, hoặc xem {where}."


def procedure_citation(p) -> Citation:
    return Citation(kind="procedure", code=p.code, title=p.title, url=p.source_url)


# --------------------------------------------------------------------------- parts


def time_lines(p) -> list[str]:
    return _grouped([(_channel_label(c), fmt_time(c.time)) for c in p.channels if c.time is not None])


ESTIMATE_CAVEAT = "Đây là ước tính; ngày hẹn chính thức ghi trên giấy tiếp nhận hồ sơ."


def estimate_lines(p, submitted: dt.date) -> list[str]:
    """When the result of ``p`` may be ready if the dossier is complete on ``submitted``, per
    distinct processing time the record states with its unit; said plainly when the unit is
    unknown (no date is computed from a bare number)."""
    times: dict[tuple, tuple[object, list[str]]] = {}
    for c in p.channels:
        if c.time is not None:
            times.setdefault((c.time.value, c.time.unit), (c.time, []))[1].append(_channel_label(c))
    lines = []
    for time, labels in times.values():
        estimate = estimate_return(submitted, time)
        who = f" ({', '.join(labels)})" if len(times) > 1 else ""
        if estimate is None:
            lines.append(f"Tôi không tính được ngày có kết quả{who}: thời hạn ghi là {fmt_time(time)}.")
            continue
        line = (
            f"Nộp đủ hồ sơ {format_date_vi(estimate.submitted)}{who}: dự kiến có kết quả "
            f"**{format_date_vi(estimate.ready)}** ({estimate.rule})."
        )
        breaks = list(dict.fromkeys(h.name for h in estimate.holidays_skipped))
        if breaks:
            line += " Trong khoảng này có nghỉ: " + ", ".join(breaks) + "."
        lines.append(line)
    if not lines:
        return [f"Tôi không tính được ngày có kết quả: {missing_text('thời hạn giải quyết', p)}"]
    if any("dự kiến" in line for line in lines):
        lines.append(ESTIMATE_CAVEAT)
    return lines


def fee_lines(p) -> list[str]:
    pairs = [
        (_channel_label(c), "; ".join(dict.fromkeys(fmt_fee(f) for f in c.fees)))
        for c in p.channels
        if c.fees
    ]
    return _grouped(pairs)


def agency_lines(p) -> list[str]:
    out = []
    if p.agency:
        out.append(f"Cơ quan thực hiện: {p.agency}")
    if p.competent_authority and p.competent_authority != p.agency:
        out.append(f"Cơ quan có thẩm quyền: {p.competent_authority}")
    if p.address:
        out.append(f"Địa chỉ tiếp nhận: {p.address}")
    if p.levels:
        out.append(f"Cấp thực hiện: {levels_text(p.levels)}")
    # "nộp ở đâu" is also "can I send it": many records name no office, all name the ways in
    kinds = sorted({c.kind for c in p.channels}, key=list(ChannelKind).index)
    if kinds:
        ways = [("qua " if k == ChannelKind.BUU_CHINH else "") + k.label.lower() for k in kinds]
        out.append(f"Cách nộp: {', '.join(ways)}")
    return out


def channel_lines(p) -> list[str]:
    lines = []
    for c in p.channels:
        description = (c.description or "").lstrip("-+• ").strip()  # "— - Thông qua…" reads as a typo
        lines.append(_channel_label(c) + (f" — {description}" if description else ""))
    return list(dict.fromkeys(lines))


def step_lines(p) -> list[str]:
    return [s.lstrip("-+• ").strip() for s in p.steps if s.strip(" -+.*")]


def form_lines(p) -> list[str]:
    out = []
    for d in p.documents:
        code = form_code(d)
        if d.form or code:
            out.append(f"{d.form or 'mẫu ' + code} (cho: {clean_name(d.name)})")
    return list(dict.fromkeys(out))


def legal_lines(p) -> list[str]:
    return [" ".join(x for x in (lb.number or "", lb.title) if x) for lb in p.legal_bases]


# parts shown short first, all on request ("<part>:all")
_SHORT_FIRST = {
    Part.TIME: time_lines,
    Part.STEPS: step_lines,
    Part.LEGAL: legal_lines,
    Part.FEE: fee_lines,
    Part.AGENCY: agency_lines,
    Part.CHANNELS: channel_lines,
    Part.FORMS: form_lines,
    Part.CONDITIONS: lambda p: [p.conditions] if p.conditions else [],
    Part.RESULT: lambda p: [p.result] if p.result else [],
}


FIRST_REPLY_CHARS = 1800  # a first reply fits one web message; the rest is one tap away
_RESERVED_CHARS = 300  # for the headings, the special-cases line and the alternatives line


def _fit(items: list[str], budget: int) -> list[str]:
    """The first items whose numbered lines fit in ``budget`` characters (at least one)."""
    kept, used = [], 0
    for item in items:
        used += len(item) + 5
        if kept and used > budget:
            break
        kept.append(item)
    return kept


# long parts shown short first: (how many items, their width, what the rest are called)
_SHORT_FIRST_LIMITS = {
    Part.TIME: (6, 600, "dòng"),
    Part.STEPS: (6, 220, "bước"),
    Part.LEGAL: (6, 160, "văn bản"),
    Part.CONDITIONS: (1, 1000, "phần"),
    Part.RESULT: (3, 400, "phần"),
    Part.FEE: (6, 500, "mức"),
    Part.AGENCY: (6, 400, "dòng"),
    Part.CHANNELS: (6, 300, "cách"),
    Part.FORMS: (10, 200, "mẫu"),
}


def _first_of(
    items: list[str], detail: str | None, budget: int, limit: int, width: int, rest: str
) -> tuple[list[str], list[str]]:
    """The first ``limit`` items cut to ``width`` characters within ``budget``, or all of them
    (``detail`` "all")."""
    shown = items if detail == "all" else _fit([shorten(x, width) for x in items[:limit]], budget)
    lines = [shown[0]] if len(items) == 1 else [_numbered(shown)]
    if len(shown) < len(items) or any(a != b for a, b in zip(shown, items, strict=False)):
        more = f"còn {len(items) - len(shown)} {rest} nữa" if len(shown) < len(items) else "xem đầy đủ"
        lines.append(f"({more} — bấm «Xem tất cả»)")
    return lines, items


def _case_teaser(view: DossierView) -> str:
    """ "Ngoài ra: giấy tờ cho 4 trường hợp riêng (ví dụ: trẻ em bị bỏ rơi) và 25 lưu ý." """
    bits = []
    n_cases = view.case_count()
    if n_cases:
        examples = []
        for case in view.cases:
            label = case.label or next(
                (
                    m.group(1)
                    for d in case.rows
                    if (m := re.match(r"(?i)trường hợp (.{5,60}?)(?: thì|,| phải)", clean_name(d.name)))
                ),
                "",
            )
            if label and len(examples) < 2:
                examples.append(shorten(re.sub(r"(?i)^trường hợp\s+", "", label), 60))
        eg = f" (ví dụ: {'; '.join(examples)})" if examples else ""
        bits.append(f"giấy tờ cho {n_cases} trường hợp riêng{eg}")
    if view.notes:
        bits.append(f"{len(view.notes)} lưu ý")
    return ("Ngoài ra có " + " và ".join(bits) + " — bấm nút bên dưới để xem.") if bits else ""


SITUATION_DOCS = 3  # documents named after a situation in a first reply


def _situation_line(s: Situation, common: set[str]) -> str:
    """ "Vào chỗ ở hợp pháp do thuê, mượn, ở nhờ: Tờ khai … (mẫu CT01); Hợp đồng thuê…" """
    docs = [shorten(short_name(d), 70) for d in s.rows if document_key(d) not in common]
    named = "; ".join(docs[:SITUATION_DOCS]) + ("; …" if len(docs) > SITUATION_DOCS else "")
    return f"{shorten(s.label, 90)}" + (f": {named}" if named else "")


def _full_line(d) -> str:
    return clean_name(d.name) + (f" ({q})" if (q := quantity(d)) else "")


def _shortened(view: DossierView) -> bool:
    """Some ordinary-case row is shown shorter than the record says it."""
    return any(document_line(d).rstrip("…") != _full_line(d) for d in view.ordinary + view.common)


def _documents_body(
    p, view: DossierView, detail: str | None = None, budget: int = FIRST_REPLY_CHARS
) -> tuple[list[str], list[str]]:
    """(lines of text, items) of the first reply about documents, within ``budget`` characters
    (the rest behind «Nguyên văn hồ sơ»); ``detail`` "full": every ordinary-case row as the
    record words it."""
    lines: list[str] = []
    items: list[str] = []
    line = _full_line if detail == "full" else document_line
    if view.ordinary:
        submit = [line(d) for d in view.submit]
        show = [line(d) for d in view.show]
        items = submit + show
        kept = items if detail == "full" else _fit(items, budget)
        if submit:
            lines.append("Hồ sơ thông thường gồm:")
            lines.append(_numbered(kept[: len(submit)]))
        if show and len(kept) > len(submit):
            lines.append("Mang theo để xuất trình (không phải nộp):")
            lines.append(_numbered(kept[len(submit) :], start=len(submit) + 1))
        if len(kept) < len(items):
            lines.append(f"… và {len(items) - len(kept)} giấy tờ khác — bấm «Nguyên văn hồ sơ».")
    elif view.situations:
        if view.common:
            common = [line(d) for d in view.common]
            lines.append("Mọi trường hợp đều cần:")
            lines.append("\n".join(f"• {x}" for x in common))  # the numbers pick a situation
            items = common
        lines.append(f"Giấy tờ tùy trường hợp của bạn ({len(view.situations)} trường hợp):")
        # each situation with its first documents, so that a citizen sees which is theirs
        # and what it asks; the full list is one tap (or the typed number) away
        labels = [_situation_line(s, common={document_key(d) for d in view.common}) for s in view.situations]
        shown = _fit(labels, budget - sum(len(x) for x in items))
        lines.append(_numbered(shown))
        if len(shown) < len(labels):
            lines.append(f"… và {len(labels) - len(shown)} trường hợp khác (bấm nút bên dưới).")
        lines.append("Bấm (hoặc gõ số) trường hợp của bạn để xem đủ giấy tờ.")
    elif view.cases:
        lines.append("Hồ sơ thủ tục chỉ ghi giấy tờ theo từng trường hợp — bấm «Trường hợp riêng» để xem.")
    teaser = _case_teaser(view) if (view.ordinary or view.common) and detail != "full" else ""
    if teaser:
        lines.append(teaser)
    return lines, items


def _cases_body(view: DossierView, detail: str | None) -> tuple[list[str], list[str]]:
    """All conditional rows by case, in full; or one situation (``detail`` "2"): its documents
    short, like an ordinary dossier ("2:full": in full)."""
    groups: list[Situation] = view.situations + view.cases
    number, _, full = (detail or "").partition(":")
    if number.isdigit() and 1 <= int(number) <= len(groups):
        chosen = groups[int(number) - 1]
        items = [(_full_line if full else document_line)(d) for d in chosen.rows]
        return ([f"Trường hợp: {chosen.label}"] if chosen.label else []) + [_numbered(items)], items
    lines, items = [], []
    for g in groups:
        rows = [_full_line(d) for d in g.rows]
        if g.label:
            lines.append(f"• {g.label}:")
        lines.append(_numbered(rows, start=len(items) + 1))
        items += rows
    return lines, items


def _part_body(
    p, part: Part, detail: str | None, view: DossierView, budget: int
) -> tuple[list[str], list[str]]:
    """(text lines, items) of one part within ``budget`` characters when it is a first reply;
    empty items mean the record does not hold it."""
    if part == Part.DOCUMENTS:
        return _documents_body(p, view, detail, budget)
    if part == Part.CASES:
        return _cases_body(view, detail)
    if part == Part.NOTES:
        items = [clean_name(d.name) for d in view.notes]
        return [_numbered(items)], items
    if part in _SHORT_FIRST:
        lines, items = _first_of(_SHORT_FIRST[part](p), detail, budget, *_SHORT_FIRST_LIMITS[part])
        if part == Part.TIME and any("«" in t for t in items):
            lines.append(f"Bạn nên hỏi lại nơi nộp hồ sơ hoặc xem trang nguồn {p.source_url}".rstrip() + ".")
        return lines, items
    if part == Part.SUMMARY:
        return _summary_body(p, view)
    items = list(p.applicants)  # Part.APPLICANTS
    lines = [items[0]] if len(items) == 1 else [_numbered(items)]
    return lines, items


_MISSING_WHAT = {
    Part.DOCUMENTS: "thành phần hồ sơ",
    Part.CASES: "trường hợp riêng nào",
    Part.NOTES: "lưu ý nào",
    Part.TIME: "thời hạn giải quyết",
    Part.FEE: "phí, lệ phí",
    Part.AGENCY: "cơ quan tiếp nhận",
    Part.CHANNELS: "cách thức nộp",
    Part.STEPS: "các bước thực hiện",
    Part.FORMS: "mẫu đơn, tờ khai nào",
    Part.CONDITIONS: "yêu cầu, điều kiện nào",
    Part.LEGAL: "căn cứ pháp lý",
    Part.RESULT: "kết quả",
    Part.APPLICANTS: "đối tượng thực hiện",
}


def _summary_body(p, view: DossierView) -> tuple[list[str], list[str]]:
    docs = [document_line(d) for d in (view.submit or view.common)][:3]
    items = [
        "Giấy tờ chính: " + ("; ".join(docs) if docs else "tùy trường hợp (bấm «Giấy tờ cần nộp»)"),
        "Thời hạn: " + (shorten("; ".join(time_lines(p)), 300) or "hồ sơ thủ tục không ghi"),
        "Lệ phí: " + (shorten("; ".join(fee_lines(p)), 200) or "hồ sơ thủ tục không ghi"),
        "Nơi nộp: "
        + (shorten(p.agency, 300) or (levels_text(p.levels) if p.levels else "hồ sơ thủ tục không ghi")),
    ]
    return ["\n".join(f"• {x}" for x in items)], items


def _buttons(p, part: Part, detail: str | None, view: DossierView) -> list[Button]:
    out = []
    if part == Part.DOCUMENTS and view.situations:
        for i, s in enumerate(view.situations, 1):
            out.append(Button(title=shorten(s.label, 60), payload=f"{p.code}|cases:{i}"))
    if part == Part.DOCUMENTS and view.case_count() and (view.ordinary or view.common):
        out.append(Button(title=f"Trường hợp riêng ({view.case_count()})", payload=f"{p.code}|cases"))
    if part == Part.DOCUMENTS and view.notes:
        out.append(Button(title=f"Lưu ý ({len(view.notes)})", payload=f"{p.code}|notes"))
    if part == Part.DOCUMENTS and detail != "full" and (_shortened(view) or len(view.ordinary) > 8):
        out.append(Button(title="Nguyên văn hồ sơ", payload=f"{p.code}|documents:full"))
    if part == Part.CASES and detail and detail.isdigit():
        out.append(Button(title="Xem nguyên văn", payload=f"{p.code}|cases:{detail}:full"))
    if part in _SHORT_FIRST and detail != "all" and len(_SHORT_FIRST[part](p)) > _SHORT_FIRST_LIMITS[part][0]:
        out.append(Button(title="Xem tất cả", payload=f"{p.code}|{part.value}:all"))
    for other in FOLLOW_UP_PARTS:
        if other != part:
            out.append(Button(title=_BUTTON_LABELS[other], payload=f"{p.code}|{other.value}"))
    return out


@dataclass
class LevelNote:
    """The same procedure at other levels, each with how it differs in time or fee ([] = the
    same), from :mod:`indexer.answer_policy`."""

    others: list[tuple[object, list[str]]] = field(default_factory=list)  # (Procedure, differences)

    def text(self) -> str:
        """One short line: the first few others with how they differ (shortened), the rest by
        code only (a land procedure has a dozen provincial copies)."""
        if not self.others:
            return ""
        shown, rest = self.others[:LEVEL_NOTE_SHOWN], self.others[LEVEL_NOTE_SHOWN:]
        where = "; ".join(
            f"{levels_text(o.levels) or 'cơ quan khác'} (mã {o.code})"
            + (f" — {shorten(', '.join(diff), LEVEL_NOTE_DIFF_CHARS)}" if diff else "")
            for o, diff in shown
        )
        if rest:
            where += f"; và {len(rest)} nơi khác (mã {', '.join(o.code for o, _ in rest)})"
        return f"Thủ tục này cũng được thực hiện ở {where}."


# the level note names this many other publications in full, each difference this long at most
LEVEL_NOTE_SHOWN = 2
LEVEL_NOTE_DIFF_CHARS = 90


def heading(p) -> str:
    lv = levels_text(p.levels)
    return f"**{shorten(display_title(p.title), 200)}** (mã {p.code}{', ' + lv if lv else ''})"


def stale_line(rules: Sequence) -> str:
    """One line when the record names bodies or levels that no longer exist
    (:mod:`knowledge.freshness`): say it may be out of date and where to check."""
    if not rules:
        return ""
    names = ", ".join(f"«{r.label}»" for r in rules)
    now = "; ".join(r.advice for r in rules)
    since = min(r.since for r in rules).strftime("%d/%m/%Y")
    return (
        f"Lưu ý: hồ sơ thủ tục này còn ghi {names}, có thể chưa cập nhật theo chính quyền địa phương "
        f"hai cấp (từ {since}: {now}). Hãy kiểm tra tại Ủy ban nhân dân cấp xã nơi bạn ở hoặc trên "
        "Cổng Dịch vụ công quốc gia https://dichvucong.gov.vn."
    )


def compose_procedure(
    p,
    part: Part | str = Part.SUMMARY,
    *,
    levels: LevelNote | None = None,
    submitted: dt.date | None = None,
    stale: Sequence = (),
) -> Answer:
    """The answer about one part of ``p`` (``part`` may carry a detail: ``"cases:2"``); a time
    answer with ``submitted`` adds when the result may be ready (:func:`estimate_lines`);
    ``stale`` (the freshness rules ``p`` matches) adds :func:`stale_line`."""
    part, detail = parse_part(part)
    view = dossier(p)
    head = heading(p)
    cit = procedure_citation(p)
    footer = "\n".join(x for x in (stale_line(stale), levels.text() if levels else "") if x)
    budget = FIRST_REPLY_CHARS - len(head) - len(footer) - len(cit.text()) - _RESERVED_CHARS
    lines, items = _part_body(p, part, detail, view, budget)
    if part in (Part.SUMMARY, Part.DOCUMENTS):
        intro = head
    elif part == Part.CASES and view.situations and detail:
        intro = f"{Part.DOCUMENTS.label} — {head}"
    else:
        intro = f"{part.label} — {head}"
    if not items and not (part == Part.DOCUMENTS and (view.situations or view.cases)):
        lines = [missing_text(_MISSING_WHAT.get(part, "thông tin này"), p)]
    if part == Part.TIME and submitted is not None:
        lines += estimate_lines(p, submitted)
    text = "\n".join([intro, *lines, *([footer] if footer else []), cit.text()])
    choices = [f"{p.code}|cases:{i}" for i in range(1, len(view.situations) + 1)]
    return Answer(
        text=text,
        kind="procedure",
        part=part.value + (f":{detail}" if detail else ""),
        heading=head,
        items=items,
        citations=[cit],
        buttons=_buttons(p, part, detail, view),
        code=p.code,
        choices=choices if part == Part.DOCUMENTS else [],
        stale=[r.id for r in stale],
    )


def compare_lines(procedures: Sequence, part: Part | str) -> Answer:
    """One line per offered procedure about ``part`` ("lệ phí?" while a choice is pending); the
    value once when they all share it."""
    part, _ = parse_part(part)
    body = {Part.TIME: time_lines, Part.FEE: fee_lines, Part.AGENCY: agency_lines}[part]
    values = ["; ".join(body(p)) or "hồ sơ thủ tục không ghi" for p in procedures]
    if len(set(values)) == 1:
        lines = [f"{part.label}: {values[0]} (như nhau ở cả {len(procedures)} thủ tục bạn đang xem)."]
    else:
        lines = [
            f"{i}. {_choice_label(p)}: {v}"
            for i, (p, v) in enumerate(zip(procedures, values, strict=True), 1)
        ]
    ans = compose_choice(procedures)
    ans.text = "\n".join([*lines, "Bạn làm thủ tục nào?", *ans.text.splitlines()[1:]])
    ans.part, ans.items = part.value, lines
    return ans


def notice_citation(n) -> Citation:
    return Citation(
        kind="notice",
        code=n.id,
        title=n.title or n.id,
        source_file=n.source_file,
        number=n.number,
        date=n.date.strftime("%d/%m/%Y") if n.date else "",
        issuer=n.issuer,
    )


def compose_notice(n, passage: str) -> Answer:
    cit = notice_citation(n)
    quote = passage.strip()
    head = " ".join(x for x in (n.type, n.number) if x)
    intro = f"Theo {head or 'văn bản'} «{n.title or n.id}»" + (f" ngày {cit.date}" if cit.date else "")
    if n.issuer:
        intro += f" của {n.issuer}"
    text = f"{intro}:\n“{quote}”\n{cit.text()}"
    return Answer(
        text=text, kind="notice", heading=n.title or n.id, items=[quote], citations=[cit], code=n.id
    )


def compose_outside(area: str, ask: str) -> Answer:
    """A question about an area the knowledge base does not hold: say so, and where to ask."""
    text = (
        f"Xin lỗi, tôi chưa có dữ liệu về thủ tục này (lĩnh vực {area.lower()}), nên không trả lời để "
        f"tránh sai. Bạn có thể hỏi {ask}, hoặc tra cứu trên Cổng Dịch vụ công quốc gia "
        "https://dichvucong.gov.vn, hoặc bấm «Gặp cán bộ»."
    )
    return Answer(text=text, kind="no_match", heading=area)


def compose_known(known, ask: str = "") -> Answer:
    """No record answers, but a list names the procedure (``knowledge/known_procedures.yaml``): say
    that its details are not here, name it, who handles it if the list says, and its official page.

    :param known: the :class:`~knowledge.schema.KnownProcedure`.
    :param ask: where to ask, when the question also falls in an area the knowledge base does not hold.
    """
    if not ask:
        from tthc.settings import get_settings

        ask = get_settings().office_contact
    agency = f", do {known.agency} thực hiện" if known.agency else ""
    date = known.source_date.strftime("%d/%m/%Y") if known.source_date else "không rõ ngày"
    cit = Citation(
        kind="known",
        code=known.code,
        title=known.title,
        url=known.source_url,
        source_file=known.source_dataset,
        date=date,
    )
    text = (
        "Tôi chưa có hướng dẫn chi tiết (hồ sơ, thời hạn, lệ phí) cho việc này, nên không trả lời để tránh sai.\n"
        f"Thủ tục gần nhất mà tôi biết tên là «{known.title}» (mã {known.code}){agency}. "
        f"Bạn xem hướng dẫn chính thức tại: {known.source_url}\n"
        f"Bạn cũng có thể hỏi {ask}, hoặc bấm «Gặp cán bộ».\n{cit.text()}"
    )
    return Answer(text=text, kind="no_match", heading=known.title, citations=[cit])


def _office_contact() -> str:
    from tthc.settings import get_settings

    return get_settings().office_contact


def compose_no_match(office_contact: str | None = None) -> Answer:
    text = (
        "Xin lỗi, tôi chưa có dữ liệu về việc này nên không trả lời để tránh sai. "
        f"Bạn có thể diễn đạt lại (ví dụ nêu tên thủ tục), hoặc liên hệ {office_contact or _office_contact()}."
    )
    return Answer(text=text, kind="no_match")


NOT_UNDERSTOOD = (
    "Xin lỗi, tôi chưa hiểu tin nhắn này. Bạn hãy viết câu hỏi về thủ tục cần làm, "
    "ví dụ: “đăng ký khai sinh cần giấy tờ gì?”, hoặc liên hệ {contact}."
)


def compose_not_understood(office_contact: str | None = None) -> Answer:
    """A message with no word to read (emoji, symbols, digits, keyboard mash): say so, never guess."""
    return Answer(text=NOT_UNDERSTOOD.format(contact=office_contact or _office_contact()), kind="no_match")


def add_alternatives(answer: Answer, procedures: Sequence) -> None:
    """Name, under an answer, other procedures the question may be about (a button each)."""
    names = "; ".join(f"{shorten(display_title(p.title), 80)} (mã {p.code})" for p in procedures)
    body, _, source = answer.text.rpartition("\n")
    answer.text = f"{body}\nNếu bạn hỏi thủ tục khác: {names}.\n{source}"
    buttons = [
        Button(title=f"{display_title(p.title)[:60]} ({p.code})", payload=f"{p.code}|{answer.part}")
        for p in procedures
    ]
    answer.buttons = buttons + answer.buttons


def _choice_label(p) -> str:
    lv = levels_text(p.levels)
    return f"{shorten(display_title(p.title), 110)} (mã {p.code}{', ' + lv if lv else ''})"


def compose_choice(procedures: Sequence, notes: Sequence[str] = ()) -> Answer:
    """A numbered choice between procedures (levels only when they differ: ``notes`` says how)."""
    notes = list(notes) + [""] * (len(procedures) - len(notes))
    items = [
        _choice_label(p) + (f" — {note}" if note else "") for p, note in zip(procedures, notes, strict=True)
    ]
    text = "Có vài thủ tục gần giống, bạn muốn hỏi thủ tục nào?\n" + _numbered(items)
    buttons = [Button(title=f"{display_title(p.title)[:60]} ({p.code})", payload=p.code) for p in procedures]
    return Answer(
        text=text, kind="ambiguous", items=items, buttons=buttons, choices=[p.code for p in procedures]
    )
