"""Importer for ``dvc-chatbot-tthc``: procedures crawled from dichvucong.gov.vn.

The crawl flattened every table cell without separators. The portal renders the cells from
structured data, so the flattened text is still regular:

- ``cach_thuc_thuc_hien``: header ``Hình thức nộpThời gianPhí, lệ phíMô tả`` then one row per
  channel: ``<Trực tuyến|Dịch vụ bưu chính|Trực tiếp><time><fee>(<fee note>)<description>``,
  time = ``<number>[ Ngày làm việc|Ngày|Giờ|Tháng]`` or ``Không có thông tin``, fee =
  ``Miễn phí`` | ``<1,234,567> Việt Nam Đồng|VNĐ`` | ``Không có thông tin``.
- ``thanh_phan_ho_so``: per case ``<case heading>Tên giấy tờMẫu đơn, tờ khaiSố lượng`` then items
  ``<name>[<form file .doc/.docx/.pdf>]<N> bản chính[,<M> bản sao]``.
- ``can_cu_phap_ly``: ``Tên văn bản pháp lýMã văn bản`` then ``<title><number>`` rows.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from knowledge.importer import bqp, procedure_lists
from knowledge.importer import common as c
from knowledge.importer.sources import ListSource, ProcedureSource, Source
from knowledge.schema import (
    Channel,
    ChannelKind,
    Document,
    Fee,
    FeeKind,
    KnownProcedure,
    LegalBasis,
    ParseFlag,
    Procedure,
    ProcessingTime,
    TimeUnit,
)

DATASET = "dvc-chatbot-tthc"
# when the data was taken (SOURCE.md: the data commits); records carry no date of their own
SOURCE_DATE = dt.date(2026, 6, 10)  # data commit "new" (6 ministries)
SOURCE_DATE_BY_GROUP = {"toa-an-nhan-dan": dt.date(2026, 7, 17)}  # data commit of Tòa án

CHANNEL_WORDS = {
    "Trực tuyến": ChannelKind.TRUC_TUYEN,
    "Dịch vụ bưu chính": ChannelKind.BUU_CHINH,
    "Trực tiếp": ChannelKind.TRUC_TIEP,
}
CHANNEL_HEADER = "Hình thức nộpThời gianPhí, lệ phíMô tả"
_ROW_SPLIT = re.compile(r"(Trực tuyến|Dịch vụ bưu chính|Trực tiếp)(?=\d|Không có thông tin)")
# Fallback when the time cell holds prose ("Trực tuyếnKhông phải trả kết quả cho người nộp thuếMiễn phí…")
_ROW_SPLIT_PROSE = re.compile(r"(Trực tuyến|Dịch vụ bưu chính|Trực tiếp)(?=[A-ZĐ])")
_PROSE_TIME = re.compile(
    r"^(.{3,200}?)(?=Miễn phí|Không có thông tin|\d{1,3}(?:,\d{3})+\s*(?:Việt Nam Đồng|VNĐ))"
)
_FEE_AMOUNT = re.compile(r"^(\d{1,3}(?:,\d{3})+|\d+)\s*(Việt Nam Đồng|VNĐ|Đồng|USD|EUR)", re.IGNORECASE)
_FEE_EMPTY_AMOUNT = re.compile(r"^(Việt Nam Đồng|VNĐ|Đồng)(?=\(|$)")
_TIME_FEE_GLUED = re.compile(r"^\d+\s*(?=(?:Việt Nam Đồng|VNĐ|Đồng)(?:\(|$|[A-ZĐ]))")
GLUED_PROBLEM = "time and fee amount run together in the source cell"
UNIT_LOST = "number without unit (unit lost by the crawl)"
_FEE_IN_DESCRIPTION = re.compile(r"(?:Lệ phí|Phí)\s*:\s*\d[^\n]*")

DOC_HEADER = "Tên giấy tờMẫu đơn, tờ khaiSố lượng"
_QTY = re.compile(r"(\d+) bản chính(?:,(\d+) bản sao)?")
LEGAL_HEADER = "Tên văn bản pháp lýMã văn bản"
_LOWER = "a-zàáảãạăắằẳẵặâấầẩẫậèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵđ"
_UPPER = "A-ZÀÁẢÃẠĂẮẰẲẴẶÂẤẦẨẪẬÈÉẺẼẸÊẾỀỂỄỆÌÍỈĨỊÒÓỎÕỌÔỐỒỔỖỘƠỚỜỞỠỢÙÚỦŨỤƯỨỪỬỮỰỲÝỶỸỴĐ"
_LEGAL_NUM = re.compile(
    r"\d+[a-z]?(?:\.[a-z\d]+)?(?:/\d{4})?/(?:[A-ZĐ]*QH\d{2}|[A-ZĐ]+)(?:-(?:[A-ZĐ]*QH\d{2}|[A-ZĐ]*Tg|[A-ZĐ]+))*"
)
_LEGAL_NUM_STRICT = re.compile(r"^\d+[a-z]?(?:\.[a-z\d]+)?(?:/\d{4})?/[A-ZĐ][A-ZĐa-z0-9\-]*$")
_TITLE_START = re.compile(rf"[{_UPPER}][{_LOWER}]|[{_UPPER}]{{2,}}[\s,]|[{_UPPER}]\s")

# Section labels of the detail page, used to cut text that bled from the next section.
_NEXT_SECTION = re.compile(
    r"(Căn cứ pháp lýTên văn bản|Cơ quan thực hiện(?=[A-ZĐÀ-Ỹ])|Yêu cầu, điều kiện thực hiện|"
    r"Kết quả xử lý|Từ khóa(?=Không|[A-ZĐ])|Chọn cơ quan thực hiện)"
)


def cut_at_next_section(text: str) -> str:
    m = _NEXT_SECTION.search(text)
    return text[: m.start()] if m else text


# --- channels --------------------------------------------------------------------


def parse_fee(cell: str) -> tuple[list[Fee], str, str | None]:
    """Parse the fee at the start of a row remainder. Returns (fees, description rest, problem)."""
    if cell.startswith("Miễn phí"):
        rest = cell[len("Miễn phí") :]
        note, rest, balanced = c.take_parenthesised(rest)
        fee = c.free_fee(c.clean(note or ""))
        return [fee], rest, None if balanced else "fee note: unbalanced parentheses"
    if cell.startswith("Không có thông tin"):
        rest = cell[len("Không có thông tin") :]
        note, rest, balanced = c.take_parenthesised(rest)
        if note and c.clean(note):
            return [Fee(kind=FeeKind.TEXT, text=c.clean(note))], rest, None
        return [], rest, None
    m = _FEE_AMOUNT.match(cell)
    if m:
        rest = cell[m.end() :]
        note, rest, balanced = c.take_parenthesised(rest)
        amount = int(m.group(1).replace(",", ""))
        fee = c.fee_from_amount(amount, m.group(2), c.clean(note or ""))
        return [fee], rest, None if balanced else "fee note: unbalanced parentheses"
    m = _FEE_EMPTY_AMOUNT.match(cell)
    if m:
        rest = cell[m.end() :]
        note, rest, balanced = c.take_parenthesised(rest)
        note = c.clean(note or "")
        if note:
            return [Fee(kind=FeeKind.TEXT, text=note)], rest, None if balanced else "fee note: unbalanced"
        return [], rest, "fee: currency without amount"
    return [], cell, "fee: unrecognised cell"


def parse_channels(text: str, *context: str) -> tuple[list[Channel], list[ParseFlag], str | None]:
    """Returns (channels, flags, raw text to keep if anything was not parsed cleanly)."""
    flags: list[ParseFlag] = []
    s = c.nfc(text).strip()
    if not s:
        return [], [], None
    if not s.startswith(CHANNEL_HEADER):
        return [], [ParseFlag(field="channels", problem="table header not found")], s
    body = s[len(CHANNEL_HEADER) :]
    parts = _ROW_SPLIT.split(body)
    prose_time = False
    if len(parts) == 1:
        prose = _ROW_SPLIT_PROSE.split(body)
        if len(prose) > 1 and not prose[0].strip() and all(_PROSE_TIME.match(cell) for cell in prose[2::2]):
            parts, prose_time = prose, True
    if parts[0].strip():
        c.flag(flags, "channels", "text before the first channel row")
    channels: list[Channel] = []
    for word, cell in zip(parts[1::2], parts[2::2], strict=False):
        kind = CHANNEL_WORDS[word]
        time = glued = None
        if prose_time:
            m = _PROSE_TIME.match(cell)
            time = ProcessingTime(value=None, unit=TimeUnit.UNKNOWN, text=c.clean(m.group(1)))
            rest = cell[m.end() :]
        elif cell.startswith("Không có thông tin"):
            rest = cell[len("Không có thông tin") :]
        elif glued := _TIME_FEE_GLUED.match(cell):
            # "1200 VNĐ": a unitless time and a fee amount share one run of digits; neither can be
            # told apart, so neither is kept (the fee note after the currency still is)
            c.flag(flags, "time", GLUED_PROBLEM)
            c.flag(flags, "fees", GLUED_PROBLEM)
            rest = cell[glued.end() :]
        else:
            time, rest, has_unit = c.parse_time_cell(cell)
            if time is None:
                c.flag(flags, "time", "time cell not recognised")
            elif not has_unit:
                _fees_probe, desc_probe, _ = parse_fee(rest)
                found = c.recover_unit(time.value, desc_probe, *context)
                if found:
                    unit, evidence = found
                    time.unit = unit
                    time.text = f"{c.fmt_number(time.value)} ({c.RECOVERED_UNIT_NOTE}: “{evidence}”)"
                else:
                    c.flag(flags, "time", UNIT_LOST)
        fees, desc, problem = parse_fee(rest)
        if problem and not glued:
            c.flag(flags, "fees", problem)
        if not fees and not problem and (stated := _FEE_IN_DESCRIPTION.findall(desc)):
            # "Không có thông tin" in the fee cell, "- Lệ phí : 20.000 Đồng (…)" in the description
            fees = bqp.parse_fees("\n".join(stated), flags)
        channels.append(Channel(kind=kind, time=time, fees=fees, description=c.clean(desc)))
    if not channels:
        c.flag(flags, "channels", "no channel row found")
    _unit_from_other_channels(channels, flags)
    raw = s if flags else None
    return channels, flags, raw


def _unit_from_other_channels(channels: list[Channel], flags: list[ParseFlag]) -> None:
    """A bare number in one row takes the unit another row of the same table gives the same number
    ("Trực tuyến1 Ngày làm việc … Trực tiếp1Miễn phí")."""
    units = {
        (ch.time.value, ch.time.unit)
        for ch in channels
        if ch.time and ch.time.value is not None and ch.time.unit is not TimeUnit.UNKNOWN
    }
    lost = False
    for ch in channels:
        t = ch.time
        if t is None or t.value is None or t.unit is not TimeUnit.UNKNOWN:
            continue
        same = {unit for value, unit in units if value == t.value}
        if len(same) == 1:
            t.unit = next(iter(same))
            t.text = f"{c.fmt_number(t.value)} ({c.RECOVERED_UNIT_NOTE}: như hình thức nộp khác của thủ tục)"
        else:
            lost = True
    if not lost:
        flags[:] = [f for f in flags if f.problem != UNIT_LOST]


# --- documents -------------------------------------------------------------------


_EXT = r"\.(?:docx|doc|pdf|xlsx|xls|rar|zip)"
_PUNCT_BOUNDARY = re.compile(r"(?<=[^\d\s][.;:,])(?=[^\s\d])|(?<=\)[.;:,])(?=\S)|(?<=\))(?=\w)")
_GLUE_BOUNDARY = re.compile(rf"(?<=[{_LOWER}])(?=[{_UPPER}])")
_FILE_SPLIT = re.compile(r"(?<=\.docx|\.xlsx)|(?<=\.pdf|\.rar|\.zip)|(?<=\.doc|\.xls)(?=[^x])", re.IGNORECASE)


def _split_form(text: str) -> tuple[str, str | None]:
    """Split the 'Mẫu đơn, tờ khai' column (form file names) glued to the end of a document name.

    The file part starts after a sentence mark glued to it ("(NA20).Mau NA20-BCA.docx", "theo mẫu;Mau…"),
    otherwise at a lowercase→capital glue ("…khoáng sảnMau 19-Phu luc_39.2025.TT-BNNMT_02.7.2025.docx").
    Several files follow each other directly ("A.docxB.docx")."""
    if not re.search(_EXT + r"$", text, flags=re.IGNORECASE):
        return text, None

    def valid(pos: int) -> bool:
        if not re.search(_EXT, text[pos:], flags=re.IGNORECASE):
            return False  # the boundary is the dot of the last extension
        if text[pos - 1 : pos] == "." and re.match(_EXT, text[pos - 1 :], flags=re.IGNORECASE):
            return False  # the dot of an earlier file's extension ("A.docxB.docx")
        first = re.split(_EXT, text[pos:], maxsplit=1, flags=re.IGNORECASE)[0]
        return len(re.findall(r"[^\W\d_]", first)) >= 2

    start = None
    for pattern in (_PUNCT_BOUNDARY, _GLUE_BOUNDARY):
        positions = [m.start() for m in pattern.finditer(text) if valid(m.start())]
        if positions:
            start = positions[-1]
            break
    if start is None:
        return text, None
    forms = [f.strip() for f in _FILE_SPLIT.split(text[start:]) if f.strip()]
    name = text[:start].strip()
    if not re.search(r"[^\W\d_]{2,}", name):
        # the whole cell is a file name: it names the document too
        name = re.sub(_EXT + r"$", "", forms[0], flags=re.IGNORECASE)
    return name, "; ".join(forms)


def _heading(text: str) -> str | None:
    h = c.clean(text).strip()
    if not h or set(h) <= set("-* :"):
        return None
    return h


def parse_documents(text: str) -> tuple[list[Document], list[ParseFlag], str | None]:
    flags: list[ParseFlag] = []
    s = cut_at_next_section(c.nfc(text)).strip()
    s = re.sub(r"^Thành phần hồ sơ", "", s)
    if not s.strip("- ") or s.lower() == "không có thông tin":
        return [], [], None
    docs: list[Document] = []
    if DOC_HEADER not in s:
        c.flag(flags, "documents", "document table header not found")
        return [], flags, s
    chunks = s.split(DOC_HEADER)
    case = _heading(chunks[0])
    for i, chunk in enumerate(chunks[1:], start=1):
        pos = 0
        matches = list(_QTY.finditer(chunk))
        for m in matches:
            name_part = chunk[pos : m.start()]
            orig_digits = m.group(1)
            # Counts are small integers printed without leading zeros; extra leading digits belong
            # to the name (a year "2026", a form number "20.03").
            if len(orig_digits) > 1:
                name_part += orig_digits[:-1]
                orig_digits = orig_digits[-1]
            pos = m.end()
            name, form = _split_form(c.clean(name_part))
            name = name.strip()
            if not re.search(r"[^\W\d_]", name):
                # "+ 01 bản chính": a count note of the previous item, not a document
                continue
            if not re.search(r"[^\W\d_]{2,}", name):
                c.flag(flags, "documents", f"item without a name: {name_part.strip()[:40]!r}")
                continue
            docs.append(
                Document(
                    name=name,
                    form=form,
                    originals=int(orig_digits),
                    copies=int(m.group(2)) if m.group(2) is not None else None,
                    case=case,
                )
            )
        tail = chunk[pos:]
        if i < len(chunks) - 1:
            case = _heading(tail)
        elif tail.strip().strip("-").strip():
            c.flag(flags, "documents", "text after the last item")
        if not matches and chunk.strip():
            c.flag(flags, "documents", "section without item counts")
    return docs, flags, (s if flags else None)


# --- legal bases -----------------------------------------------------------------


_TITLE_WORDS = set(
    [
        "thông",
        "nghị",
        "luật",
        "quy",
        "quyết",
        "sửa",
        "về",
        "hướng",
        "pháp",
        "bộ",
        "ban",
        "nghĩa",
        "nhập",
        "thực",
        "thuế",
        "biểu",
        "biên",
        "kinh",
        "hàng",
        "phí",
        "các",
        "tiếp",
        "trang",
        "biển",
        "khoản",
        "công",
        "chỉ",
        "văn",
        "hiến",
        "lệnh",
        "danh",
        "điều",
        "chương",
        "kế",
        "chế",
        "an",
        "phân",
        "định",
        "số",
        "tư",
        "hợp",
        "quản",
        "bãi",
        "bổ",
        "lệ",
        "tổ",
        "giao",
        "xử",
        "cấp",
        "đăng",
        "mức",
        "hệ",
        "tiêu",
        "chính",
        "miễn",
        "ưu",
        "hoạt",
        "bảo",
        "phòng",
        "xuất",
        "du",
        "giá",
        "đo",
        "kiểm",
        "khai",
        "dân",
        "hải",
        "hộ",
        "đất",
        "nhà",
        "môi",
        "tài",
        "ngân",
        "tín",
        "chứng",
        "doanh",
        "đầu",
        "xây",
        "giám",
        "trợ",
        "tạm",
        "thi",
        "vận",
        "đường",
        "nội",
        "phê",
    ]
)


def _first_word(text: str) -> str:
    m = re.match(r"[^\W\d_]+", text)
    return m.group(0).lower() if m else ""


def _column_end(num: str, after: str) -> str | None:
    """If ``num`` (a matched number) is the 'Mã văn bản' column, return it (possibly shortened when
    the greedy suffix ate the first capital of the next title); else None."""
    if not after.strip():
        return num
    for k in range(0, 4):
        if k >= len(num) - 8:
            break
        head, moved = (num[:-k], num[-k:]) if k else (num, "")
        if not re.search(r"[A-Za-zĐ0-9]$", head):
            continue
        if _first_word(moved + after) in _TITLE_WORDS and (moved + after)[:1].strip():
            return head
    return None


def parse_legal(text: str) -> tuple[list[LegalBasis], list[ParseFlag], str | None]:
    flags: list[ParseFlag] = []
    s = cut_at_next_section(c.nfc(text)).strip()
    if not s or s.lower() == "không có thông tin":
        return [], [], None
    if not s.startswith(LEGAL_HEADER):
        return [], [ParseFlag(field="legal_bases", problem="table header not found")], s
    body = s[len(LEGAL_HEADER) :]
    out: list[LegalBasis] = []
    pos = 0
    for m in _LEGAL_NUM.finditer(body):
        if m.start() < pos:
            continue
        num = _column_end(m.group(0), body[m.end() :])
        if num is None:
            continue
        start = m.start()
        lead = re.match(r"\d+", num).group(0)
        if len(lead) >= 5 and lead[:2] in ("19", "20"):
            # a year glued to the number: "Luật Cư trú 2020" + "68/2020/QH14"
            start += 4
            num = num[4:]
        end = start + len(num)
        title = c.clean(body[pos:start])
        if not title:
            continue
        # "…môi trườngLuật số" + "146/2025/QH15": the words before the number belong to the number column
        title = re.sub(
            rf"(?<=[{_LOWER}.)\d])(?:(?:Luật|Nghị định|Thông tư|Quyết định|Nghị quyết|Pháp lệnh)\s+)?số\s*$",
            "",
            title,
        ).strip()
        out.append(LegalBasis(number=num, title=title))
        pos = end
    tail = c.clean(body[pos:])
    m_end = re.search(r"(?<=\D)(\d+/\d{4})$", tail)
    if tail and m_end and c.clean(tail[: m_end.start()]):
        # "Nghị định số 46/2020/NĐ-CP" + "46/2020": the column holds a number without its suffix
        out.append(LegalBasis(number=m_end.group(1), title=c.clean(tail[: m_end.start()])))
    elif tail:
        out.append(LegalBasis(number=None, title=tail))
        c.flag(flags, "legal_bases", "last row without a document number")
    for lb in out:
        if lb.number and not _LEGAL_NUM_STRICT.match(lb.number):
            c.flag(flags, "legal_bases", f"odd number {lb.number!r}")
        if re.match(r"\d", lb.title) and lb.title != lb.number:
            c.flag(flags, "legal_bases", "row boundary uncertain")
    if not out:
        c.flag(flags, "legal_bases", "no row parsed")
    return out, flags, (s if flags else None)


# --- result ----------------------------------------------------------------------


def parse_result(text: str) -> str:
    s = c.nfc(text)
    m = re.search(r"Từ khóa|Chọn cơ quan thực hiện", s)
    if m:
        s = s[: m.start()]
    s = re.sub(r"Mã: (KQ\.[A-Z0-9]+\.\d+)", r" (mã \1)\n", s)
    return c.value_or_empty(s)


def parse_keywords(text: str) -> list[str]:
    m = re.search(r"Từ khóa(.*?)Mô tả", c.nfc(text), flags=re.S)
    if not m:
        return []
    kw = c.value_or_empty(m.group(1))
    return [k.strip() for k in re.split(r"[,;]", kw) if k.strip()] if kw else []


# --- record ----------------------------------------------------------------------


def parse_record(d: dict, today: dt.date) -> Procedure:
    flags: list[ParseFlag] = []
    raw: dict[str, str] = {}
    levels, unknown = c.parse_levels(d.get("cap_thuc_hien", ""))
    if unknown:
        c.flag(flags, "levels", f"unknown level {unknown}")
        raw["levels"] = d.get("cap_thuc_hien", "")
    steps_text = d.get("trinh_tu_thuc_hien", "")
    channels, f, r = parse_channels(d.get("cach_thuc_thuc_hien", ""), steps_text, d.get("raw_text", ""))
    flags += f
    if r:
        raw["channels"] = r
    docs, f, r = parse_documents(d.get("thanh_phan_ho_so", ""))
    flags += f
    if r:
        raw["documents"] = r
    legal, f, r = parse_legal(d.get("can_cu_phap_ly", ""))
    flags += f
    if r:
        raw["legal_bases"] = r
    applicants = [a.strip() for a in c.value_or_empty(d.get("doi_tuong_thuc_hien")).split(",") if a.strip()]
    conditions = c.value_or_empty(cut_at_next_section(c.nfc(d.get("yeu_cau_dieu_kien", ""))))
    return Procedure(
        code=c.clean(d["ma_thu_tuc"]),
        title=" ".join(c.clean(d["ten_thu_tuc"]).split()),
        field=c.value_or_empty(d.get("linh_vuc")),
        levels=levels,
        procedure_type=c.value_or_empty(d.get("loai_thu_tuc")),
        decision=c.value_or_empty(d.get("so_quyet_dinh")),
        agency=c.value_or_empty(cut_at_next_section(c.nfc(d.get("co_quan_thuc_hien", "")))),
        competent_authority=c.value_or_empty(d.get("co_quan_co_tham_quyen")),
        coordinating_agency=c.value_or_empty(d.get("co_quan_phoi_hop")),
        address=c.value_or_empty(d.get("dia_chi_tiep_nhan")),
        applicants=applicants,
        channels=channels,
        steps=c.split_steps(cut_at_next_section(c.nfc(steps_text))),
        documents=docs,
        conditions=conditions,
        result=parse_result(d.get("ket_qua_xu_ly", "")),
        legal_bases=legal,
        keywords=parse_keywords(d.get("ket_qua_xu_ly", "")),
        source_url=c.clean(d.get("detail_url")),
        source_dataset=DATASET,
        imported_at=today,
        raw=raw,
        flags=flags,
    )


class DvcChatbot(ProcedureSource):
    """``records/<ministry folder>/<code>.json``: the folder is the record's group."""

    dataset = DATASET

    def iter_sources(self, raw_dir: Path) -> list[Source]:
        return [
            Source(p, group=p.parent.name, source_date=SOURCE_DATE_BY_GROUP.get(p.parent.name, SOURCE_DATE))
            for p in sorted((raw_dir / DATASET / "records").glob("*/*.json"))
        ]

    def load(self, source: Source, today: dt.date) -> Procedure:
        return parse_record(json.loads(source.path.read_text(encoding="utf-8")), today)


class DvcChatbotLists(ListSource):
    """``lists/``: the ministries' "DANH SÁCH THỦ TỤC HÀNH CHÍNH" spreadsheets the crawl started from
    (read on every import: an absent folder lists nothing)."""

    dataset = procedure_lists.LIST_DATASET

    def read(self, raw_dir: Path) -> list[KnownProcedure]:
        return procedure_lists.load_list_folder(raw_dir / DATASET / "lists", SOURCE_DATE)


# re-exported for tests
__all__ = [
    "DvcChatbot",
    "DvcChatbotLists",
    "TimeUnit",
    "parse_channels",
    "parse_documents",
    "parse_legal",
    "parse_record",
]
