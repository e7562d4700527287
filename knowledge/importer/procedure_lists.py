"""Importer for lists of procedures: names without details.

Two real formats:

- the portal's "DANH SÁCH THỦ TỤC HÀNH CHÍNH" spreadsheet (``.xlsx``; header row ``Mã số | Tên |
  Cơ quan ban hành | Cơ quan thực hiện | Lĩnh vực``), as in ``dvc-chatbot-tthc/lists/`` and what an
  office downloads for its own list;
- the portal's list of online public services (``dvc-online-services-songgio``: JSON rows with
  ``TTHC_MA`` and ``NAME`` only).

A listed code the knowledge base holds in detail is skipped; the others become
:class:`KnownProcedure` entries, so the assistant can say "this procedure exists, here is its page"
instead of "not in my data".
"""

from __future__ import annotations

import datetime as dt
import json
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path
from xml.etree import ElementTree

from knowledge.importer import common as c
from knowledge.importer.sources import ListSource
from knowledge.schema import KnownProcedure

ONLINE_SERVICES = "dvc-online-services-songgio"
ONLINE_SERVICES_DATE = dt.date(2025, 12, 10)  # the crawl (SOURCE.md of that folder)
LIST_DATASET = "danh-sach-tthc"
PORTAL_PAGE = "https://dichvucong.gov.vn/p/home/dvc-chi-tiet-thu-tuc-hanh-chinh.html?ma_thu_tuc={code}"
HEADER = {"Mã số": "code", "Tên": "title", "Cơ quan ban hành": "issuing_body", "Cơ quan thực hiện": "agency"}
HEADER_FIELD = "Lĩnh vực"
_CODE = re.compile(r"^\d\.\d{6}$")
_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


class ListError(ValueError):
    """A file that is not a procedure list; the message says what to do."""


def clean_title(text: str | None) -> str:
    """A listed name without the list's stray marks ("Thủ tục đăng ký nhãn hiệu -", ". Cấp giấy phép …")."""
    return re.sub(r"^[\s.\-–]+|[\s\-–]+$", "", c.clean(text))


def official_page(code: str) -> str:
    return PORTAL_PAGE.format(code=code)


def xlsx_rows(path: Path) -> list[list[str]]:
    """The first sheet's rows as text (shared and inline strings, numbers as written), read with the
    standard library: an ``.xlsx`` is a zip of XML parts."""
    try:
        with zipfile.ZipFile(path) as z:
            shared = []
            if "xl/sharedStrings.xml" in z.namelist():
                for si in ElementTree.fromstring(z.read("xl/sharedStrings.xml")).iter(f"{_NS}si"):
                    shared.append("".join(t.text or "" for t in si.iter(f"{_NS}t")))
            sheets = sorted(n for n in z.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n))
            if not sheets:
                raise ListError(f"{path.name}: không có trang tính nào")
            root = ElementTree.fromstring(z.read(sheets[0]))
    except (zipfile.BadZipFile, ElementTree.ParseError) as exc:
        raise ListError(
            f"{path.name}: không đọc được tệp .xlsx ({exc}); hãy tải lại danh sách từ Cổng"
        ) from exc
    rows = []
    for row in root.iter(f"{_NS}row"):
        cells: dict[int, str] = {}
        for cell in row.iter(f"{_NS}c"):
            col = _column(cell.get("r", ""), len(cells))
            kind, value = cell.get("t"), cell.find(f"{_NS}v")
            if kind == "s" and value is not None:
                cells[col] = shared[int(value.text)]
            elif kind == "inlineStr":
                cells[col] = "".join(t.text or "" for t in cell.iter(f"{_NS}t"))
            else:
                cells[col] = value.text if value is not None and value.text else ""
        rows.append([c.clean(cells.get(i, "")) for i in range(max(cells, default=-1) + 1)])
    return rows


def _column(ref: str, default: int) -> int:
    letters = re.match(r"[A-Z]+", ref)
    if not letters:
        return default
    n = 0
    for ch in letters.group(0):
        n = n * 26 + ord(ch) - 64
    return n - 1


def load_list_xlsx(path: Path, source_date: dt.date | None = None) -> list[KnownProcedure]:
    """The rows of a "DANH SÁCH THỦ TỤC HÀNH CHÍNH" spreadsheet that carry a procedure code."""
    rows = xlsx_rows(path)
    header_at = next((i for i, r in enumerate(rows) if "Mã số" in r and "Tên" in r), None)
    if header_at is None:
        raise ListError(f"{path.name}: không thấy dòng tiêu đề 'Mã số | Tên | …' của danh sách thủ tục")
    header = rows[header_at]
    cols = {HEADER[h]: i for i, h in enumerate(header) if h in HEADER}
    field_col = header.index(HEADER_FIELD) if HEADER_FIELD in header else None
    out = []
    for r in rows[header_at + 1 :]:
        cell = {name: r[i] if i < len(r) else "" for name, i in cols.items()}
        cell["title"] = clean_title(cell.get("title"))
        if not _CODE.match(cell.get("code", "")) or not cell.get("title"):
            continue
        out.append(
            KnownProcedure(
                **cell,
                field=r[field_col] if field_col is not None and field_col < len(r) else "",
                source_url=official_page(cell["code"]),
                source_dataset=LIST_DATASET,
                source_date=source_date or dt.date.fromtimestamp(path.stat().st_mtime),
            )
        )
    return out


def load_list_folder(folder: Path, source_date: dt.date | None = None) -> list[KnownProcedure]:
    """Every list spreadsheet under ``folder`` (none if it does not exist)."""
    return [entry for path in iter_list_files(folder) for entry in load_list_xlsx(path, source_date)]


def load_online_services(folder: Path) -> list[KnownProcedure]:
    """The portal's list of online public services (``*_raw_result.json``: code and name)."""
    out = []
    for path in sorted(folder.glob("*_raw_result.json")):
        for row in json.loads(path.read_text(encoding="utf-8")):
            code, title = c.clean(row.get("TTHC_MA")), clean_title(row.get("NAME"))
            if _CODE.match(code) and title:
                out.append(
                    KnownProcedure(
                        code=code,
                        title=title,
                        source_url=official_page(code),
                        source_dataset=ONLINE_SERVICES,
                        source_date=ONLINE_SERVICES_DATE,
                    )
                )
    return out


class OnlineServices(ListSource):
    """The portal's list of online public services (``dvc-online-services-songgio``); without its
    folder under the raw data, the entries it gave before are kept."""

    dataset = ONLINE_SERVICES

    def read(self, raw_dir: Path) -> list[KnownProcedure] | None:
        folder = raw_dir / ONLINE_SERVICES
        return load_online_services(folder) if folder.is_dir() else None


def iter_list_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.xlsx") if not p.name.startswith("~$"))


def known_only(entries: Iterable[KnownProcedure], held: set[str]) -> list[KnownProcedure]:
    """One entry per code the knowledge base does not hold in detail; a list that names the agency
    wins over one that does not, then the newer list."""
    best: dict[str, KnownProcedure] = {}
    for e in entries:
        if e.code in held:
            continue
        old = best.get(e.code)
        rank = (bool(e.agency), e.source_date or dt.date.min)
        if old is None or rank > (bool(old.agency), old.source_date or dt.date.min):
            best[e.code] = e
    return sorted(best.values(), key=lambda e: e.code)


def known_yaml(entries: list[KnownProcedure]) -> str:
    return c.dump_yaml([e.model_dump(mode="json", exclude_defaults=True) for e in entries])
