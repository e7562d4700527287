"""When a procedure's result will be ready: the submission day a citizen names, plus the
record's processing time, on the Vietnamese working-day calendar (:mod:`indexer.working_days`).

Counting follows Bộ luật Dân sự 2015, Điều 147–148: the day of submission is not counted;
a period in months ends on the same day number of the last month (the month's last day when
it has no such day); a period whose last day is a weekend or a holiday ends on the next
working day. Processing times in working days skip weekends and holidays altogether.

The estimate is the day the result is due (end of that day), not a promise: the agency may
return the dossier for completion, and the government's yearly holiday schedule can differ
from the statutory rule used here.
"""

from __future__ import annotations

import calendar
import math
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from indexer.working_days import WORKING_DAY_RULE, Holiday, add_working_days, holidays, next_working_day
from knowledge.schema import ProcessingTime, TimeUnit

__all__ = [
    "ReturnEstimate",
    "estimate_return",
    "format_date_vi",
    "parse_submission_day",
]

WORKING_HOURS_PER_DAY = 8  # giờ hành chính
WEEKDAY_NAMES = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")


def today_vn() -> date:
    """Today in Việt Nam (UTC+7, no daylight saving), whatever the server's time zone."""
    return (datetime.now(timezone.utc) + timedelta(hours=7)).date()


def format_date_vi(d: date) -> str:
    """``thứ Sáu, 04/12/2026``."""
    return f"{WEEKDAY_NAMES[d.weekday()]}, {d.day:02d}/{d.month:02d}/{d.year:04d}"


# --- estimate -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReturnEstimate:
    submitted: date
    ready: date
    rule: str  # how ``ready`` was counted, in Vietnamese, for the answer
    holidays_skipped: list[Holiday] = field(default_factory=list)  # holidays in (submitted, ready]


def _number_vi(x: float) -> str:
    """7.0 -> "7", 0.5 -> "0,5" (Vietnamese decimal comma)."""
    return f"{x:g}".replace(".", ",") if x != int(x) else str(int(x))


def _ceil(x: float) -> int:
    # a value parsed as 2.0000000001 is 2, not 3
    return math.ceil(x - 1e-9)


