"""Helpers shared by the importers: text cleaning, levels, times, fees, YAML output."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import yaml

from knowledge.schema import Fee, FeeKind, Level, ParseFlag, ProcessingTime, TimeUnit

NO_INFO = {"không có thông tin", "không", "không có", "không quy định", ""}

_WS = re.compile(r"[ \t\u00a0\u200b\u200e\u200f\ufeff]+")


def nfc(text: str | None) -> str:
    return unicodedata.normalize("NFC", text or "")


def clean(text: str | None) -> str:
    """NFC, invisible characters removed, runs of spaces collapsed, lines stripped."""
    t = nfc(text).replace("\r\n", "\n").replace("\r", "\n")
    t = t.replace("\u200e", "").replace("\u200b", "").replace("\ufeff", "")
    lines = [_WS.sub(" ", line).strip() for line in t.split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def value_or_empty(text: str | None) -> str:
    """Clean text; portal placeholders ("Không có thông tin") become ''."""
    t = clean(text)
    return "" if t.lower().rstrip(".") in NO_INFO else t


_LEVEL_WORDS = {
    "xã": Level.XA,
    "phường": Level.XA,
    "xã/phường": Level.XA,
    "đặc khu": Level.XA,
    "huyện": Level.HUYEN,
    "tỉnh": Level.TINH,
    "bộ": Level.BO,
    "trung ương": Level.BO,
    "cơ quan khác": Level.KHAC,
}


def parse_levels(text: str) -> tuple[list[Level], list[str]]:
    """'Cấp bộ, Cấp tỉnh' / 'Tỉnh, Bộ' / 'Cấp Xã/Phường' -> [BO, TINH]; returns (levels,
    unknown parts)."""
    levels: list[Level] = []
    unknown: list[str] = []
    for part in re.split(r"[,;]", clean(text)):
        p = re.sub(r"^cấp\s+", "", part.strip().lower())
        if not p:
            continue
        lv = _LEVEL_WORDS.get(p)
        if lv is None:
            unknown.append(part.strip())
        elif lv not in levels:
            levels.append(lv)
    return levels, unknown


# --- processing time -------------------------------------------------------------

UNIT_WORDS = {
    "ngày làm việc": TimeUnit.WORKING_DAY,
    "ngày": TimeUnit.DAY,
    "giờ làm việc": TimeUnit.WORKING_HOUR,
    "giờ": TimeUnit.HOUR,
    "tháng": TimeUnit.MONTH,
    "năm": TimeUnit.YEAR,
}
UNIT_RE = r"(ngày làm việc|ngày|giờ làm việc|giờ|tháng|năm)"
NUM_RE = r"(\d+(?:[.,]\d+)?)"


def to_number(s: str) -> float:
    v = float(s.replace(",", "."))
    return v


def parse_time_cell(text: str) -> tuple[ProcessingTime | None, str, bool]:
    """Parse the leading time of a flattened cell.

    Returns (time or None, rest of the text, has_unit). "Không có thông tin" -> (None, rest, False).
    """
    m = re.match(NUM_RE + r"\s*" + UNIT_RE + r"?", text, flags=re.IGNORECASE)
    if not m:
        return None, text, False
    value = to_number(m.group(1))
    unit_word = (m.group(2) or "").lower()
    if unit_word:
        return (
            ProcessingTime(value=value, unit=UNIT_WORDS[unit_word], text=m.group(0).strip()),
            text[m.end() :],
            True,
        )
    return ProcessingTime(value=value, unit=TimeUnit.UNKNOWN, text=m.group(1)), text[m.end() :], False


RECOVERED_UNIT_NOTE = "đơn vị theo nội dung trang"  # marks a unit taken from the page text, not the cell


def fmt_number(v: float) -> str:
    return str(int(v)) if v == int(v) else str(v)


_SAME_DAY = re.compile(
    r"(?:giải quyết|cấp|cung cấp|trả kết quả)[^.;]{0,40}?ngay trong ngày(?: làm việc| tiếp nhận(?: hồ sơ)?)?"
    # the condition goes with the evidence: the result is the same day unless received after 15 h
    r"|(?:(?:nếu )?(?:tiếp nhận|nhận) hồ sơ sau 15 giờ[^.;]{0,60}?)?trả kết quả[^.;]{0,60}?trong ngày làm việc tiếp theo",
    re.IGNORECASE,
)


def recover_unit(value: float, *texts: str) -> tuple[TimeUnit, str] | None:
    """Find the unit of a bare number in the page text.

    Only a statement of the time limit with the same number counts ("thời hạn … 05 ngày làm việc",
    "trong vòng 01 ngày", "chậm nhất 01 ngày làm việc", "04 tháng … kể từ khi nhận được hồ sơ"), and
    all such statements must agree on one unit; a bare 1 also takes "ngày làm việc" from a same-day
    promise. Returns (unit, evidence).
    """
    if value != int(value):
        return None
    n = int(value)
    num = rf"0*{n}(?!\d)"
    unit = r"(ngày làm việc|ngày|giờ làm việc|giờ|tháng)(?![a-zà-ỹ])"
    pat = re.compile(
        r"(?:thời hạn(?: giải quyết)?(?: là| tối đa| không quá)?|trong vòng|trong thời gian|không quá|tối đa"
        rf"|chậm nhất(?: là)?)\s*:?\s*{num}\s*(?:\([^)]{{1,15}}\)\s*)?{unit}"
        # "04 tháng đối với cấp Giấy chứng nhận loại, kể từ khi nhận được hồ sơ"
        rf"|(?<![\d.,/])(?<!ngày ){num}\s*{unit}[^.;]{{0,80}}?kể từ (?:ngày|khi|thời điểm) (?:nhận|tiếp nhận)",
        re.IGNORECASE,
    )
    found: dict[TimeUnit, str] = {}
    for text in texts:
        for m in pat.finditer(nfc(text)):
            word = m.group(1) or m.group(2)
            found.setdefault(UNIT_WORDS[word.lower()], m.group(0))
        if n == 1:
            # a bare "1" on a page that promises the result the same working day (hộ tịch: "sau 15 giờ
            # thì … trả kết quả … trong ngày làm việc tiếp theo")
            for m in _SAME_DAY.finditer(nfc(text)):
                found.setdefault(TimeUnit.WORKING_DAY, clean(m.group(0)))
    if len(found) == 1:
        unit, ev = next(iter(found.items()))
        return unit, ev
    return None


# --- fees ------------------------------------------------------------------------

_NO_FEE_DESC = re.compile(
    r"^\(*\s*(không|không có|không quy định|chưa quy định|không thu( phí| lệ phí)?|miễn phí|miễn|0 đồng|"
    r"không thu phí, lệ phí|không thu lệ phí|không có phí, lệ phí)\s*[.;]?\s*\)*$",
    re.IGNORECASE,
)
_AMOUNT_IN_TEXT = re.compile(r"\d{1,3}(?:[.,]\d{3})+|\d{4,}\s*(?:đồng|vnđ|/)", re.IGNORECASE)
_BY_REGULATION = re.compile(
    r"theo quy định|do hội đồng nhân dân|hđnd|mức thu|mức lệ phí|mức phí|quyết định", re.IGNORECASE
)


def fee_from_amount(amount: int, currency: str, desc: str, label: str = "") -> Fee:
    currency_l = currency.lower()
    if currency_l in {"vnđ", "việt nam đồng", "đồng", "vnd"}:
        if amount == 0:
            return free_fee(desc, label)
        return Fee(kind=FeeKind.AMOUNT, amount_vnd=amount, label=label, text=desc)
    text = f"{amount:,} {currency}".replace(",", ".") + (f" ({desc})" if desc else "")
    return Fee(kind=FeeKind.TEXT, label=label, text=text)


def free_fee(desc: str, label: str = "") -> Fee:
    """A fee cell that says free (0). If its description names amounts or 'theo quy định', the
    description is what a citizen must know, so it becomes a TEXT fee (never silently 'free')."""
    d = desc.strip()
    if not d or _NO_FEE_DESC.match(d):
        return Fee(kind=FeeKind.FREE, label=label, text=d or "Miễn phí")
    if _AMOUNT_IN_TEXT.search(d) or _BY_REGULATION.search(d):
        return Fee(kind=FeeKind.TEXT, label=label, text=d)
    return Fee(kind=FeeKind.FREE, label=label, text=d)


def take_parenthesised(text: str) -> tuple[str | None, str, bool]:
    """If text starts with '(', return (inside, rest, balanced)."""
    if not text.startswith("("):
        return None, text, True
    depth = 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return text[1:i], text[i + 1 :], True
    return text[1:], "", False


def flag(flags: list[ParseFlag], field: str, problem: str) -> None:
    if not any(f.field == field and f.problem == problem for f in flags):
        flags.append(ParseFlag(field=field, problem=problem))


def split_steps(text: str) -> list[str]:
    """Ordered steps: one entry per line; inline 'Bước N:' markers also start a new step."""
    t = clean(text)
    if not t or t.lower().rstrip(".") in NO_INFO:
        return []
    t = re.sub(r"\s+(?=Bước\s+\d+\s*[:.])", "\n", t)
    return [line.strip() for line in t.split("\n") if line.strip()]


# "(thực hiện tại cấp tỉnh)", "(cấp Bộ)", "(cấp TW)", "(cấp tinh)": the level a copy of a
# procedure is published for (the title without it names the procedure at every level)
LEVEL_QUALIFIER = re.compile(
    r"\s*\(\s*(?:thực hiện\s+)?(?:(?:tại|ở)\s+)?cấp\s+(?:xã|huyện|tỉnh|tinh|bộ|trung ương|tw)\s*\)",
    re.IGNORECASE,
)


def norm_title(title: str) -> str:
    t = nfc(title).lower()
    t = re.sub(r"^thủ tục\s+", "", t.strip())
    t = re.sub(r"[^\w\s]", " ", t)
    return re.sub(r"\s+", " ", t).strip()


def fold_text(text: str) -> str:
    """Lower case without diacritics ("Đăng ký" → "dang ky"), spaces collapsed."""
    t = unicodedata.normalize("NFD", nfc(text).lower().replace("đ", "d"))
    t = "".join(c for c in t if unicodedata.category(c) != "Mn")
    return re.sub(r"\s+", " ", t).strip()


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold_text(text)).strip("-")


# --- YAML ------------------------------------------------------------------------


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):
    pass


def _str_representer(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    if "\n" in data:
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", data)


_Dumper.add_representer(str, _str_representer)


def dump_yaml(data: dict | list) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=120)


def write_text(path: Path, text: str) -> bool:
    """Write if changed; returns True if the file changed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True
