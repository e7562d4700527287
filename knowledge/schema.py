"""Typed schema of the knowledge base: administrative procedures and public notices.

Rules every record follows:
- Nothing is invented. A value the importer could not parse with confidence is
  kept as original text (``raw``) and listed in ``flags``.
- Units lost by the crawl stay unknown (``TimeUnit.UNKNOWN``); answers say so.
- Every record names its origin (``source_dataset`` + ``source_url`` / ``source_file``).
"""

from __future__ import annotations

import datetime as dt
import re
from enum import Enum

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Level(str, Enum):
    """Administrative level that carries out a procedure (after the 2025 two-level reform)."""

    XA = "xa"  # Cấp xã / phường / đặc khu
    HUYEN = "huyen"  # Cấp huyện (abolished 07/2025, kept for older records)
    TINH = "tinh"  # Cấp tỉnh
    BO = "bo"  # Cấp bộ / trung ương
    KHAC = "khac"  # another unit (e.g. "Cơ quan khác", đơn vị quân đội)

    @property
    def label(self) -> str:
        return _LEVEL_LABELS[self]


_LEVEL_LABELS = {
    Level.XA: "Cấp xã",
    Level.HUYEN: "Cấp huyện",
    Level.TINH: "Cấp tỉnh",
    Level.BO: "Cấp Bộ",
    Level.KHAC: "Cơ quan khác",
}
# what a procedure code ("1.001193") or a notice id may look like where a request names one
RECORD_ID = re.compile(r"^[0-9A-Za-z.\-_]{1,32}$")
# the order levels are offered in when a question names none: the citizen's commune first, the
# abolished district level after the province (search results, the staff search, choices)
LEVEL_ORDER: dict[str, int] = {
    lv.value: rank for rank, lv in enumerate((Level.XA, Level.TINH, Level.HUYEN, Level.BO, Level.KHAC))
}


class ChannelKind(str, Enum):
    TRUC_TIEP = "truc_tiep"  # nộp trực tiếp
    TRUC_TUYEN = "truc_tuyen"  # nộp trực tuyến
    BUU_CHINH = "buu_chinh"  # qua dịch vụ bưu chính

    @property
    def label(self) -> str:
        return {"truc_tiep": "Trực tiếp", "truc_tuyen": "Trực tuyến", "buu_chinh": "Dịch vụ bưu chính"}[
            self.value
        ]


class TimeUnit(str, Enum):
    WORKING_DAY = "ngày làm việc"
    DAY = "ngày"
    HOUR = "giờ"
    WORKING_HOUR = "giờ làm việc"
    MONTH = "tháng"
    YEAR = "năm"
    UNKNOWN = "không rõ đơn vị"


class ProcessingTime(_Model):
    """Thời hạn giải quyết. ``value`` None with ``text`` means only prose was available."""

    value: float | None = None
    unit: TimeUnit = TimeUnit.UNKNOWN
    text: str = Field("", description="Original wording, e.g. '05 ngày làm việc kể từ ngày nhận đủ hồ sơ'")


class FeeKind(str, Enum):
    FREE = "free"  # Miễn phí / 0 đồng
    AMOUNT = "amount"  # a number of VND
    TEXT = "text"  # "theo quy định", a range, or prose that is not one amount


class Fee(_Model):
    kind: FeeKind
    amount_vnd: int | None = None
    label: str = Field("", description="Phí / Lệ phí / the fee's own description")
    text: str = Field("", description="Original wording")


class Channel(_Model):
    """One submission channel (hình thức nộp) with its own time and fee."""

    kind: ChannelKind
    time: ProcessingTime | None = None
    fees: list[Fee] = Field(default_factory=list)
    description: str = ""