def _add_months(d: date, months: int) -> tuple[date, bool]:
    """Same day number ``months`` later, clamped to the month's end; True when clamped."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(d.day, last)), d.day > last


def _in_window(start: date, end: date) -> list[Holiday]:
    return [h for y in range(start.year, end.year + 1) for h in holidays(y) if start < h.day <= end]


def _working_day_rule(value: float, unit: TimeUnit, days: int) -> str:
    """Rule text of a time counted in working days, with the conversion when there is one."""
    head = f"{_number_vi(value)} {unit.value}"
    if unit is TimeUnit.WORKING_DAY:
        if value == days:
            return f"{head}, {WORKING_DAY_RULE}"
        return f"{head}, làm tròn lên {days} ngày làm việc, {WORKING_DAY_RULE}"
    per_day = f"{WORKING_HOURS_PER_DAY} giờ làm việc" if unit is TimeUnit.WORKING_HOUR else "24 giờ"
    return (
        f"{head}, quy đổi thành {days} ngày làm việc ({per_day} tính một ngày, làm tròn lên), "
        f"{WORKING_DAY_RULE}"
    )


def estimate_return(start: date, time: ProcessingTime) -> ReturnEstimate | None:
    """The day the result is due for a dossier submitted on ``start``, or None when the
    processing time has no value or no known unit (the caller then says it cannot compute).

    - ngày làm việc: ``value`` working days after ``start`` (rounded up);
    - giờ làm việc / giờ: converted to working days at 8 / 24 hours a day, rounded up;
    - ngày: ``value`` calendar days after ``start``, moved to the next working day when the
      last day is not one;
    - tháng / năm: the same day number that many months later (month's end if shorter),
      moved to the next working day when needed.
    A value of 0 means the same day (the next working day if ``start`` is not one)."""
    value = time.value
    if value is None or not math.isfinite(value) or value < 0:
        return None
    unit = TimeUnit(time.unit)
    if unit is TimeUnit.UNKNOWN:
        return None

    head = f"{_number_vi(value)} {unit.value}"
    if unit is TimeUnit.WORKING_HOUR:
        n = _ceil(value / WORKING_HOURS_PER_DAY)  # working days
    elif unit is TimeUnit.HOUR:
        n = _ceil(value / 24)  # working days
    else:
        n = _ceil(value)  # in the unit itself

    if n == 0:
        ready = next_working_day(start)
        rule = f"{head}: trả kết quả ngay trong ngày nhận hồ sơ"
        if ready != start:
            rule += " (ngày nộp là ngày nghỉ nên tính vào ngày làm việc tiếp theo)"
        return ReturnEstimate(start, ready, rule, _in_window(start, ready))

    if unit in (TimeUnit.WORKING_DAY, TimeUnit.WORKING_HOUR, TimeUnit.HOUR):
        ready = add_working_days(start, n)
        return ReturnEstimate(start, ready, _working_day_rule(value, unit, n), _in_window(start, ready))

    # calendar periods (Bộ luật Dân sự 2015, Điều 148): days, months, years
    rounded = f" (làm tròn lên {n} {unit.value})" if n != value else ""
    if unit is TimeUnit.DAY:
        end = start + timedelta(days=n)
        rule = f"{head} theo lịch{rounded}, tính cả thứ Bảy, Chủ nhật và ngày nghỉ lễ, Tết"
    else:
        end, clamped = _add_months(start, n if unit is TimeUnit.MONTH else 12 * n)
        if unit is TimeUnit.MONTH:
            rule = f"{head}{rounded}, tính đến ngày tương ứng của tháng cuối cùng"
        else:
            rule = f"{head}{rounded}, tính đến ngày, tháng tương ứng của năm cuối cùng"
        if clamped:
            rule += f"; tháng {end.month}/{end.year} không có ngày {start.day} nên lấy ngày cuối tháng"
    ready = next_working_day(end)
    if ready != end:
        rule += (
            f"; ngày cuối của thời hạn ({format_date_vi(end)}) là ngày nghỉ"
            " nên trả kết quả vào ngày làm việc tiếp theo"
        )
    return ReturnEstimate(start, ready, rule, _in_window(start, ready))


# --- the submission day a citizen names ---------------------------------------------------

# Tone marks (the five Vietnamese tones) versus letter-shape marks (ă â ê ô ơ ư): a word
# compared by its shape plus its set of tones matches whichever vowel carries the tone
# ("hoà" / "hòa", "thuỷ" / "thủy").
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")


def _fold_char(c: str) -> str:
    if c == "đ":
        return "d"
    return "".join(ch for ch in unicodedata.normalize("NFD", c) if not unicodedata.combining(ch))


def _signature(word: str) -> tuple[str, tuple[str, ...]]:
    nfd = unicodedata.normalize("NFD", word)
    shape = unicodedata.normalize("NFC", "".join(ch for ch in nfd if ch not in _TONES))
    return shape, tuple(sorted(ch for ch in nfd if ch in _TONES))


# Accented spellings a folded word may stand for in a day phrase; a word written with other
# marks is another word ("mãi" is not "mai", "thứ tự" is not "thứ tư", "kìa" is not "kia").
_SPELLINGS: dict[str, frozenset[tuple[str, tuple[str, ...]]]] = {
    folded: frozenset(_signature(w) for w in words)
    for folded, words in {
        "hom": ("hôm",),
        "bua": ("bữa",),
        "nay": ("nay", "này"),
        "qua": ("qua",),
        "ngay": ("ngày",),
        "mai": ("mai",),
        "kia": ("kia",),
        "mot": ("mốt",),
        "thu": ("thứ",),
        "hai": ("hai",),
        "ba": ("ba",),
        "tu": ("tư",),
        "nam": ("năm",),
        "sau": ("sáu", "sau"),
        "bay": ("bảy", "bẩy"),
        "chu": ("chủ",),
        "nhat": ("nhật",),
        "tuan": ("tuần",),
        "toi": ("tới",),
        "thang": ("tháng",),
        "mung": ("mùng",),
        "mong": ("mồng",),
    }.items()
}
# Words that, unaccented in a text that otherwise has diacritics, are a different word:
# "thu" (thu phí) is not "thứ"; "mot" is "một" far more often than "mốt".
_MARKS_REQUIRED = frozenset({"thu", "mot"})

# Nouns after which "thứ hai/ba/5…" is an ordinal ("lần thứ hai", "con thứ ba", "ngày làm việc
# thứ 5"), not a weekday.
_ORDINAL_NOUNS = frozenset(
    {"lan", "dot", "buoc", "ban", "so", "con", "chau", "nguoi", "hang", "lop", "viec"}  # lần, bản, hồ sơ…
    | {"tuan", "thang", "nam", "quy"}  # tuần thứ hai, năm thứ ba
    | {"dieu", "khoan", "muc", "trang", "cau", "phan", "chuong"}  # điều, khoản, trang thứ 2
    | {"theo", "xep"}  # theo thứ tự, sắp xếp thứ tự
)
# Unit words after a number: "2-3 ngày", "1/2 ngày" are durations, not dates.
_UNIT_AFTER = re.compile(r"\s*(?:ngay|tuan|thang|gio|phut|nam(?!\s+(?:nay|sau|toi))|lan)\b")

_WEEKDAY = {"hai": 0, "ba": 1, "tu": 2, "nam": 3, "sau": 4, "bay": 5}
_QUALIFIER = r"(?:\s+(?P<this>(?:tuan\s+)?nay)|\s+tuan\s+(?P<next>sau|toi))?"
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("today", re.compile(r"\b(?:hom|bua)\s+nay\b")),
    ("yesterday", re.compile(r"\bhom\s+qua\b")),
    ("after_tomorrow", re.compile(r"\bngay\s+(?:kia|mot)\b")),
    ("tomorrow", re.compile(r"\b(?:ngay\s+)?mai\b")),
    (
        "weekday",
        re.compile(
            r"\b(?:thu\s*(?P<wd>hai|ba|tu|nam|sau|bay|[2-7])|t(?P<wdn>[2-7])|(?P<sun>chu\s+nhat|cn))"
            r"(?![\w]|[.,]\d)" + _QUALIFIER
        ),
    ),
    (
        "numeric",
        re.compile(
            r"(?<![\w/.,-])(?P<d>\d{1,2})[/-](?P<m>\d{1,2})(?:[/-](?P<y>\d{4}|\d{2}))?(?![\w/-]|[.,]\d)"
        ),
    ),
    (
        "words",
        re.compile(
            r"\b(?:ngay|mung|mong)\s+(?P<d>\d{1,2})\s+thang\s+(?P<m>\d{1,2})"
            r"(?:\s+nam\s+(?P<y>\d{4}))?(?![\w]|[.,]\d)"
        ),
    ),
    ("day_only", re.compile(r"\b(?:ngay|mung|mong)\s+(?P<d>\d{1,2})(?![\w/-]|[.,]\d)")),
]


class _Text:
    """Lower-cased NFC text, its folded form (no diacritics, đ -> d) and, for each folded
    character, the index of the original character it came from."""

    def __init__(self, text: str) -> None:
        self.orig = unicodedata.normalize("NFC", text).lower()
        chars: list[str] = []
        self.origin: list[int] = []
        for i, c in enumerate(self.orig):
            for f in _fold_char(c):
                chars.append(f)
                self.origin.append(i)
        self.folded = "".join(chars)
        self.marked = self.folded != self.orig

    def original(self, start: int, end: int) -> str:
        if start >= end:
            return ""
        return self.orig[self.origin[start] : self.origin[end - 1] + 1]

    def spelled(self, start: int, end: int) -> bool:
        """Every word of folded span [start, end) is written as a day word, or unaccented."""
        for word in re.finditer(r"[^\W\d_]+", self.folded[start:end]):
            folded = word.group()
            written = self.original(start + word.start(), start + word.end())
            if written == folded:  # typed without diacritics
                if folded in _MARKS_REQUIRED and (self.marked or folded == "mot"):
                    return False
                continue
            allowed = _SPELLINGS.get(folded)
            if allowed is not None and _signature(written) not in allowed:
                return False
        return True

    def word_before(self, pos: int) -> str:
        m = re.search(r"(\w+)\W*$", self.folded[:pos])
        return m.group(1) if m else ""


def _on_or_after(today: date, month: int, day: int, year: int | None) -> date | None:
    """The date ``day``/``month``[/``year``]; without a year, its next occurrence on or after
    ``today``. None when no such date exists."""
    if year is not None:
        try:
            return date(year, month, day)
        except ValueError:
            return None
    for y in range(today.year, today.year + 9):  # 29/02 recurs within 8 years
        try:
            d = date(y, month, day)
        except ValueError:
            continue
        if d >= today:
            return d
    return None


def _day_of_month(today: date, day: int) -> date | None:
    """Next day numbered ``day`` on or after ``today``."""
    y, m = today.year, today.month
    for _ in range(13):
        if day <= calendar.monthrange(y, m)[1] and date(y, m, day) >= today:
            return date(y, m, day)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return None


def _weekday_date(today: date, weekday: int, this_week: bool, next_week: bool) -> date:
    monday = today - timedelta(days=today.weekday())
    if next_week:
        return monday + timedelta(days=7 + weekday)
    if this_week and monday + timedelta(days=weekday) >= today:
        return monday + timedelta(days=weekday)
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def _resolve(kind: str, m: re.Match[str], text: _Text, today: date) -> date | None:
    if not text.spelled(m.start(), m.end()):
        return None
    if kind == "today":
        return today
    if kind == "yesterday":
        return today - timedelta(days=1)
    if kind == "after_tomorrow":
        return today + timedelta(days=2)
    if kind == "tomorrow":
        return today + timedelta(days=1)
    if kind == "weekday":
        if m.group("wd") is not None:
            if text.word_before(m.start()) in _ORDINAL_NOUNS:
                return None
            wd = m.group("wd")
            unaccented_sau = text.original(m.start("wd"), m.end("wd")) == "sau"
            if unaccented_sau and re.match(r"\s+(?:khi|do)\b", text.folded[m.end("wd") :]):
                return None  # "thu sau khi/do…": collected after, not Friday
            weekday = int(wd) - 2 if wd.isdigit() else _WEEKDAY[wd]
        elif m.group("wdn") is not None:
            weekday = int(m.group("wdn")) - 2
        else:
            weekday = 6
        return _weekday_date(today, weekday, m.group("this") is not None, m.group("next") is not None)
    if _UNIT_AFTER.match(text.folded, m.end()):
        return None  # a duration ("2-3 ngày", "ngày 5 ngày"), not a date
    day = int(m.group("d"))
    if kind == "day_only":
        return _day_of_month(today, day) if 1 <= day <= 31 else None
    month = int(m.group("m"))
    year_text = m.group("y")
    year = None if year_text is None else int(year_text) + (2000 if len(year_text) == 2 else 0)
    return _on_or_after(today, month, day, year)


def parse_submission_day(text: str, today: date) -> date | None:
    """The submission day named in a citizen's question, or None when no day is named.

    Understands, with or without diacritics: "hôm nay", "hôm qua", "ngày mai"/"mai",
    "ngày kia"/"ngày mốt", weekdays ("thứ Hai".."thứ Bảy", "thứ 2".."thứ 7", "t2".."t7",
    "Chủ nhật"/"CN" — the next such day on or after ``today``; "... này" this week's unless
    past, "... tuần sau/tuần tới" next week's), and dates ("20/12", "20-12", "20/12/2026",
    "ngày 20 tháng 12", "ngày 20"; without a year, the next occurrence on or after ``today``).
    When several days are named, the first one in the text wins."""
    t = _Text(text)
    found: list[tuple[int, date]] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(t.folded):
            d = _resolve(kind, m, t, today)
            if d is not None:
                found.append((m.start(), d))
                break
    return min(found, key=lambda x: x[0])[1] if found else None
