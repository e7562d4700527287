"""The one answer composer shared by the bot, the staff page and ``tthc answer``.

Every value in an answer comes from the record (never generated): a unit lost by the crawl
is said to be unknown, a missing field is said to be missing, and every answer cites the
procedure code and its source link (or the notice's number, date, issuer and file name).

    from indexer.answer_composer import detect_part, compose_procedure, answer_question
    ans = answer_question(retriever, "đăng ký khai sinh cần giấy tờ gì")
    ans.text          # plain text with numbered lists (Zalo / Messenger / CLI)
    ans.to_dict()     # structured: part, heading, items, citations, buttons (web widget)
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from enum import Enum

from indexer.query import fold


class Part(str, Enum):
    SUMMARY = "summary"
    DOCUMENTS = "documents"
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
    Part.TIME: "Thời hạn giải quyết",
    Part.FEE: "Phí, lệ phí",
    Part.AGENCY: "Cơ quan thực hiện / nơi nộp",
    Part.CHANNELS: "Cách thức nộp",
    Part.STEPS: "Trình tự thực hiện",
    Part.FORMS: "Mẫu đơn, tờ khai",
    Part.CONDITIONS: "Yêu cầu, điều kiện",
    Part.LEGAL: "Căn cứ pháp lý",
    Part.RESULT: "Kết quả",
    Part.APPLICANTS: "Đối tượng thực hiện",
}

# Question-part cues, matched on folded (diacritic-free, lower-case) text; first match wins.
_PART_CUES: list[tuple[Part, tuple[str, ...]]] = [
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


def detect_part(question: str) -> Part:
    """Which part of a procedure the question asks about (works on text without diacritics)."""
    q = f" {fold(question)} "
    q = re.sub(r"[^\w ]", " ", q)
    q = re.sub(r"\s+", " ", q)
    for part, cues in _PART_CUES:
        if any(f" {c.strip()} " in q for c in cues):
            return part
    return Part.SUMMARY


@dataclass
class Citation:
    kind: str  # "procedure" | "notice"
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
    payload: str


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

    def to_dict(self) -> dict:
        return asdict(self)


# --------------------------------------------------------------------------- formatting values


def fmt_number(x: float) -> str:
    """15.0 → '15', 1.5 → '1,5' (Vietnamese decimal comma)."""
    s = f"{x:g}"
    return s.replace(".", ",")


def fmt_vnd(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " đồng"


def fmt_time(t) -> str:
    if t is None:
        return "không có thông tin"
    if t.value is None:
        return t.text or "không có thông tin"
    unit = getattr(t.unit, "value", str(t.unit))
    if unit == "không rõ đơn vị":
        return f"{fmt_number(t.value)} (không rõ đơn vị)"
    return f"{fmt_number(t.value)} {unit}"


def fmt_fee(f) -> str:
    kind = getattr(f.kind, "value", str(f.kind))
    label = f"{f.label}: " if f.label else ""
    if kind == "free":
        return f"{label}Miễn phí"
    if kind == "amount" and f.amount_vnd is not None:
        return f"{label}{fmt_vnd(f.amount_vnd)}"
    return f"{label}{f.text or 'không có thông tin'}"


def _channel_label(c) -> str:
    return getattr(c.kind, "label", str(c.kind))


def _numbered(items: list[str]) -> str:
    return "\n".join(f"{i}. {x}" for i, x in enumerate(items, 1))


def _clean(text: str) -> str:
    return text.strip().lstrip("-+•*").strip().rstrip(":").strip()


def _doc_line(d) -> str:
    line = _clean(d.name)
    qty = []
    if d.originals:
        qty.append(f"{d.originals} bản chính")
    if d.copies:
        qty.append(f"{d.copies} bản sao")
    if qty:
        line += f" ({', '.join(qty)})"
    if d.form:
        line += f" — mẫu: {d.form}"
    return line


def procedure_citation(p) -> Citation:
    return Citation(kind="procedure", code=p.code, title=p.title, url=p.source_url)


def _levels_text(p) -> str:
    return ", ".join(getattr(lv, "label", str(lv)) for lv in p.levels)


def _part_items(p, part: Part) -> list[str]:
    if part == Part.DOCUMENTS:
        items, case = [], None
        for d in p.documents:
            if d.case and d.case != case:
                case = d.case
                items.append(f"[{_clean(case)}]")
            items.append(_doc_line(d))
        return items
    if part == Part.TIME:
        return [f"{_channel_label(c)}: {fmt_time(c.time)}" for c in p.channels if c.time is not None]
    if part == Part.FEE:
        out = []
        for c in p.channels:
            if c.fees:
                out.append(f"{_channel_label(c)}: " + "; ".join(fmt_fee(f) for f in c.fees))
        return out
    if part == Part.AGENCY:
        out = []
        if p.agency:
            out.append(f"Cơ quan thực hiện: {p.agency}")
        if p.competent_authority:
            out.append(f"Cơ quan có thẩm quyền: {p.competent_authority}")
        if p.address:
            out.append(f"Địa chỉ tiếp nhận: {p.address}")
        if p.levels:
            out.append(f"Cấp thực hiện: {_levels_text(p)}")
        return out
    if part == Part.CHANNELS:
        return [_channel_label(c) + (f" — {c.description}" if c.description else "") for c in p.channels]
    if part == Part.STEPS:
        return [s.lstrip("-+• ").strip() for s in p.steps if s.strip(" -+.")]
    if part == Part.FORMS:
        return [f"{d.form} (cho: {d.name})" for d in p.documents if d.form]
    if part == Part.CONDITIONS:
        return [p.conditions] if p.conditions else []
    if part == Part.LEGAL:
        return [" ".join(x for x in (lb.number or "", lb.title) if x) for lb in p.legal_bases]
    if part == Part.RESULT:
        return [p.result] if p.result else []
    if part == Part.APPLICANTS:
        return list(p.applicants)
    return []


def _summary_items(p) -> list[str]:
    items = []
    times = _part_items(p, Part.TIME)
    fees = _part_items(p, Part.FEE)
    agency = _part_items(p, Part.AGENCY)
    items.append("Thời hạn: " + ("; ".join(times) if times else "không có thông tin"))
    items.append("Phí, lệ phí: " + ("; ".join(fees) if fees else "không có thông tin"))
    items.append("Nơi thực hiện: " + ("; ".join(agency) if agency else "không có thông tin"))
    n_docs = len(p.documents)
    items.append(f"Hồ sơ gồm {n_docs} loại giấy tờ" if n_docs else "Hồ sơ: không có thông tin")
    return items


def _buttons(p, part: Part) -> list[Button]:
    out = []
    for other in (Part.DOCUMENTS, Part.TIME, Part.FEE, Part.AGENCY, Part.STEPS):
        if other != part:
            out.append(Button(title=other.label, payload=f"{p.code}|{other.value}"))
    return out


def compose_procedure(p, part: Part | str = Part.SUMMARY) -> Answer:
    part = Part(part)
    items = _summary_items(p) if part == Part.SUMMARY else _part_items(p, part)
    heading = f"{p.title} (mã {p.code})"
    intro = f"{heading}:" if part == Part.SUMMARY else f"{part.label} — {heading}:"
    if not items:
        body = "Hồ sơ thủ tục không ghi thông tin này. Vui lòng xem trang nguồn hoặc hỏi Bộ phận Một cửa."
    else:
        # The part asked is shown whole (a dossier list cut short would send a citizen to the
        # counter without a document); channels split long texts at list boundaries.
        body = _numbered(items)
    cit = procedure_citation(p)
    text = f"{intro}\n{body}\n{cit.text()}"
    return Answer(
        text=text,
        kind="procedure",
        part=part.value,
        heading=heading,
        items=items,
        citations=[cit],
        buttons=_buttons(p, part),
        code=p.code,
    )


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


def compose_no_match(office_contact: str | None = None) -> Answer:
    if office_contact is None:
        try:
            from tthc.settings import get_settings

            office_contact = get_settings().office_contact
        except Exception:
            office_contact = "Bộ phận Một cửa nơi bạn cư trú"
    text = (
        "Xin lỗi, tôi chưa tìm thấy thủ tục hay văn bản phù hợp với câu hỏi này, nên không trả lời để tránh sai. "
        f"Bạn có thể diễn đạt lại (ví dụ nêu tên thủ tục), hoặc liên hệ {office_contact}."
    )
    return Answer(text=text, kind="no_match")


def compose_ambiguous(hits) -> Answer:
    items = []
    for h in hits:
        lv = ", ".join(h.levels)
        items.append(f"{h.title} (mã {h.code}{', cấp ' + lv if lv else ''})")
    text = "Có vài thủ tục gần giống, bạn muốn hỏi thủ tục nào?\n" + _numbered(items)
    buttons = [Button(title=f"{h.title[:60]} ({h.code})", payload=h.code) for h in hits]
    return Answer(text=text, kind="ambiguous", items=items, buttons=buttons)


def answer_question(
    retriever, question: str, k: int = 5, response=None, part: Part | str | None = None
) -> Answer:
    """Search (or reuse ``response``) and compose the answer to ``question``."""
    res = response or retriever.search(question, k=k)
    if res.no_match or not res.hits:
        return compose_no_match()
    top = res.hits[0]
    if top.kind == "notice":
        n = retriever.get_notice(top.code)
        return compose_notice(n, "\n…\n".join(top.passages) if top.passages else top.passage)
    p = retriever.get_procedure(top.code)
    ans = compose_procedure(p, part or detect_part(question))
    if res.ambiguous and len(res.ambiguous) > 1:
        others = [h for h in res.ambiguous if h.code != top.code]
        ans.buttons = [
            Button(title=f"{h.title[:60]} ({h.code})", payload=h.code) for h in others
        ] + ans.buttons
        ans.text += "\nCùng tên ở cấp khác / thủ tục gần giống: " + ", ".join(
            f"{h.code}" + (f" ({', '.join(h.levels)})" if h.levels else "") for h in others
        )
    return ans
