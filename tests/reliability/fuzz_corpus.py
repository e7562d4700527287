"""A deterministic fuzz set of citizen messages and of malformed request bodies.

:func:`messages` returns ≥ 1,000 strings: empty and whitespace-only, 20,000 characters,
control characters, lone surrogates (what invalid UTF-8 becomes in JSON), emoji and
combining marks, HTML/script, SQL- and template-injection-looking text, Rasa payload
syntax, mixed scripts, very long words, plus real questions mangled at random.
:func:`raw_bodies` returns request bodies that are not valid requests at all: invalid
UTF-8 bytes, broken or wrong-typed JSON, huge nesting.
"""

from __future__ import annotations

import json
import random

SEEDS = [
    "",
    " ",
    "   \t  \n ",
    "\u00a0\u2003\u3000",
    "\u200b\u200c\u200d\ufeff",
    "a" * 20_000,
    "đăng ký khai sinh " * 1200,
    "x" * 2001,
    "\x00",
    "xin\x00chào",
    "\x1b[31mred\x1b[0m",
    "\x07\x08\x0b\x0c\x7f\x85",
    "\ud800",
    "abc\udfffdef",
    "😀" * 50,
    "👨‍👩‍👧‍👦 đăng ký khai sinh cho con 🍼",
    "🇻🇳🇻🇳🇻🇳",
    "ệ́̃̀ ḁ̸̛̖̗̘̙̜̝̞̟̠̤̥̦̩̪̫̬̭̮̯̰̱̲̳̹̺̻̼ͅ͏͓͔͕͖͙͚",
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(document.cookie)">',
    "</textarea><svg/onload=alert(1)>",
    "javascript:alert(1)",
    "'; DROP TABLE events; --",
    "1' OR '1'='1",
    '" OR 1=1 --',
    "Robert'); DROP TABLE students;--",
    "{{7*7}} ${7*7} <%= 7*7 %> #{7*7}",
    "%s%s%s%s%n",
    "../../../../etc/passwd",
    "/restart",
    "/session_start",
    '/greet{"x": ',
    '/ask_detail{"procedure_code": "\'; drop table"}',
    '/ask_detail{"procedure_code": "' + "9" * 500 + '"}',
    "/choose_option",
    "/nonexistent_intent",
    "/",
    "//",
    "Đăng ký 出生登记 регистрация рождения تسجيل المواليد",
    "đăng ký khai sinh ｄａｎｇ ｋｙ",
    "ĐĂNG KÝ KHAI SINH CẦN GIẤY TỜ GÌ???!!!",
    "dang ky khai sinh can giay to gi",
    "d a n g k y k h a i s i n h",
    "số CCCD 001099012345 sđt 0912345678 muốn làm lại căn cước",
    "1",
    "99999999999999999999",
    "-1",
    "NaN",
    "null",
    "true",
    "[]",
    "{}",
    '{"sender": "x"}',
    "\\",
    "\\u0000",
    "\r\n\r\n",
    "﷽",
    "𝕕𝕒𝕟𝕘 𝕜𝕪",
    "a" + "\u0301" * 500,
    "ng" * 5000,
]

QUESTIONS = [
    "đăng ký khai sinh cần giấy tờ gì?",
    "làm lại căn cước bị mất ở đâu",
    "lệ phí đăng ký kết hôn",
    "thế còn lệ phí?",
    "dang ky tam tru",
    "gặp cán bộ",
    "cảm ơn",
    "2",
]
INSERTS = [
    "\x00",
    "\ud83d",
    "😀",
    "<b>",
    "'",
    '"',
    "\\",
    "\u202e",
    "\x1b",
    "\t",
    "\n",
    "%",
    "{",
    "}",
    "\u0300",
]


def messages(n: int = 1000, seed: int = 8) -> list[str]:
    rng = random.Random(seed)
    out = list(SEEDS)
    while len(out) < n:
        base = list(rng.choice(QUESTIONS + SEEDS[14:40]))
        for _ in range(rng.randint(1, 6)):
            pos = rng.randint(0, len(base))
            base[pos:pos] = list(rng.choice(INSERTS))
        if rng.random() < 0.1:
            base = base * rng.randint(2, 50)
        if rng.random() < 0.1:
            base = [chr(rng.randint(0x20, 0x2FFFF)) for _ in range(rng.randint(1, 40))]
        out.append("".join(base))
    return out


def raw_bodies() -> list[bytes]:
    return [
        b"",
        b"not json",
        b"\xff\xfe\xfd",
        b'{"sender": "fuzz-raw-1", "message": "\xff\xfe ch\xe0o"}',
        b'{"sender": "fuzz-raw-1", "message": "\xc3\x28"}',
        b'{"sender": "fuzz-raw-1", "message": "\xed\xa0\x80"}',
        b'{"sender": "fuzz-raw-1", "message": "\\ud800"}',
        b'{"sender": "fuzz-raw-1", "message": ',
        b'{"sender": "fuzz-raw-1", "message": null}',
        b'{"sender": "fuzz-raw-1", "message": 42}',
        b'{"sender": "fuzz-raw-1", "message": ["a"]}',
        b'{"sender": "fuzz-raw-1", "message": {"text": "a"}}',
        b'{"sender": null, "message": "a"}',
        b'{"sender": 12345678, "message": "a"}',
        b'{"sender": "fuzz-raw-1"}',
        b'{"message": "a"}',
        b"[]",
        b'"string"',
        b"null",
        b"1e999999",
        b'{"sender": "fuzz-raw-1", "message": "a", "message": "b"}',
        b"[" * 5000 + b"]" * 5000,
        b'{"a":' * 3000 + b"1" + b"}" * 3000,
        json.dumps({"sender": "fuzz-raw-1", "message": "a", "extra": "x" * 10_000}).encode(),
        b'\xef\xbb\xbf{"sender": "fuzz-raw-1", "message": "bom"}',
    ]
