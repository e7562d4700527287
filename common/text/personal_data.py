"""Masking of personal identifiers in citizens' messages before they are stored.

Data minimisation (Decree 13/2023/NĐ-CP on personal data protection): the assistant answers
questions about procedures and never needs a citizen's own numbers, so every message is
masked before it reaches the conversation database, the logs or the staff dashboard.
:func:`mask_personal_data` replaces each identifier with a Vietnamese placeholder in square
brackets (:data:`PLACEHOLDERS`):

- ``[số định danh]``: citizen ID (CCCD, 12 digits: ``001203004567``, ``001 203 004 567``,
  ``001.203.004.567``), old ID card (CMND, 9 digits), the personal identification number, a
  health-insurance card number (2 letters + 13 digits) and any other run of 9 or more digits;
- ``[mã số thuế]``: a tax code after "mst"/"mã số thuế", and the branch form ``0101234567-001``;
- ``[số hộ chiếu]``: passport numbers, one capital letter + 7 digits (``C1234567``; lower case
  too after "hộ chiếu"/"passport"/"hc");
- ``[số điện thoại]``: mobiles (``0912 345 678``, ``+84 912 345 678``, ``84912345678``) and
  landlines (``024 3826 1234``, ``(028) 3829 5555``);
- ``[email]``: e-mail addresses;
- ``[số tài khoản]``: 6–19 digits after "stk"/"số tài khoản"/"tk"/"account"…, and 13–19 digit
  card numbers anywhere.

Kept as they are, because the bot needs them or they identify nobody: procedure codes
(``1.000178``), dates, money amounts (``1.500.000.000 đồng``), durations, years, legal document
and form numbers, house numbers, vehicle plates, and the 1800/1900 hotlines. Only the
identifiers change; every other character (diacritics, spacing) stays exactly as typed, and
masking a masked text changes nothing (placeholders hold no digit).

Standard library only: imported by the API (Python 3.11) and the Rasa environment (3.10).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from types import MappingProxyType
from typing import Final

__all__ = ["PLACEHOLDERS", "contains_personal_data", "mask_personal_data"]

PLACEHOLDERS: Final = MappingProxyType(
    {
        "id": "[số định danh]",
        "tax_code": "[mã số thuế]",
        "passport": "[số hộ chiếu]",
        "phone": "[số điện thoại]",
        "email": "[email]",
        "bank_account": "[số tài khoản]",
    }
)
_ID = PLACEHOLDERS["id"]
_TAX = PLACEHOLDERS["tax_code"]
_PASSPORT = PLACEHOLDERS["passport"]
_PHONE = PLACEHOLDERS["phone"]
_EMAIL = PLACEHOLDERS["email"]
_BANK = PLACEHOLDERS["bank_account"]

# --- keywords that announce an identifier (with and without diacritics) --------------------

_ID_WORDS = (
    "cccd",
    "cmnd",
    "cmt",
    "căn cước công dân",
    "căn cước",
    "can cuoc cong dan",
    "can cuoc",
    "chứng minh nhân dân",
    "chứng minh thư",
    "chứng minh",
    "chung minh nhan dan",
    "chung minh thu",
    "chung minh",
    "định danh cá nhân",
    "định danh",
    "dinh danh ca nhan",
    "dinh danh",
)
_TAX_WORDS = ("mst", "mã số thuế", "ma so thue", "mã thuế", "ma thue", "masothue", "tax code")
_PASSPORT_WORDS = ("hộ chiếu", "ho chieu", "passport", "hc")
_BANK_WORDS = (
    "số tài khoản",
    "so tai khoan",
    "tài khoản",
    "tai khoan",
    "số tk",
    "so tk",
    "stk",
    "tk",
    "account",
    "acc",
)
_PHONE_WORDS = ("sđt", "sdt", "đt", "dt", "điện thoại", "dien thoai", "phone", "zalo", "hotline", "tel")


def _alternation(words: Iterable[str]) -> str:
    """Longest first, so "căn cước công dân" wins over "căn cước"; any spacing between words."""
    return "|".join(r"\s+".join(map(re.escape, w.split())) for w in sorted(words, key=len, reverse=True))


# A keyword is a whole word (not the "tk" of "TK1-TS"); a number may be glued to it ("stk0011…").
_KW_START = r"(?<![^\W_])"
_KW_END = r"(?![^\W\d_])"
# Another identifier's keyword ends the gap: in "tài khoản zalo 0912…" the number is a phone.
_STOP = _alternation(_ID_WORDS + _TAX_WORDS + _PASSPORT_WORDS + _BANK_WORDS + _PHONE_WORDS)
_GAP_SEP = r"[\s:,.()\-–]"
# Up to four words between the keyword and the number: "stk vietcombank của tôi là 0011…".
_GAP = rf"(?:{_GAP_SEP}+(?!(?:{_STOP}){_KW_END})[^\W\d_]+){{0,4}}{_GAP_SEP}*"
_NOT_AFTER_LETTER = r"(?<![^\W\d_])"


def _context(words: Iterable[str], number: str) -> re.Pattern[str]:
    return re.compile(
        rf"(?P<lead>{_KW_START}(?:{_alternation(words)}){_KW_END}{_GAP}){_NOT_AFTER_LETTER}(?P<num>{number})",
        re.IGNORECASE,
    )


# Numbers after a keyword: the callback checks the digit count (separators excluded).
_ID_CONTEXT = _context(_ID_WORDS, r"\d{2,}(?:[ .\-]\d{2,})*(?![\w/])")
# Since 2025 an individual's tax code is the 12-digit personal identification number.
_TAX_CONTEXT = _context(_TAX_WORDS, r"(?:\d{12}|\d{10}(?:-?\d{3})?)(?![\w/]|[.\-]\d)")
_PASSPORT_CONTEXT = _context(_PASSPORT_WORDS, r"[A-Za-z]\d{7}(?!\w)")
# No dots in account numbers: "tài khoản có 1.500.000" is money.
_BANK_CONTEXT = _context(_BANK_WORDS, r"\d{2,}(?:[ \-]\d{3,})*(?![\w/]|[.,]\d)")

# --- identifiers recognised by their shape alone ---------------------------------------------

_EMAIL_RE = re.compile(r"(?<![\w.+\-])[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
# Health-insurance card: object code (2 letters) + 13 digits ending with the social-insurance number.
_HEALTH_CARD = re.compile(r"(?<!\w)[A-Za-z]{2}\d{13}(?!\w)")
_TAX_BRANCH = re.compile(r"(?<![\w.\-])\d{10}-\d{3}(?!\w|-\d)")
# Between two digits of a phone number: ")", a space, a dot or a dash ("(028) 3829", "0912 - 345").
_PHONE_SEP = r"(?:\)? ?[.\-]? ?)"
_PHONE_RE = re.compile(
    r"(?:(?:\(\+?84\)|(?<![\d+])\+84|(?<![\w+])84)[ .\-]?(?:\(0\)[ .\-]?|0)?|(?<![\d+])\(?0)"
    # The first digits stay together ("0912", "028"), so "09-12-2026 …" is never a phone.
    rf"(?:[35789]\d(?:{_PHONE_SEP}\d){{7}}|2\d(?:{_PHONE_SEP}\d){{8}})"
    r"(?!\d)"
)
_PASSPORT_RE = re.compile(r"(?<!\w)[A-Z]\d{7}(?!\w)")
# One separator all along ("001 203 004 567", "4111-1111-1111-1111") or no separator at all.
# Not inside a word: "rebuilt0000000001", "b433535369ce91fa" are names, not numbers someone typed.
_LONG_NUMBER = re.compile(
    r"(?<!\w)\d{1,4}(?P<sep>[ .\-])\d{3,4}(?:(?P=sep)\d{3,4})+(?!\w)"
    r"|(?<!\w)\d{9,}(?!\w)"
)
_CURRENCY_AFTER = re.compile(
    r"\s*(?:(?:đồng|dong)(?!\s*[ýy]\b)|vnđ|vnd|đ|₫|usd|\$|triệu|trieu|tỷ|tỉ|ty|nghìn|ngàn|nghin|ngan)"
    r"(?![^\W\d_])",
    re.IGNORECASE,
)
_HOTLINE_PREFIXES = ("1800", "1900")


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _money_follows(match: re.Match[str]) -> bool:
    return _CURRENCY_AFTER.match(match.string, match.end()) is not None


def _context_replacer(
    placeholder: str, accepts: Callable[[re.Match[str]], bool]
) -> Callable[[re.Match[str]], str]:
    def replace(match: re.Match[str]) -> str:
        return match["lead"] + placeholder if accepts(match) else match[0]

    return replace


def _is_id_number(match: re.Match[str]) -> bool:
    return len(_digits(match["num"])) in (9, 12)


def _is_account_number(match: re.Match[str]) -> bool:
    return 6 <= len(_digits(match["num"])) <= 19 and not _money_follows(match)


def _long_number(match: re.Match[str]) -> str:
    """A run of 9+ digits, or digit groups with one separator: an identifier unless it is money,
    a hotline or a list of years."""
    text = match[0]
    groups = re.split(r"[ .\-]", text)
    digits = "".join(groups)
    if len(digits) < 9:
        return text
    if digits.startswith(_HOTLINE_PREFIXES) and len(digits) in (8, 10):
        return text
    # Money never starts with 0, identifiers nearly always do (CCCD province code, phones).
    if digits[0] != "0":
        dotted_amount = match["sep"] == "." and len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])
        if dotted_amount or _money_follows(match):
            return text
    if len(groups) > 1 and all(len(g) == 4 and "1900" <= g <= "2099" for g in groups):
        return text  # "2023 2024 2025"
    return _BANK if 13 <= len(digits) <= 19 else _ID


_PASSES: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = (
    (_EMAIL_RE, _EMAIL),
    (_HEALTH_CARD, _ID),
    # Keywords first: they say what a number is ("mst 0312345678" is not a phone).
    (_TAX_CONTEXT, _context_replacer(_TAX, lambda m: True)),
    (_PASSPORT_CONTEXT, _context_replacer(_PASSPORT, lambda m: True)),
    (_ID_CONTEXT, _context_replacer(_ID, _is_id_number)),
    (_BANK_CONTEXT, _context_replacer(_BANK, _is_account_number)),
    (_TAX_BRANCH, _TAX),
    (_PHONE_RE, _PHONE),
    (_PASSPORT_RE, _PASSPORT),
    (_LONG_NUMBER, _long_number),
)


def mask_personal_data(text: str) -> str:
    """``text`` with every personal identifier replaced by its placeholder (:data:`PLACEHOLDERS`)."""
    if not text or ("@" not in text and not any(ch.isdigit() for ch in text)):
        return text
    for pattern, replacement in _PASSES:
        text = pattern.sub(replacement, text)
    return text


def contains_personal_data(text: str) -> bool:
    """Whether :func:`mask_personal_data` would change ``text``."""
    return mask_personal_data(text) != text
