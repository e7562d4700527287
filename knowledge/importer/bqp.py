"""Importer for ``bqp-nhdandz``: Ministry of Defence procedures parsed from the official Word
export (``ChiTietTTHC_<code>.doc``) of csdl.dichvucong.gov.vn. The tables are already separated."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from knowledge.importer import common as c
from knowledge.importer.sources import ProcedureSource, Source
from knowledge.schema import (
    Channel,
    ChannelKind,
    Document,
    Fee,
    FeeKind,
    LegalBasis,
    ParseFlag,
    Procedure,
    ProcessingTime,
    TimeUnit,
)

DATASET = "bqp-nhdandz"
GROUP = "bo-quoc-phong"  # every record is the Ministry of Defence's
SOURCE_DATE = dt.date(2025, 12, 1)  # data committed 2025-12 (SOURCE.md); records carry no date
SOURCE_URL = "https://github.com/nhdandz/ThuTucHanhChinh (data/extracted_fixed), Word export {file} of csdl.dichvucong.gov.vn"

CHANNELS = {
    "trực tiếp": ChannelKind.TRUC_TIEP,
    "trực tuyến": ChannelKind.TRUC_TUYEN,
    "dịch vụ bưu chính": ChannelKind.BUU_CHINH,
}
_FEE_LINE = re.compile(r"^(Phí|Lệ phí)\s*:\s*(.*)$", re.S)
_AMOUNT = re.compile(r"^(\d{1,3}(?:\.\d{3})+|\d+)\s*(Đồng|USD)\s*(?:\((.*)\))?\s*$", re.S)


def parse_time(text: str, flags: list[ParseFlag]) -> ProcessingTime | None:
    t = c.clean(text)
    if not t:
        return None
    m = re.fullmatch(c.NUM_RE + r"\s*" + c.UNIT_RE, t, flags=re.IGNORECASE)
    if m:
        return ProcessingTime(value=c.to_number(m.group(1)), unit=c.UNIT_WORDS[m.group(2).lower()], text=t)
    if t.lower() in {"không quy định"}:
        return ProcessingTime(value=None, unit=TimeUnit.UNKNOWN, text=t)
    if re.fullmatch(r"[\d\s\-–]+", t):
        c.flag(flags, "time", "range or number without unit")
        return ProcessingTime(value=None, unit=TimeUnit.UNKNOWN, text=t)
    # prose ("Chậm nhất là ngay trước khi tàu rời cảng"): a true statement, not a number
    return ProcessingTime(value=None, unit=TimeUnit.UNKNOWN, text=t)


def parse_fees(text: str, flags: list[ParseFlag]) -> list[Fee]:
    t = c.nfc(text).strip()
    if not t:
        return []
    fees: list[Fee] = []
    # a cell may hold several "Phí : …" / "Lệ phí : …" lines, and "File đính kèm: …"
    parts = re.split(r"\n(?=(?:Phí|Lệ phí)\s*:)", t)
    for part in parts:
        part = re.sub(r"\nFile đính kèm:.*$", "", part, flags=re.S).strip()
        m = _FEE_LINE.match(part)
        if not m:
            c.flag(flags, "fees", "fee line not recognised")
            fees.append(Fee(kind=FeeKind.TEXT, text=c.clean(part)))
            continue
        label, value = m.group(1), m.group(2).strip()
        a = _AMOUNT.match(value)
        if a:
            amount = int(a.group(1).replace(".", ""))
            note = c.clean(a.group(3) or "")
            if a.group(2) == "USD":
                fees.append(Fee(kind=FeeKind.TEXT, label=label, text=c.clean(value)))
            else:
                fees.append(c.fee_from_amount(amount, "đồng", note, label))
            continue
        if re.fullmatch(r"(không|o)?\s*Đồng", value, flags=re.IGNORECASE):
            # "Phí : Không Đồng" / "Phí : o Đồng" (OCR of 0): no amount
            fees.append(Fee(kind=FeeKind.FREE, label=label, text=c.clean(value)))
            continue
        fees.append(Fee(kind=FeeKind.TEXT, label=label, text=c.clean(value)))
    return fees


_QTY = re.compile(r"Bản chính:\s*(\d+)\s*Bản sao:\s*(\d+)")


def parse_record(d: dict, today: dt.date) -> Procedure:
    meta, content, tables = d["metadata"], d["content"], d["tables"]
    flags: list[ParseFlag] = []
    raw: dict[str, str] = {}
    levels, unknown = c.parse_levels(meta.get("cấp_thực_hiện", ""))
    if unknown:
        c.flag(flags, "levels", f"unknown level {unknown}")
        raw["levels"] = meta.get("cấp_thực_hiện", "")
    channels: list[Channel] = []
    for row in tables.get("hinh_thuc_nop", []):
        kind = CHANNELS.get(c.clean(row.get("hinh_thuc")).lower())
        if kind is None:
            c.flag(flags, "channels", f"unknown channel {row.get('hinh_thuc')!r}")
            raw["channels"] = json.dumps(tables.get("hinh_thuc_nop"), ensure_ascii=False)
            continue
        n_flags = len(flags)
        ch = Channel(
            kind=kind,
            time=parse_time(row.get("thoi_han_giai_quyet", ""), flags),
            fees=parse_fees(row.get("phi_le_phi", ""), flags),
            description=c.clean(row.get("mo_ta")),
        )
        if len(flags) > n_flags:
            raw["channels"] = json.dumps(tables.get("hinh_thuc_nop"), ensure_ascii=False)
        channels.append(ch)
    docs: list[Document] = []
    for row in tables.get("thanh_phan_ho_so", []):
        m = _QTY.search(row.get("ghi_chu", ""))
        if not m:
            c.flag(flags, "documents", "count not recognised")
            raw["documents"] = json.dumps(tables.get("thanh_phan_ho_so"), ensure_ascii=False)
        docs.append(
            Document(
                name=c.clean(row.get("ten_giay_to")),
                form=c.clean(row.get("so_luong")) or None,
                originals=int(m.group(1)) if m else None,
                copies=int(m.group(2)) if m else None,
            )
        )
    legal = [
        LegalBasis(number=_legal_number(r), title=c.clean(r.get("trich_yeu")))
        for r in tables.get("can_cu_phap_ly", [])
        if c.clean(r.get("trich_yeu")) or c.clean(r.get("so_ky_hieu"))
    ]
    keywords = c.value_or_empty(content.get("từ_khóa"))
    return Procedure(
        code=c.clean(meta.get("mã_thủ_tục") or d["thu_tuc_id"]),
        title=" ".join(c.clean(meta.get("tên_thủ_tục")).split()),
        field=c.value_or_empty(meta.get("lĩnh_vực")),
        levels=levels,
        procedure_type=c.value_or_empty(meta.get("loại_thủ_tục")),
        decision=c.value_or_empty(meta.get("số_quyết_định")),
        agency=c.value_or_empty(content.get("cơ_quan_thực_hiện")),
        competent_authority=c.value_or_empty(content.get("cơ_quan_có_thẩm_quyền")),
        coordinating_agency=c.value_or_empty(content.get("cơ_quan_phối_hợp")),
        address=c.value_or_empty(content.get("địa_chỉ_tiếp_nhận_hs")),
        applicants=[
            a.strip() for a in c.value_or_empty(content.get("đối_tượng_thực_hiện")).split(",") if a.strip()
        ],
        channels=channels,
        steps=c.split_steps(content.get("trình_tự_thực_hiện", "")),
        documents=docs,
        conditions=c.value_or_empty(content.get("yêu_cầu_điều_kiện_thực_hiện")),
        result=c.value_or_empty(content.get("kết_quả_thực_hiện")),
        legal_bases=legal,
        keywords=[k.strip() for k in re.split(r"[,;]", keywords) if k.strip()] if keywords else [],
        source_url=SOURCE_URL.format(file=d.get("source_file", "")),
        source_dataset=DATASET,
        imported_at=today,
        raw=raw,
        flags=flags,
    )


def _legal_number(row: dict) -> str | None:
    """``so_ky_hieu`` often holds only the first digits ("12"); take the full number from the title."""
    n = c.clean(row.get("so_ky_hieu"))
    title = c.clean(row.get("trich_yeu"))
    m = re.search(r"\d+(?:\.\d+)?/\d{4}/[A-ZĐ][A-ZĐa-z0-9\-]*", title)
    if m and (not n or m.group(0).startswith(n)):
        return m.group(0)
    if n and "/" in n:
        return n
    return m.group(0) if m else (n or None)


class Bqp(ProcedureSource):
    """``records/<code>.json``, all in :data:`GROUP`."""

    dataset = DATASET

    def iter_sources(self, raw_dir: Path) -> list[Source]:
        return [
            Source(p, group=GROUP, source_date=SOURCE_DATE)
            for p in sorted((raw_dir / DATASET / "records").glob("*.json"))
        ]

    def load(self, source: Source, today: dt.date) -> Procedure:
        return parse_record(json.loads(source.path.read_text(encoding="utf-8")), today)