class DocumentRole(str, Enum):
    """What a dossier row asks of the citizen, derived by the importer from the record's own
    structure (case headers, counts, forms, leading words; ``knowledge/importer/document_roles.py``)."""

    SUBMIT = "submit"  # nộp, in the ordinary case
    SHOW = "show"  # xuất trình: shown at the desk, not kept
    CONDITIONAL = "conditional"  # only in a stated case ("Trường hợp…", "Đối với…", a case header)
    NOTE = "note"  # no document: a rule, an exemption, a heading ("Lưu ý")

    @property
    def label(self) -> str:
        return _ROLE_LABELS[self]


_ROLE_LABELS = {
    DocumentRole.SUBMIT: "Giấy tờ phải nộp",
    DocumentRole.SHOW: "Giấy tờ xuất trình (không phải nộp)",
    DocumentRole.CONDITIONAL: "Trường hợp riêng",
    DocumentRole.NOTE: "Lưu ý",
}


class Document(_Model):
    """One item of the dossier (thành phần hồ sơ)."""

    name: str
    form: str | None = Field(None, description="Mẫu đơn, tờ khai (form name or file) if any")
    originals: int | None = Field(None, description="Số bản chính")
    copies: int | None = Field(None, description="Số bản sao")
    case: str | None = Field(None, description="Conditional case heading the item belongs to, kept verbatim")
    role: DocumentRole = Field(DocumentRole.SUBMIT, description="nộp / xuất trình / conditional / note")


class LegalBasis(_Model):
    number: str | None = Field(None, description="Số ký hiệu, e.g. 123/2015/NĐ-CP")
    title: str = ""


class ParseFlag(_Model):
    """A value the importer could not parse with confidence."""

    field: str
    problem: str


class Procedure(_Model):
    code: str = Field(..., description="Mã thủ tục, e.g. 1.001193")
    title: str
    field: str = Field("", description="Lĩnh vực")
    levels: list[Level] = Field(default_factory=list)
    procedure_type: str = ""
    decision: str = Field("", description="Quyết định công bố")
    agency: str = Field("", description="Cơ quan thực hiện")
    competent_authority: str = ""
    coordinating_agency: str = ""
    address: str = Field("", description="Địa chỉ tiếp nhận hồ sơ")
    applicants: list[str] = Field(default_factory=list, description="Đối tượng thực hiện")
    channels: list[Channel] = Field(default_factory=list)
    steps: list[str] = Field(default_factory=list)
    documents: list[Document] = Field(default_factory=list)
    conditions: str = ""
    result: str = ""
    legal_bases: list[LegalBasis] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list, description="Everyday names citizens use (aliases)")
    same_as: list[str] = Field(
        default_factory=list,
        description="Codes of the same procedure at other levels (same title), for level choice",
    )
    source_url: str = ""
    source_dataset: str
    source_date: dt.date | None = Field(None, description="Date of the source: the export or crawl date")
    imported_at: dt.date
    raw: dict[str, str] = Field(default_factory=dict, description="Original text of flagged fields")
    flags: list[ParseFlag] = Field(default_factory=list)


class AliasSource(str, Enum):
    """Where an everyday name comes from (reviewed in ``knowledge/aliases/``)."""

    RECORD = "record"  # the words occur in the procedure's own record
    COMMON = "common"  # everyday usage (written and reviewed by the project)
    LEXICON = "lexicon"  # a synonym of knowledge/lexicon


class AliasName(_Model):
    text: str = Field(..., min_length=2, max_length=120)
    source: AliasSource


class AliasEntry(_Model):
    """Everyday names and question forms of one procedure (all its level variants)."""

    codes: list[str] = Field(..., min_length=1, description="The procedure and its same_as codes")
    title: str = Field(..., description="The record's title, copied for the reviewer")
    names: list[AliasName] = Field(default_factory=list)
    questions: list[str] = Field(default_factory=list)

    def texts(self) -> list[str]:
        return [n.text for n in self.names] + list(self.questions)


class OutsideArea(_Model):
    """An area of procedures the knowledge base does not hold, and where to ask instead."""

    area: str
    ask: str = Field(..., description="The bodies that handle it")
    topics: list[str] = Field(..., min_length=1, description="What citizens ask about, in their words")


