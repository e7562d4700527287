"""Importer for the public notices in ``shared/seeds`` (OCR / web text of official documents).

Cleaning is conservative: markup the OCR added (``~~strike~~``, ``*emphasis*``, ``## ``) is removed
but the words are kept; web-page chrome lines ("Đọc báo in", "Các tin cũ hơn"…) are dropped; a word is
repaired only when the fix is certain (``TTHTC`` -> ``TTHC``, the abbreviation of thủ tục hành chính).
Numbers and dates are never touched.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from knowledge.importer import common as c
from knowledge.schema import Notice, NoticeSection

# Words broken by OCR, fixed only where the correction is unambiguous.
WORD_FIXES = {r"\bTTHTC\b": "TTHC"}

# Lines that belong to the web page around an article, not to the document.
CHROME_LINES = {
    "đọc báo in",
    "tải ứng dụng",
    "theo dõi báo tây ninh trên",
    "google news",
    "tin cùng chuyên mục",
    "các tin mới hơn",
    "các tin cũ hơn",
}
_CHROME_RE = re.compile(r"^tư tưởng hồ chí minh \d+ tháng \d+$", re.IGNORECASE)

PROVINCES = [
    "An Giang",
    "Bà Rịa - Vũng Tàu",
    "Bắc Giang",
    "Bắc Kạn",
    "Bạc Liêu",
    "Bắc Ninh",
    "Bến Tre",
    "Bình Định",
    "Bình Dương",
    "Bình Phước",
    "Bình Thuận",
    "Cà Mau",
    "Cần Thơ",
    "Cao Bằng",
    "Đà Nẵng",
    "Đắk Lắk",
    "Đắk Nông",
    "Điện Biên",
    "Đồng Nai",
    "Đồng Tháp",
    "Gia Lai",
    "Hà Giang",
    "Hà Nam",
    "Hà Nội",
    "Hà Tĩnh",
    "Hải Dương",
    "Hải Phòng",
    "Hậu Giang",
    "Hòa Bình",
    "Hưng Yên",
    "Khánh Hòa",
    "Kiên Giang",
    "Kon Tum",
    "Lai Châu",
    "Lâm Đồng",
    "Lạng Sơn",
    "Lào Cai",
    "Long An",
    "Nam Định",
    "Nghệ An",
    "Ninh Bình",
    "Ninh Thuận",
    "Phú Thọ",
    "Phú Yên",
    "Quảng Bình",
    "Quảng Nam",
    "Quảng Ngãi",
    "Quảng Ninh",
    "Quảng Trị",
    "Sóc Trăng",
    "Sơn La",
    "Tây Ninh",
    "Thái Bình",
    "Thái Nguyên",
    "Thanh Hóa",
    "Thừa Thiên Huế",
    "Tiền Giang",
    "Hồ Chí Minh",
    "Trà Vinh",
    "Tuyên Quang",
    "Vĩnh Long",
    "Vĩnh Phúc",
    "Yên Bái",
]

DOC_TYPES = ("THÔNG BÁO", "KẾ HOẠCH", "BÁO CÁO", "QUYẾT ĐỊNH", "CHỈ THỊ", "CÔNG VĂN", "NGHỊ QUYẾT")

# Facts read by hand from the five seed files where the OCR layout defeats generic rules (the issuing
# body is printed in a header the OCR split or merged with a stamp). Each value is stated in the text.
KNOWN = {
    "000_d917af9ced3fa330": {
        # "Văn phòng UBND tỉnh thông báo…" (last paragraph); number 4125/TB-VP; "NỘI VỤ TÂY NINH" is the
        # receiving stamp of Sở Nội vụ (Đến số 528).
        "issuer": "Văn phòng UBND tỉnh Tây Ninh",
        "title": "Kết luận của Chủ tịch UBND tỉnh - Trưởng Ban chỉ đạo CCHC tại Hội nghị trực tuyến sơ kết 02 năm "
        "triển khai Chương trình hành động của UBND tỉnh thực hiện Nghị quyết Đại hội lần thứ IX của tỉnh về "
        "cải cách hành chính giai đoạn 2011-2015 và triển khai nhiệm vụ cải cách hành chính năm 2013",
        "date": dt.date(
            2013, 3, 26
        ),  # date stamped on receipt; the document's own date line is not in the OCR
    },
    "001_fbeaf96cfa01ec13": {"issuer": "Báo Tây Ninh (BTNO)", "type": "Tin bài"},
    "002_3b5b778ef1901bc5": {
        "issuer": "Ủy ban nhân dân tỉnh Kiên Giang",
        "title": "Khắc phục những tồn tại, hạn chế trong công tác cải cách hành chính",
    },
    "003_41aac1df1b6c2370": {
        "issuer": "Đoàn kiểm tra cải cách hành chính, UBND tỉnh Quảng Nam",
        "title": "Kết luận kiểm tra công tác cải cách hành chính tại thị xã Điện Bàn",
    },
    # news article: the only date in the text (15/5/2017) is the conference date, not the publication date
    "004_0afb36d99d1d04dd": {
        "issuer": "Cổng thông tin điện tử tỉnh Bắc Kạn",
        "type": "Tin bài",
        "date": None,
    },
}


def clean_text(text: str) -> str:
    t = c.nfc(text).replace("\r\n", "\n")
    t = t.replace("~~", "")
    t = re.sub(r"\*\*(.+?)\*\*", r"\1", t, flags=re.S)
    t = re.sub(r"(?<!\w)\*([^*\n]+)\*(?!\w)", r"\1", t)
    for pat, rep in WORD_FIXES.items():
        t = re.sub(pat, rep, t)
    lines = []
    for line in t.split("\n"):
        s = line.strip()
        if s.lower() in CHROME_LINES or _CHROME_RE.match(s):
            continue
        lines.append(line.rstrip())
    return c.clean("\n".join(lines))


_HEADING = re.compile(
    r"^(?:##\s*(?P<md>.+)|(?P<roman>(?:[IVX]+)\.\s+\S.{0,120})|(?P<caps>(?:" + "|".join(DOC_TYPES) + r"))|"
    r"(?P<recv>Nơi nhận:?))$"
)


def split_sections(text: str) -> list[NoticeSection]:
    sections: list[NoticeSection] = [NoticeSection(heading="", paragraphs=[])]
    for block in re.split(r"\n\s*\n", text):
        lines = [ln.strip() for ln in block.split("\n") if ln.strip()]
        if not lines:
            continue
        m = _HEADING.match(lines[0])
        if m and len(lines[0]) < 140:
            heading = (m.group("md") or lines[0]).strip()
            sections.append(NoticeSection(heading=heading, paragraphs=[]))
            lines = lines[1:]
            if not lines:
                continue
        sections[-1].paragraphs.append("\n".join(lines))
    return [s for s in sections if s.heading or s.paragraphs]


def _date(text: str) -> dt.date | None:
    head = text[:3000]
    for pat in (
        r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})",
        r"[Nn]gày:?\s*(\d{1,2})[/-](\d{1,2})[/-](\d{4})",
    ):
        m = re.search(pat, head)
        if m:
            d, mth, y = (int(x) for x in m.groups())
            try:
                return dt.date(y, mth, d)
            except ValueError:
                continue
    return None


def parse_text(text: str, file_name: str) -> Notice:
    nid = Path(file_name).stem
    body = clean_text(text)
    known = KNOWN.get(nid, {})
    m = re.search(r"Số:\s*(\d+)\s*/\s*([A-ZĐ][A-ZĐ\-]*)", body[:2000])
    number = f"{m.group(1)}/{m.group(2)}" if m else ""
    doc_type = known.get("type", "")
    if not doc_type:
        for t in DOC_TYPES:
            if re.search(rf"^(?:##\s*)?{t}$", body, flags=re.M):
                doc_type = t.capitalize()
                break
    province = ""
    counts = {p: len(re.findall(rf"\b{re.escape(p)}\b", body, flags=re.IGNORECASE)) for p in PROVINCES}
    best = max(counts.items(), key=lambda kv: kv[1])
    if best[1] > 0:
        province = best[0]
    title = known.get("title", "")
    if not title:
        first = next((ln.strip() for ln in body.split("\n") if ln.strip()), "")
        title = first[:300]
    return Notice(
        id=nid,
        source_file=file_name,
        number=number,
        date=known["date"] if "date" in known else _date(body),
        issuer=known.get("issuer", ""),
        province=province,
        title=title,
        type=doc_type,
        sections=split_sections(body),
    )


def parse_file(path: Path) -> Notice:
    return parse_text(path.read_text(encoding="utf-8"), path.name)