class Coverage(_Model):
    """``knowledge/coverage.yaml``: what the assistant knows it does not hold."""

    outside: list[OutsideArea] = Field(default_factory=list)


class EventStep(_Model):
    """One procedure a citizen typically does after a life event."""

    code: str = Field(..., description="Mã thủ tục of a record in the knowledge base")
    why: str = Field(..., min_length=3, description="One line, in citizen words: what it is for, when")
    mandatory: bool = Field(False, description="True only when the law obliges the citizen")
    deadline: str | None = Field(
        None, description="The legal deadline, short ('trong 60 ngày kể từ ngày sinh')"
    )
    deadline_quote: str | None = Field(None, description="The record's own words stating the deadline")

    @model_validator(mode="after")
    def _deadline_cited(self) -> EventStep:
        if self.deadline and not self.deadline_quote:
            raise ValueError("a deadline needs deadline_quote: the record's words that state it")
        return self


class EventGap(_Model):
    """A step of a life event that the knowledge base does not hold, and where to ask."""

    what: str
    ask: str


class LifeEvent(_Model):
    """``knowledge/life_events.yaml``: a life event and the procedures it usually takes."""

    id: str = Field(..., pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    title: str
    phrases: list[str] = Field(
        ..., min_length=1, description="Everyday words naming the event (see the file)"
    )
    unless: list[str] = Field(
        default_factory=list,
        description="Phrases (same syntax) that, in the same message, show the words mean something "
        "else: a neighbour's wedding party is no marriage of one's own",
    )
    steps: list[EventStep] = Field(default_factory=list)
    combined: list[str] = Field(
        default_factory=list, description="Liên thông procedures covering several steps"
    )
    gaps: list[EventGap] = Field(default_factory=list)
    note: str = ""


class StaleRule(_Model):
    """``knowledge/freshness.yaml``: a name of a body or level that no longer exists."""

    id: str = Field(..., pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    label: str = Field(..., description="The old name, as said to the citizen")
    patterns: list[str] = Field(..., min_length=1, description="Regular expressions on the lower-case text")
    since: dt.date = Field(..., description="Since when the body or level no longer exists")
    legal_basis: str = Field(..., min_length=10, description="Why: the law or decision")
    advice: str = Field(..., description="What holds now, in a few words")

    @model_validator(mode="after")
    def _patterns_compile(self) -> StaleRule:
        for pattern in self.patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"pattern {pattern!r}: {exc}") from exc
        return self


class KnownProcedure(_Model):
    """``knowledge/known_procedures.yaml``: a procedure a list export names but whose details the
    knowledge base does not hold; the assistant can say it exists, who handles it and where to read it."""

    code: str = Field(..., pattern=r"^\d\.\d{6}$")
    title: str = Field(..., min_length=3)
    agency: str = Field("", description="Cơ quan thực hiện, when the list gives it")
    issuing_body: str = Field("", description="Cơ quan ban hành (ministry or province), when given")
    field: str = Field("", description="Lĩnh vực, when given")
    source_url: str = Field(..., description="The procedure's official page on the national portal")
    source_dataset: str
    source_date: dt.date | None = None


class NoticeSection(_Model):
    heading: str = ""
    paragraphs: list[str] = Field(default_factory=list)


class Notice(_Model):
    id: str = Field(..., description="Stem of the source file, e.g. 002_3b5b778ef1901bc5")
    source_file: str = Field(..., description="Original file name, e.g. 002_3b5b778ef1901bc5.txt")
    number: str = Field("", description="Số hiệu")
    date: dt.date | None = None
    issuer: str = ""
    province: str = ""
    title: str = ""
    type: str = Field("", description="Loại văn bản: Thông báo, Báo cáo, Kế hoạch…")
    sections: list[NoticeSection] = Field(default_factory=list)
