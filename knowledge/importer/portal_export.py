"""Importer for ``dvc-portal-export``: the national portal's own per-procedure export
("CHI TIẾT THỦ TỤC HÀNH CHÍNH", the PDF or Word file an office downloads from dichvucong.gov.vn).

Two steps, so that a PDF and a Word file go through the same parser:

1. :func:`export_text` turns the file into text.

   * PDF: ``pdftotext -layout -fixed 4`` (poppler-utils). ``-fixed`` keeps the layout mode but
     maps every character to the column of its x position on the page, so a table column sits at
     the same place on every page (plain ``-layout`` re-aligns each page on its own leftmost text,
     and a cell continued on the next page would land in another column).
   * DOCX (stdlib only): paragraphs in order, separated by a blank line; every table row on one
     line with its cells separated by a tab (a row of one merged cell is a paragraph).

2. :func:`read_export` finds the headings and tables; :func:`parse_text` maps them to a
   :class:`~knowledge.schema.Procedure`.

The export's fixed parts: a label/value block (``Tên thủ tục``, ``Mã thủ tục``, ``Số quyết định``,
``Cấp thực hiện``, ``Loại thủ tục``, ``Lĩnh vực``, ``Đối tượng thực hiện``, ``Cơ quan có thẩm quyền``,
``Địa chỉ tiếp nhận HS``, ``Cơ quan được ủy quyền``, ``Cơ quan phối hợp``), then the sections
``TRÌNH TỰ THỰC HIỆN``, ``THÀNH PHẦN HỒ SƠ`` (per case: a heading, then the table ``Tên giấy tờ |
Mẫu đơn, tờ khai | Số lượng``), ``CÁCH THỨC THỰC HIỆN`` (``Hình thức nộp | Thời hạn giải quyết |
Phí, lệ phí | Mô tả``), ``CĂN CỨ PHÁP LÝ`` (``Tên văn bản pháp lý | Mã văn bản``), ``CƠ QUAN THỰC
HIỆN``, ``YÊU CẦU, ĐIỀU KIỆN THỰC HIỆN``, ``KẾT QUẢ XỬ LÝ``, ``TỪ KHÓA``, ``MÔ TẢ``; their order varies.

In the PDF the table columns are found from the header row (a label is centred over its column)
and the white gutter between them; a row starts on a line that opens its first cell after a blank
line or the header, or where its key cell starts (a count ``1 bản chính``, a channel name, a
document number). Page breaks are not row boundaries, and a case heading is the prose across the
columns before a header row. The generator of the sample PDFs cuts words: at a page break wherever
the page ends (``thỏ`` | ``a thuận``, ``254/20`` | ``25/QH15``), and sometimes at a line end
(``liền v`` | ``ới``, long file names): :func:`join_lines` rejoins them by the rules it documents
(Vietnamese syllables, numbers, file names); an undecidable cut keeps its space and is flagged.

Nothing is invented: values not parsed with confidence stay verbatim in ``raw[<field>]`` with a
``flags`` entry, as in the other importers. The export date is the record's
``source_date``; ``MÔ TẢ`` (a free description, no schema field) is kept verbatim in
``raw["description"]``; ``Cơ quan được ủy quyền`` is added to ``agency`` under its
own label. Lines of the label block under no known label are kept in ``raw["unparsed"]``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
import shutil
import subprocess
import unicodedata
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from xml.etree import ElementTree as ET

from knowledge.importer import bqp
from knowledge.importer import common as c
from knowledge.importer.portal_api import PORTAL_URL
from knowledge.importer.sources import ProcedureSource, Source
from knowledge.schema import (
    Channel,
    ChannelKind,
    Document,
    Fee,
    FeeKind,
    LegalBasis,
    Level,
    ParseFlag,
    Procedure,
    ProcessingTime,
    TimeUnit,
)

DATASET = "dvc-portal-export"
FOLDER = "portal-export-pdfs"  # the sample under the raw data folder
PDFTOTEXT = "pdftotext"
PITCH = "4"  # points per text column in ``pdftotext -fixed`` (body text is ~10 pt)
CELL_SEP = "\t"  # between the cells of a table row (DOCX text)
EXTENSIONS = (".pdf", ".docx")
INSTALL_HINT = (
    "Không tìm thấy chương trình pdftotext để đọc tệp PDF. "
    "Hãy cài gói poppler-utils (Debian/Ubuntu: sudo apt-get install -y poppler-utils) rồi chạy lại."
)


class ExportError(RuntimeError):
    """A file that cannot be read (missing pdftotext, damaged PDF or DOCX, unknown type)."""


# --- files and text --------------------------------------------------------------


def iter_files(folder: Path) -> list[Path]:
    """The ``.pdf`` and ``.docx`` files under ``folder`` (recursive, sorted)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in EXTENSIONS)


def export_text(path: Path) -> str:
    """Text of an export: PDF through ``pdftotext -layout -fixed``, DOCX through its XML."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return _pdf_text(path)
    if suffix == ".docx":
        return _docx_text(path)
    raise ExportError(f"Không đọc được {path.name}: chỉ nhận tệp .pdf hoặc .docx.")


def _pdf_text(path: Path) -> str:
    exe = shutil.which(PDFTOTEXT)
    if exe is None:
        raise ExportError(INSTALL_HINT)
    proc = subprocess.run(
        [exe, "-layout", "-fixed", PITCH, "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        check=False,
    )
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip()
        raise ExportError(f"pdftotext không đọc được {path.name}: {err}")
    return proc.stdout.decode("utf-8", "replace")


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _docx_text(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as z:
            root = ET.fromstring(z.read("word/document.xml"))
    except (OSError, zipfile.BadZipFile, KeyError, ET.ParseError) as exc:
        raise ExportError(f"Không đọc được tệp Word {path.name}: {exc}") from exc
    body = root.find(f"{_W}body")
    lines: list[str] = []
    if body is not None:
        _docx_block(body, lines)
    return "\n".join(lines).strip("\n") + "\n"


def _docx_block(parent: ET.Element, lines: list[str]) -> None:
    for el in parent:
        if el.tag == f"{_W}p":
            lines += [_para_text(el, in_cell=False), ""]
        elif el.tag == f"{_W}tbl":
            for tr in el.findall(f"{_W}tr"):
                cells = [_cell_text(tc) for tc in tr.findall(f"{_W}tc")]
                # a row of one merged cell (a case heading across the table) reads as a paragraph
                lines.append(CELL_SEP.join(cells) if len(cells) > 1 else cells[0] if cells else "")
            lines.append("")
        elif el.tag == f"{_W}sdt":
            content = el.find(f"{_W}sdtContent")
            if content is not None:
                _docx_block(content, lines)


def _cell_text(tc: ET.Element) -> str:
    parts: list[str] = []
    for el in tc:
        if el.tag == f"{_W}p":
            parts.append(_para_text(el, in_cell=True))
        elif el.tag == f"{_W}tbl":  # a nested table: its cells in order
            parts += [_cell_text(x) for x in el.iter(f"{_W}tc")]
    return " ".join(p for p in parts if p.strip())


def _para_text(p: ET.Element, *, in_cell: bool) -> str:
    out: list[str] = []
    for el in p.iter():
        if el.tag == f"{_W}t":
            out.append(el.text or "")
        elif el.tag == f"{_W}tab":
            out.append(" ")
        elif el.tag in (f"{_W}br", f"{_W}cr"):
            out.append(" " if in_cell else "\n")
    return "".join(out).replace(CELL_SEP, " ")


# --- reading the export: headings, label block, tables ---------------------------

TITLE = "CHI TIẾT THỦ TỤC HÀNH CHÍNH"
SECTIONS = {
    "TRÌNH TỰ THỰC HIỆN": "steps",
    "THÀNH PHẦN HỒ SƠ": "documents",
    "CÁCH THỨC THỰC HIỆN": "channels",
    "CĂN CỨ PHÁP LÝ": "legal_bases",
    "CƠ QUAN THỰC HIỆN": "agency",
    "YÊU CẦU, ĐIỀU KIỆN THỰC HIỆN": "conditions",
    "YÊU CẦU ĐIỀU KIỆN THỰC HIỆN": "conditions",
    "KẾT QUẢ XỬ LÝ": "result",
    "KẾT QUẢ THỰC HIỆN": "result",
    "TỪ KHÓA": "keywords",
    "MÔ TẢ": "description",
}
LABELS = {
    "Tên thủ tục": "title",
    "Mã thủ tục": "code",
    "Số quyết định": "decision",
    "Cấp thực hiện": "levels",
    "Loại thủ tục": "procedure_type",
    "Lĩnh vực": "field",
    "Đối tượng thực hiện": "applicants",
    "Cơ quan thực hiện": "agency",
    "Cơ quan có thẩm quyền": "competent_authority",
    "Địa chỉ tiếp nhận HS": "address",
    "Địa chỉ tiếp nhận hồ sơ": "address",
    "Cơ quan được ủy quyền": "authorized_agency",
    "Cơ quan được uỷ quyền": "authorized_agency",
    "Cơ quan phối hợp": "coordinating_agency",
}
_LABEL_RE = re.compile(
    r"^(" + "|".join(re.escape(k) for k in sorted(LABELS, key=len, reverse=True)) + r")(?:\s{2,}(.*))?$"
)
CHANNEL_COLS = ("Hình thức nộp", "Thời hạn giải quyết", "Phí, lệ phí", "Mô tả")
DOC_COLS = ("Tên giấy tờ", "Mẫu đơn, tờ khai", "Số lượng")
LEGAL_COLS = ("Tên văn bản pháp lý", "Mã văn bản")
TABLES = {"channels": CHANNEL_COLS, "documents": DOC_COLS, "legal_bases": LEGAL_COLS}
_PAGE_NUMBER = re.compile(r"^(?:Trang\s*\d+(?:\s*/\s*\d+)?|\d+\s*/\s*\d+|-\s*\d+\s*-)$", re.IGNORECASE)


@dataclass
class Line:
    text: str
    page_break: bool = False  # first line of a new page


@dataclass
class Row:
    """One table row: cell texts, and the cells with a page-break cut that could not be decided."""

    cells: list[str]
    split_cells: set[int] = field(default_factory=set)


@dataclass
class Item:
    kind: str  # "header", "row" or "text"
    row: Row | None = None
    text: str = ""


@dataclass
class Section:
    heading: str
    lines: list[Line] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)  # tables only
    table_found: bool = False


@dataclass
class Export:
    """The export as read: label values and sections (by schema name, in order of appearance)."""

    fields: dict[str, str] = field(default_factory=dict)
    sections: dict[str, Section] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)  # label-block lines with no known label
    word_joins: list[str] = field(default_factory=list)  # table cells: pieces joined without a space
    word_cuts: list[str] = field(default_factory=list)  # table cells: undecided page-break cuts


def _norm(s: str) -> str:
    """NFC, one space between words; a combining mark printed apart ("kiê ̣n") rejoins its letter."""
    return c.nfc(_SPACED_MARK.sub("", " ".join((s or "").split())))


_SPACED_MARK = re.compile(r" (?=[\u0300-\u036f])")


def _prepare(text: str) -> list[Line]:
    """Lines of the text, NFC; a form feed marks the next non-blank line as a page's first."""
    lines: list[Line] = []
    pending_break = False
    for raw in c.nfc(text).replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        pending_break = pending_break or "\f" in raw
        s = raw.replace("\f", "").replace("\u00a0", " ").rstrip()
        lines.append(Line(s, pending_break and bool(s.strip())))
        if s.strip():
            pending_break = False
    return _drop_page_furniture(lines)


def _drop_page_furniture(lines: list[Line]) -> list[Line]:
    """Drop running page headers/footers: page numbers ("Trang 2/5", "2/5") as the first or last
    line of a page, and a line repeated (digits aside) at the top or bottom of most pages; then
    the blank lines of the page margins (a page break is not a blank line between rows)."""
    pages: list[list[int]] = [[]]
    for i, ln in enumerate(lines):
        if ln.page_break and pages[-1]:
            pages.append([])
        if ln.text.strip():
            pages[-1].append(i)
    pages = [p for p in pages if p]
    drop: set[int] = set()
    edges: dict[str, list[int]] = {}
    for p in pages:
        for i in {p[0], p[-1]}:
            s = _norm(lines[i].text)
            if _PAGE_NUMBER.match(s):
                drop.add(i)
            elif s not in SECTIONS and s != TITLE and not _header_cells(s):
                edges.setdefault(re.sub(r"\d+", "#", s), []).append(i)
    if len(pages) >= 3:
        for idx in edges.values():
            if len(idx) >= max(3, (len(pages) + 1) // 2):
                drop.update(idx)
    out: list[Line] = []
    pending_break = False
    for i, ln in enumerate(lines):
        if i in drop:
            pending_break = pending_break or ln.page_break
            continue
        if ln.text.strip() and (pending_break or ln.page_break):
            while out and not out[-1].text.strip():
                out.pop()
            ln = Line(ln.text, True)
            pending_break = False
        out.append(ln)
    return out


def _header_cells(s: str) -> bool:
    first = s.split("  ")[0].split(CELL_SEP)[0].strip()
    return any(first and cols[0].startswith(first) for cols in TABLES.values())


def read_export(text: str) -> Export:
    """Headings, label values and tables of an export's text (:func:`export_text`)."""
    ex = Export()
    head: list[Line] = []
    current: Section | None = None
    for ln in _prepare(text):
        s = _norm(ln.text.replace(CELL_SEP, " "))
        if s == TITLE or s.replace(" ", "") == TITLE.replace(" ", ""):
            continue
        key = SECTIONS.get(s)
        if key is not None:  # a heading met twice: its text continues the first one
            current = ex.sections.setdefault(key, Section(s))
            continue
        if current is None:
            head.append(ln)
        else:
            current.lines.append(ln)
    _read_labels(head, ex)
    for key, cols in TABLES.items():
        sec = ex.sections.get(key)
        if sec is not None:
            if any(CELL_SEP in ln.text for ln in sec.lines):
                sec.items, sec.table_found = _cell_items(sec.lines, cols)
            else:
                sec.items, sec.table_found = _layout_items(sec.lines, cols, ex)
    return ex


def _read_labels(lines: list[Line], ex: Export) -> None:
    current: str | None = None
    indent: int | None = None
    for ln in lines:
        if not ln.text.strip():
            continue
        if CELL_SEP in ln.text:
            cells = [x.strip() for x in ln.text.split(CELL_SEP)]
            key = LABELS.get(_norm(cells[0]))
            if key is None:
                ex.unknown.append(_norm(ln.text.replace(CELL_SEP, " ")))
                continue
            ex.fields[key] = _norm(" ".join(cells[1:]))
            current = key
            continue
        pos = len(ln.text) - len(ln.text.lstrip())
        m = _LABEL_RE.match(ln.text.strip())
        if m and (indent is None or pos <= indent + 2):
            indent = pos if indent is None else indent
            current = LABELS[m.group(1)]
            ex.fields[current] = _norm(m.group(2) or "")
        elif current is not None and indent is not None and pos > indent + 2:
            prev, nxt = ex.fields[current], _norm(ln.text)
            ex.fields[current] = (
                (join_lines(prev, nxt, page_break=ln.page_break) or f"{prev} {nxt}") if prev else nxt
            )
        else:
            ex.unknown.append(_norm(ln.text))


# --- tables from DOCX text (cells separated) -------------------------------------


def _is_header(cells: list[str], cols: tuple[str, ...]) -> bool:
    return [_norm(x).lower() for x in cells] == [x.lower() for x in cols]


def _cell_items(lines: list[Line], cols: tuple[str, ...]) -> tuple[list[Item], bool]:
    items: list[Item] = []
    found = False
    for ln in lines:
        if not ln.text.strip():
            continue
        if CELL_SEP not in ln.text:
            items.append(Item("text", text=_norm(ln.text)))
            continue
        cells = [_norm(x) for x in ln.text.split(CELL_SEP)]
        if _is_header(cells, cols):
            items.append(Item("header"))
            found = True
            continue
        if len(cells) > len(cols):  # more cells than columns: the extra ones join the last column
            cells = [*cells[: len(cols) - 1], " ".join(cells[len(cols) - 1 :])]
        cells += [""] * (len(cols) - len(cells))
        items.append(Item("row", row=Row(cells)))
    return items, found


# --- tables from PDF layout text (columns by position) ---------------------------

_TOKEN = re.compile(r"\S+")
GUTTER_SEARCH = 8  # characters around the estimated column edge searched for the gutter
_RUN = re.compile(r"\S+(?: \S+)*")
_CASE_START = re.compile(r"^Trường hợp\s*\d*\s*[:.]", re.IGNORECASE)
_COUNT_START = re.compile(r"^\d+\s*bản\b", re.IGNORECASE)
_CHANNEL_START = re.compile(
    r"^(?:Trực tiếp|Trực tuyến|Qua bưu điện|Qua dịch vụ bưu chính|Dịch vụ bưu chính|Bưu chính)", re.IGNORECASE
)


def _header_match(text: str, cols: tuple[str, ...]) -> list[tuple[int, int]] | None:
    """Spans of the column labels if ``text`` is the table's header line (labels may wrap)."""
    runs = list(_RUN.finditer(text))
    if len(runs) != len(cols):
        return None
    for m, col in zip(runs, cols, strict=True):
        label = _norm(m.group())
        if len(label) < 3 or not col.lower().startswith(label.lower()):
            return None
    if _norm(runs[0].group()) != cols[0] and len(cols) > 2:
        return None
    return [(m.start(), m.end()) for m in runs]


def _header_rest(text: str, cols: tuple[str, ...]) -> bool:
    """The second line of a wrapped header ("quyết" under "Thời hạn giải")."""
    words = _norm(text).split()
    return bool(words) and all(any(w in col.split() for col in cols) for w in words)


def _boundaries(lines: list[str], centres: list[float]) -> list[float]:
    """x positions between the columns. A header label is centred over its column and the first
    column's text starts at the table's left edge, so each column's right edge is estimated as
    its left edge mirrored over the label's centre; the boundary is then the middle of the widest
    run of positions, near that estimate, that the fewest lines write in (the gutter)."""
    starts = [m.start() for s in lines for m in _TOKEN.finditer(s)]
    left = min(starts) if starts else int(centres[0])
    width = max([len(s) for s in lines] + [int(x) + 1 for x in centres]) + 1
    occ = [0] * (width + 1)
    for s in lines:
        for m in _TOKEN.finditer(s):
            for x in range(m.start(), m.end()):
                occ[x] += 1
    out: list[float] = []
    for a, b in itertools.pairwise(centres):
        edge = 2 * a - left
        lo = max(int(a) + 1, int(edge) - GUTTER_SEARCH)
        hi = min(int(b), int(edge) + GUTTER_SEARCH + 1, width)
        if hi <= lo:
            boundary = (a + b) / 2
        else:
            best = min(occ[lo:hi])
            runs: list[tuple[int, int]] = []
            start = None
            for x in range(lo, hi + 1):
                if x < hi and occ[x] == best:
                    start = x if start is None else start
                elif start is not None:
                    runs.append((start, x))
                    start = None
            s0, s1 = max(runs, key=lambda r: r[1] - r[0])
            boundary = (s0 + s1 - 1) / 2
        out.append(boundary)
        left = boundary + 1
    return out


def _split_columns(text: str, bounds: list[float]) -> list[str]:
    cols: list[list[str]] = [[] for _ in range(len(bounds) + 1)]
    for m in _TOKEN.finditer(text):
        centre = (m.start() + m.end() - 1) / 2
        i = sum(centre > b for b in bounds)
        cols[i].append(m.group())
    return [" ".join(x) for x in cols]


def _crosses(text: str, bounds: list[float]) -> bool:
    """Prose across the columns (a case heading): a run of single-spaced words over a gutter."""
    return any(m.start() < b < m.end() for m in _RUN.finditer(text) for b in bounds)


def _key_start(cells: list[str], cols: tuple[str, ...], row: _RowBuilder | None) -> bool:
    """A line that opens a new row by its key cell: a count (when the current row has its own: a
    row cut by a page break, or printed with shifted lines, gets its count a line lower), a
    channel name, a document number beside a title (when the current row has its number)."""
    if cols is DOC_COLS:
        return bool(_COUNT_START.match(cells[2])) and (row is None or bool(row.pieces[2]))
    if cols is CHANNEL_COLS:
        return bool(_CHANNEL_START.match(cells[0]))
    if cols is LEGAL_COLS:
        if row is None or not (cells[0] and re.search(r"\d", cells[1])):
            return False
        number = " ".join(t for t, _ in row.pieces[1])
        # the current row's number is complete (not "Nghị định số 50/2026/NĐ-" awaiting "CP")
        return bool(re.search(r"\d", number)) and not re.search(r"(?:[/\-]|\bsố:?)$", number)
    return False


class _RowBuilder:
    def __init__(self, n: int) -> None:
        self.pieces: list[list[tuple[str, bool]]] = [[] for _ in range(n)]

    def add(self, cells: list[str], page_break: bool) -> None:
        for i, t in enumerate(cells):
            if t:
                self.pieces[i].append((t, page_break and bool(self.pieces[i])))


def _layout_items(lines: list[Line], cols: tuple[str, ...], ex: Export) -> tuple[list[Item], bool]:
    headers: dict[int, list[tuple[int, int]]] = {}
    for i, ln in enumerate(lines):
        spans = _header_match(ln.text, cols)
        if spans is not None:
            headers[i] = spans
    if not headers:
        return [Item("text", text=p) for p in paragraphs(lines)], False
    first = min(headers)
    spans = headers[first]
    centres = [(a + b - 1) / 2 for a, b in spans]
    skip = set(headers)
    for i in headers:
        j = i + 1
        while j < len(lines) and lines[j].text.strip() and _header_rest(lines[j].text, cols):
            skip.add(j)
            j += 1
    body = [ln.text for i, ln in enumerate(lines) if i > first and i not in skip]
    bounds = _boundaries(body, centres)

    items: list[Item] = []
    # text before the first header: a case heading (documents) or a note
    items += [Item("text", text=p) for p in paragraphs(lines[:first])]
    row: _RowBuilder | None = None
    text: list[Line] | None = None  # prose across the columns (a case heading)
    gap = True

    def flush() -> None:
        nonlocal row, text
        if row is not None:
            items.append(Item("row", row=_finish_row(row, ex)))
        if text is not None:
            items.append(Item("text", text=" ".join(paragraphs(text, markers=False))))
        row, text = None, None

    for i in range(first, len(lines)):
        ln = lines[i]
        if i in headers:
            flush()
            items.append(Item("header"))
            gap = True
            continue
        if i in skip:
            continue
        if not ln.text.strip():
            gap = True
            continue
        cells = _split_columns(ln.text, bounds)
        only_first = not any(cells[1:])
        is_text = _crosses(ln.text, bounds) or bool(_CASE_START.match(ln.text.strip()))
        if is_text or (text is not None and not gap and only_first):
            if text is None:
                flush()
                text = []
            text.append(ln)
        elif row is None or text is not None or (cells[0] and gap) or _key_start(cells, cols, row):
            flush()
            row = _RowBuilder(len(cols))
            row.add(cells, False)
        else:
            row.add(cells, ln.page_break)
        gap = False
    flush()
    return items, True


def _finish_row(b: _RowBuilder, ex: Export) -> Row:
    cells: list[str] = []
    split: set[int] = set()
    for i, pieces in enumerate(b.pieces):
        out = ""
        prev = ""
        for t, after_break in pieces:
            out = _join_recorded(out, t, after_break, ex, alone=" " not in prev.strip())
            prev = t
            if out.endswith(_UNCERTAIN):
                out = out[: -len(_UNCERTAIN)]
                split.add(i)
        cells.append(out)
    return Row(cells, split)


_UNCERTAIN = "\x00"


def _join_recorded(left: str, right: str, page_break: bool, ex: Export, *, alone: bool) -> str:
    """:func:`join_lines`, noting in ``ex`` the words rejoined and the uncertain cuts (then the
    result ends with a marker that the caller strips and flags)."""
    if not left:
        return right
    joined = join_lines(left, right, page_break=page_break, alone=alone)
    if joined is None or joined == left + right:
        pair = f"{left.rsplit(None, 1)[-1]}|{right.split(None, 1)[0]}"
    if joined is None:
        ex.word_cuts.append(pair)
        return f"{left} {right}{_UNCERTAIN}"
    if joined == left + right:
        ex.word_joins.append(pair)
    return joined


# Vietnamese syllables (tone marks removed): onset + rhyme. Used only to decide whether two pieces
# of a word cut at a line end or a page break are one word. iê/yê/uô/ươ/ă/â need a final consonant
# or glide.
_ONSET = r"(?:ngh|ng|gh|gi|kh|nh|ph|th|tr|ch|qu|[bcdđghklmnprstvx])?"
_OPEN = (
    "uyê?u|uya|oai|oay|oeo|uây|uôi|ươi|ươu|iêu|yêu|"
    "ia|ua|ưa|uơ|oa|oe|uê|uy|ai|ao|au|ay|âu|ây|eo|êu|iu|oi|ôi|ơi|ui|ưi|ưu|a|e|ê|i|o|ô|ơ|u|ư|y"
)
_CLOSED = "uyê|iê|yê|uô|ươ|oă|uâ|oa|oe|uê|uy|ă|â|a|e|ê|i|o|ô|ơ|u|ư|y"
_SYLLABLE = re.compile(rf"{_ONSET}(?:(?:{_CLOSED})(?:ch|ng|nh|[cmnpt])|(?:{_OPEN}))")
_TONES = "\u0300\u0301\u0303\u0309\u0323"
_VOWELS = "aăâeêioôơuưy"


def _untoned(word: str) -> tuple[str, int]:
    """(the word in lower case without tone marks, number of tone marks)."""
    d = unicodedata.normalize("NFD", word.lower())
    tones = sum(ch in _TONES for ch in d)
    return unicodedata.normalize("NFC", "".join(ch for ch in d if ch not in _TONES)), tones


def _syllable(word: str) -> bool:
    w, tones = _untoned(word)
    return tones <= 1 and bool(_SYLLABLE.fullmatch(w))


_LEGAL_NUMBER = re.compile(r"\d+[a-z]?(?:/\d{4})?/[A-ZĐ][A-ZĐa-z0-9\-]*")
_COMBINING = re.compile(r"^[\u0300-\u036f]")


LONG_TOKEN = 20  # a token alone on its line and this long was cut by the column width


def _forced_break(lt: str, rt: str, alone: bool) -> bool:
    """A token too long for its column, wrapped by the generator: a file name or code alone on its
    line ("Maudondenghicaplaigiahan" | "Giaychungnhan…"; a shorter one such as "GIAYTOCHUNGMINH" |
    "DIEUKIEN" may be two words and keeps its space), "Mau so 18_73_2026_QD-" | "UBND.docx",
    ".doc" | "x"), a number left open by a hyphen ("(184/2025/QĐ-" | "UBND)"), a web address, a
    line broken after a slash."""
    if re.search(r"\.(?:doc|xls)$", lt, flags=re.IGNORECASE) and rt.lower().startswith("x"):
        return True
    if lt.lower().startswith("http") and lt.endswith("/"):
        return True
    if len(lt) >= 2 and lt[-1] == "/" and lt[-2].isalnum() and rt[0].isalpha():
        return True  # "tôn giáo/" | "Tượng đài": the line breaks after a slash, not at a space
    if len(lt) >= 3 and lt[-1] in "-_" and lt[-2].isalnum() and rt[0].isalnum() and rt.isascii():
        return True
    return (
        alone
        and len(lt) >= LONG_TOKEN
        and lt.isascii()
        and "/" not in lt
        and lt[-1].isalnum()
        and rt.isascii()
        and rt[0].isalnum()
    )


def join_lines(left: str, right: str, *, page_break: bool = False, alone: bool = False) -> str | None:
    """Join two printed lines of one cell or paragraph. The generator of the exports sometimes
    cuts a word at a line end ("tài sản gắn liền v" | "ới đất") and, at a page break, cuts the
    text wherever the page ends ("thỏ" | "a thuận", "254/20" | "25/QH15"). The pieces are joined
    without a space when:

    * the second starts with a combining mark, or the joined token is a document number that the
      first piece leaves open ("175/2024/" | "NĐ-CP");
    * the joined word is a Vietnamese syllable and one piece is not ("v" | "ới", "thự" | "c");
    * at a page break only: digits on both sides ("1" | "75/2024"), punctuation opening the next
      page (``,``, ``.``, ``)``), or a second piece starting with a vowel that makes one syllable
      with the first ("thỏ" | "a", "củ" | "a": a syllable starting with a vowel right after a
      complete one is rare, a cut inside a word is not).

    Otherwise they are joined with a space. None: a page-break cut that cannot be decided
    (both pieces syllables, and so is the joined word). ``alone``: the last printed line of
    ``left`` is one token."""
    if not left or not right:
        return left + right
    if _COMBINING.match(right):
        return left + right
    lt, rt = left.rsplit(None, 1)[-1], right.split(None, 1)[0]
    open_number = (
        lt[-1] in "/-" or rt[0] in "/-" or (page_break and rt[0].isupper() and not re.search(r"\d", rt))
    )
    if "/" in lt and open_number and _LEGAL_NUMBER.fullmatch(lt + rt):
        return left + right
    if page_break and ((lt[-1].isdigit() and rt[0].isdigit()) or rt[0] in ",.;:)" or lt[-1] == "("):
        return left + right
    if _forced_break(lt, rt, alone):
        return left + right
    a = re.search(r"([^\W\d_]+)$", lt)
    b = re.match(r"([^\W\d_]+)", rt)
    if not a or not b or not _syllable(a.group(1) + b.group(1)):
        return f"{left} {right}"
    if not _syllable(a.group(1)) or not _syllable(b.group(1)):
        return left + right
    if not page_break:
        return f"{left} {right}"
    if _untoned(b.group(1))[0][:1] in _VOWELS:
        return left + right
    return None


# --- prose -----------------------------------------------------------------------

_ITEM_START = re.compile(r"^(?:[-+*•–]\s*|\d+(?:\.\d+)*[.)]\s|[a-zđ][.)]\s|Bước\s+\d+|Mã\s*:)")


def paragraphs(lines: list[Line], *, markers: bool = True) -> list[str]:
    """Unwrap printed lines into paragraphs: a blank line or (``markers``) a list marker starts a
    new one; lines are joined by :func:`join_lines` (an uncertain page-break cut keeps its space)."""
    out: list[str] = []
    cur = last = ""
    for ln in lines:
        s = _norm(ln.text.replace(CELL_SEP, " "))
        if not s:
            if cur:
                out.append(cur)
                cur = ""
            continue
        if cur and markers and _ITEM_START.match(s):
            out.append(cur)
            cur = ""
        if cur:
            cur = join_lines(cur, s, page_break=ln.page_break, alone=" " not in last) or f"{cur} {s}"
        else:
            cur = s
        last = s
    if cur:
        out.append(cur)
    return out


# --- mapping to the schema -------------------------------------------------------

CHANNELS = {
    "trực tiếp": ChannelKind.TRUC_TIEP,
    "trực tuyến": ChannelKind.TRUC_TUYEN,
    "qua bưu điện": ChannelKind.BUU_CHINH,
    "qua dịch vụ bưu chính": ChannelKind.BUU_CHINH,
    "dịch vụ bưu chính": ChannelKind.BUU_CHINH,
    "bưu chính": ChannelKind.BUU_CHINH,
}


def split_outside_parentheses(text: str, seps: str = ",;") -> list[str]:
    out: list[str] = []
    depth = 0
    cur = ""
    for ch in text:
        depth += ch == "("
        depth -= ch == ")" and depth > 0
        if ch in seps and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    out.append(cur)
    return [x.strip() for x in out if x.strip()]


# portal categories of applicants that contain commas themselves
APPLICANT_CATEGORIES = ("Cán bộ, công chức, viên chức",)


def split_applicants(text: str) -> list[str]:
    """'Công dân Việt Nam, Tổ chức (không bao gồm doanh nghiệp, HTX), Cán bộ, công chức, viên chức'
    -> the three portal categories (commas inside parentheses or inside a known category kept)."""
    protected = text
    for i, cat in enumerate(APPLICANT_CATEGORIES):
        protected = protected.replace(cat, f"\x00{i}\x00")
    out = []
    for part in split_outside_parentheses(protected, ","):
        for i, cat in enumerate(APPLICANT_CATEGORIES):
            part = part.replace(f"\x00{i}\x00", cat)
        out.append(part)
    return out


def _placeholder_free(text: str) -> str:
    """A cell made only of portal placeholders ("Không quy định, Không quy định") is empty."""
    t = c.value_or_empty(text)
    if t and all(p.strip().lower().rstrip(".") in c.NO_INFO for p in t.split(",")):
        return ""
    return t


_TIME_IN_PROSE = re.compile(
    c.NUM_RE + r"\s*(?:\([^)]{1,20}\)\s*)?" + c.UNIT_RE + r"(?![^\W\d_])", re.IGNORECASE
)


def parse_time(text: str, flags: list[ParseFlag]) -> ProcessingTime | None:
    """``bqp.parse_time`` (one ``<number> <unit>``, ``Không quy định``, prose kept as text); in prose,
    a single time limit stated once or several times with the same value and unit is taken, its
    wording kept in ``text``. Several different limits (one per case) stay prose, flagged."""
    t = _norm(text)
    if not t:
        return None
    if t.lower().rstrip(".") in {"không xác định", "không có thông tin"}:
        return ProcessingTime(value=None, unit=TimeUnit.UNKNOWN, text=t)
    pt = bqp.parse_time(t, flags)
    if pt is None or pt.value is not None or re.fullmatch(r"[\d\s\-–]+", t):
        return pt
    found = {(c.to_number(m.group(1)), c.UNIT_WORDS[m.group(2).lower()]) for m in _TIME_IN_PROSE.finditer(t)}
    if len(found) == 1:
        value, unit = next(iter(found))
        return ProcessingTime(value=value, unit=unit, text=t)
    if len(found) > 1:
        c.flag(flags, "time", "several time limits in one cell (kept as text)")
    return pt


_STATED_TIME = re.compile(r"Thời hạn giải quyết\s*:\s*([^.,;]{3,120})", re.IGNORECASE)


def _time_or_stated(cell: str, description: str, flags: list[ParseFlag]) -> ProcessingTime | None:
    """The time cell, unless it is a bare number (often "0") and the description states the time limit
    ("Thời hạn giải quyết: theo tình hình thực tế …"): then the description's statement is the time."""
    own: list[ParseFlag] = []
    time = parse_time(cell, own)
    stated = _STATED_TIME.search(description)
    if time is not None and time.value is None and re.fullmatch(r"[\d\s]+", time.text) and stated:
        words = _norm(stated.group(1))
        words = words[:1].upper() + words[1:]
        m = _TIME_IN_PROSE.search(words)
        if m:
            return ProcessingTime(
                value=c.to_number(m.group(1)), unit=c.UNIT_WORDS[m.group(2).lower()], text=words
            )
        return ProcessingTime(value=None, unit=TimeUnit.UNKNOWN, text=words)
    for f in own:
        c.flag(flags, f.field, f.problem)
    return time


_VND = r"(?:đồng|vnđ|vnd|việt nam đồng)"
_FEE_AMOUNT = re.compile(
    rf"^(\d{{1,3}}(?:[.,]\d{{3}})+|\d+)\s*{_VND}\s*(?:\((.*)\))?\.?$", re.IGNORECASE | re.S
)
_FEE_LABELLED = re.compile(r"^(Phí|Lệ phí)\s*:", re.IGNORECASE)


def parse_fees(text: str, flags: list[ParseFlag]) -> list[Fee]:
    """``Miễn phí`` -> free; ``Phí : 100.000 Đồng`` lines -> ``bqp.parse_fees``; one amount in VND ->
    amount; a placeholder ("Không có thông tin") -> no fee; anything else is one TEXT fee,
    verbatim and flagged."""
    t = _norm(text)
    if not t or t.lower().rstrip(".") in c.NO_INFO:
        return []
    if re.fullmatch(r"miễn phí\.?", t, flags=re.IGNORECASE):
        return [Fee(kind=FeeKind.FREE, text=t)]
    m = re.fullmatch(r"miễn phí\.?\s*\((.*)\)", t, flags=re.IGNORECASE | re.S)
    if m:
        return [c.free_fee(_norm(m.group(1)))]
    if _FEE_LABELLED.match(t):
        return bqp.parse_fees(re.sub(r"\s+(?=(?:Phí|Lệ phí)\s*:)", "\n", t), flags)
    m = _FEE_AMOUNT.match(t)
    if m:
        amount = int(re.sub(r"[.,]", "", m.group(1)))
        return [c.fee_from_amount(amount, "đồng", _norm(m.group(2) or "") or t)]
    if len(re.findall(rf"\d[\d.,]*\s*{_VND}", t, flags=re.IGNORECASE)) > 1:
        c.flag(flags, "fees", "several amounts in one cell (kept as text)")
    else:
        c.flag(flags, "fees", "fee cell not recognised (kept as text)")
    return [Fee(kind=FeeKind.TEXT, text=t)]


_QTY = re.compile(
    r"^(?:(\d+)\s*bản chính)?\s*,?\s*(?:(\d+)\s*bản sao)?\s*(?:\(.*\))?\.?$",
    re.IGNORECASE,
)
_FORM_SPLIT = re.compile(
    "|".join(
        rf"(?<=\.{ext})\s+" for ext in ("docx", "doc", "pdf", "xlsx", "xls", "rtf", "odt", "zip", "rar")
    ),
    re.IGNORECASE,
)


def parse_count(text: str) -> tuple[int | None, int | None] | None:
    """'1 bản chính, 1 bản sao' -> (1, 1); '2 bản sao' -> (None, 2); '' or 'Không có' (the portal's
    word for no count) -> (None, None); anything else -> None."""
    t = _norm(text)
    if not t or t.lower().rstrip(".") in c.NO_INFO:
        return None, None
    m = _QTY.match(t)
    if not m or not (m.group(1) or m.group(2)):
        return None
    return (
        int(m.group(1)) if m.group(1) else None,
        int(m.group(2)) if m.group(2) else None,
    )


def _section_text(sec: Section | None) -> str:
    return "\n".join(paragraphs(sec.lines)) if sec else ""


def _raw_table(sec: Section, cols: tuple[str, ...]) -> str:
    """The section as read, verbatim: one line per row with its cells separated by " | " (the
    same text whether the export was a PDF or a Word file)."""
    if not sec.table_found:
        return _section_text(sec)
    out: list[str] = []
    for it in sec.items:
        if it.kind == "header":
            out.append(" | ".join(cols))
        elif it.kind == "row":
            out.append(" | ".join(_norm(x) for x in it.row.cells))
        else:
            out.append(it.text)
    return "\n".join(out)


def _documents(sec: Section | None, flags: list[ParseFlag], raw: dict[str, str]) -> list[Document]:
    if sec is None:
        return []
    if not sec.table_found:
        if _section_text(sec):
            c.flag(flags, "documents", "document table header not found")
            raw["documents"] = _raw_table(sec, DOC_COLS)
        return []
    docs: list[Document] = []
    case: str | None = None
    pending: list[str] = []  # text since the last row: the next case heading
    n_flags = len(flags)
    for k, it in enumerate(sec.items):
        if it.kind == "text":
            pending.append(it.text)
        elif it.kind == "header":
            if pending:
                case = " ".join(pending)
            pending = []
        else:
            row = it.row
            name, form, count = (_norm(x) for x in row.cells)
            if not form and not count and _next_is_header(sec.items, k):
                pending.append(name)  # a short case heading that fits in the first column
                continue
            if pending:  # text between rows of one table: a sub-heading of the rows after it
                case = " ".join(pending)
                pending = []
            qty = parse_count(count)
            if qty is None:
                c.flag(flags, "documents", "count not recognised")
                qty = (None, None)
            if row.split_cells:
                c.flag(flags, "documents", "word cut at a page break left as printed")
            if not name:
                c.flag(flags, "documents", "row without a name")
                continue
            forms = [f.strip() for f in _FORM_SPLIT.split(form) if f.strip()]
            docs.append(
                Document(
                    name=name,
                    form="; ".join(forms) or None,
                    originals=qty[0],
                    copies=qty[1],
                    case=case,
                )
            )
    if pending:
        c.flag(flags, "documents", "text after the last row")
    if len(flags) > n_flags:
        raw["documents"] = _raw_table(sec, DOC_COLS)
    return docs


def _next_is_header(items: list[Item], k: int) -> bool:
    for it in items[k + 1 :]:
        if it.kind == "header":
            return True
        if it.kind == "row":
            return False
    return False


def _channels(sec: Section | None, flags: list[ParseFlag], raw: dict[str, str]) -> list[Channel]:
    if sec is None:
        return []
    if not sec.table_found:
        if _section_text(sec):
            c.flag(flags, "channels", "table header not found")
            raw["channels"] = _raw_table(sec, CHANNEL_COLS)
        return []
    out: list[Channel] = []
    n_flags = len(flags)
    for it in sec.items:
        if it.kind == "text":
            c.flag(flags, "channels", "text outside the table rows")
            continue
        if it.kind != "row":
            continue
        cells = [_norm(x) for x in it.row.cells]
        kind = CHANNELS.get(cells[0].lower())
        if kind is None:
            c.flag(flags, "channels", f"unknown channel {cells[0]!r}")
            continue
        if 1 in it.row.split_cells:
            c.flag(flags, "time", "word cut at a page break left as printed")
        if 2 in it.row.split_cells:
            c.flag(flags, "fees", "word cut at a page break left as printed")
        description = _placeholder_free(cells[3])
        out.append(
            Channel(
                kind=kind,
                time=_time_or_stated(cells[1], description, flags),
                fees=parse_fees(cells[2], flags),
                description=description,
            )
        )
    if len(flags) > n_flags:
        raw["channels"] = _raw_table(sec, CHANNEL_COLS)
    return out


def _legal(sec: Section | None, flags: list[ParseFlag], raw: dict[str, str]) -> list[LegalBasis]:
    if sec is None:
        return []
    if not sec.table_found:
        if _section_text(sec):
            c.flag(flags, "legal_bases", "table header not found")
            raw["legal_bases"] = _raw_table(sec, LEGAL_COLS)
        return []
    out: list[LegalBasis] = []
    n_flags = len(flags)
    for it in sec.items:
        if it.kind == "text":
            c.flag(flags, "legal_bases", "text outside the table rows")
        elif it.kind == "row":
            title, number = (_norm(x) for x in it.row.cells)
            if it.row.split_cells:
                c.flag(flags, "legal_bases", "word cut at a page break left as printed")
            if not title and not number:
                continue
            num, usual = legal_number(number, title)
            if not usual:
                c.flag(flags, "legal_bases", "document number not in the usual form (kept as printed)")
            out.append(LegalBasis(number=num, title=title))
    if len(flags) > n_flags:
        raw["legal_bases"] = _raw_table(sec, LEGAL_COLS)
    return out


_NUMBER_IN_CELL = re.compile(r"(?<![\d/])\d+[a-z]?(?:/\d{4})?/[A-ZĐ][A-ZĐa-z0-9\-]*[A-ZĐa-z0-9]")


def legal_number(cell: str, title: str) -> tuple[str | None, bool]:
    """(number, in the usual form) of a legal-basis row. The 'Mã văn bản' cell may carry words
    ("Luật số 146/2025/QH15", "Nghị định 101/2024/NĐ-CP") or spaces around a slash ("35 /2025/…"):
    its one number is taken. An empty cell: ``bqp._legal_number`` finds the number in the title.
    Anything else ("06", "Luật đường bộ năm 2024", two numbers) is kept as printed."""
    t = _norm(cell)
    found = set(_NUMBER_IN_CELL.findall(re.sub(r"\s*/\s*", "/", t)))
    if len(found) == 1:
        return found.pop(), True
    if not t:
        num = bqp._legal_number({"so_ky_hieu": "", "trich_yeu": title})
        return num, True
    return t, False


def _result(sec: Section | None) -> str:
    out: list[str] = []
    for p in paragraphs(sec.lines) if sec else []:
        m = re.match(r"^Mã\s*:\s*(.+)$", p)
        if m and out:
            out[-1] += f" (mã {m.group(1).strip()})"
        elif not m:
            out.append(p)
    return c.value_or_empty("\n".join(out))


def parse_text(text: str, *, source_url: str, today: dt.date, exported: dt.date | None = None) -> Procedure:
    """One export's text (:func:`export_text`) as a validated :class:`Procedure`.

    Raises ``ValueError`` when the text has no ``Mã thủ tục`` or ``Tên thủ tục`` (not an export)."""
    ex = read_export(text)
    return to_procedure(ex, source_url=source_url, today=today, exported=exported)


def to_procedure(
    ex: Export, *, source_url: str, today: dt.date, exported: dt.date | None = None
) -> Procedure:
    f = ex.fields
    code = _norm(f.get("code", ""))
    title = _norm(f.get("title", ""))
    if not code or not title:
        raise ValueError(
            "không phải bản xuất 'Chi tiết thủ tục hành chính': thiếu Mã thủ tục hoặc Tên thủ tục"
        )
    flags: list[ParseFlag] = []
    raw: dict[str, str] = {}
    levels, unknown = c.parse_levels(_norm(f.get("levels", "")))
    if unknown:
        levels += [] if Level.KHAC in levels else [Level.KHAC]
        c.flag(flags, "levels", f"unknown level {unknown} (recorded as khac)")
        raw["levels"] = f.get("levels", "")
    secs = ex.sections
    agency_parts = [c.value_or_empty(_section_text(secs.get("agency")))]
    if f.get("agency") and f.get("agency") not in agency_parts:
        agency_parts.insert(0, c.value_or_empty(f["agency"]))
    authorized = c.value_or_empty(f.get("authorized_agency"))
    if authorized:
        agency_parts.append(f"Cơ quan được ủy quyền: {authorized}")
    keywords = c.value_or_empty(_section_text(secs.get("keywords")))
    description = c.value_or_empty(_section_text(secs.get("description")))
    if description:
        raw["description"] = description
    if ex.unknown:  # lines of the label block under no known label
        raw["unparsed"] = "\n".join(ex.unknown)
    channels = _channels(secs.get("channels"), flags, raw)
    documents = _documents(secs.get("documents"), flags, raw)
    legal = _legal(secs.get("legal_bases"), flags, raw)
    return Procedure(
        code=code,
        title=title,
        field=c.value_or_empty(f.get("field")),
        levels=levels,
        procedure_type=c.value_or_empty(f.get("procedure_type")),
        decision=c.value_or_empty(f.get("decision")),
        agency="\n".join(p for p in agency_parts if p),
        competent_authority=c.value_or_empty(f.get("competent_authority")),
        coordinating_agency=c.value_or_empty(f.get("coordinating_agency")),
        address=c.value_or_empty(f.get("address")),
        applicants=split_applicants(c.value_or_empty(f.get("applicants"))),
        channels=channels,
        steps=c.split_steps(_section_text(secs.get("steps"))),
        documents=documents,
        conditions=c.value_or_empty(_section_text(secs.get("conditions"))),
        result=_result(secs.get("result")),
        legal_bases=legal,
        keywords=split_outside_parentheses(keywords) if keywords else [],
        source_url=source_url,
        source_dataset=DATASET,
        source_date=exported,
        imported_at=today,
        raw=raw,
        flags=flags,
    )


# --- group folder and provenance -------------------------------------------------

# the ministry that published the decision ("843/QĐ-BXD"), as folders of knowledge/procedures
MINISTRIES = {
    "BXD": "Bộ Xây dựng",
    "BNNMT": "Bộ Nông nghiệp và Môi trường",
    "BCT": "Bộ Công Thương",
    "BCA": "Bộ Công an",
    "BTC": "Bộ Tài chính",
    "BTP": "Bộ Tư pháp",
    "BQP": "Bộ Quốc phòng",
    "BVHTTDL": "Bộ Văn hóa, Thể thao và Du lịch",
    "BKHCN": "Bộ Khoa học và Công nghệ",
    "BYT": "Bộ Y tế",
    "BGDĐT": "Bộ Giáo dục và Đào tạo",
    "BNV": "Bộ Nội vụ",
    "BNG": "Bộ Ngoại giao",
    "BDTTG": "Bộ Dân tộc và Tôn giáo",
    "NHNN": "Ngân hàng Nhà nước Việt Nam",
}
GROUPS = {  # folder names already used by the knowledge base
    "Bộ Nông nghiệp và Môi trường": "bo-nong-nghiep-mt",
    "Ngân hàng Nhà nước Việt Nam": "ngan-hang-nha-nuoc",
}
_MINISTRY_IN_TEXT = re.compile(r"\b(Bộ\s+[A-ZĐÀ-Ỹ][^,;()\n]*)")


def group_of(p: Procedure) -> str:
    """Folder of a record: the ministry that published its decision (``QĐ-BXD``) or that the
    competent authority / agency names ("Bộ Xây dựng"); "khac" for a province's or other list."""
    name = None
    m = re.search(r"QĐ-([A-ZĐ]+)", p.decision)
    if m and m.group(1) in MINISTRIES:
        name = MINISTRIES[m.group(1)]
    if name is None:
        known = {v.lower(): v for v in MINISTRIES.values()}
        for text in (p.competent_authority, p.agency):
            for m in _MINISTRY_IN_TEXT.finditer(text):
                cand = m.group(1).strip().rstrip(".").lower()
                if cand in known:
                    name = known[cand]
                    break
            if name:
                break
    if name is None:
        return "khac"
    return GROUPS.get(name) or c.slug(name)


@lru_cache(maxsize=8)
def _index(folder: Path) -> dict[str, dict]:
    """``procedures.json`` of the sample (written by PowerShell: UTF-8 with BOM), by PDF file name."""
    path = folder / "procedures.json"
    if not path.is_file():
        return {}
    try:
        rows = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError):
        return {}
    return {Path(r.get("PdfFile", "")).name: r for r in rows if isinstance(r, dict) and r.get("PdfFile")}


@lru_cache(maxsize=8)
def _exported(folder: Path) -> dt.date | None:
    path = folder / "summary.json"
    try:
        value = json.loads(path.read_text(encoding="utf-8-sig")).get("CrawledAt", "")
        return dt.date.fromisoformat(str(value)[:10])
    except (OSError, ValueError, AttributeError):
        return None


def source_of(path: Path) -> tuple[str, dt.date | None]:
    """(source_url, export date): the portal page of the record id in ``procedures.json`` found
    beside the file or one folder up (``https://dichvucong.gov.vn/thu-tuc-hanh-chinh/<Id>``, the
    form the other importers use), else the file name; the date from ``summary.json``."""
    for folder in (path.parent, path.parent.parent):
        row = _index(folder.resolve()).get(path.name) or _index(folder.resolve()).get(path.stem + ".pdf")
        if row and row.get("Id"):
            return PORTAL_URL.format(id=row["Id"]), _exported(folder.resolve())
    for folder in (path.parent, path.parent.parent):
        d = _exported(folder.resolve())
        if d:
            return path.name, d
    return path.name, None


class PortalExport(ProcedureSource):
    """The official exports (``.pdf``, ``.docx``) under :data:`FOLDER`, or under an office's own
    folder (:meth:`sources_in`); grouped by the ministry the record names (:func:`group_of`)."""

    dataset = DATASET

    def iter_sources(self, raw_dir: Path) -> list[Source]:
        return self.sources_in(raw_dir / FOLDER)

    def sources_in(self, folder: Path, *, dated_by_file: bool = False) -> list[Source]:
        """The exports under ``folder``.

        :param folder: any folder of exports (searched recursively)
        :param dated_by_file: an export without a date of its own counts as of its file's date
            (an office's downloads); otherwise it stays undated
        """
        return [
            Source(p, source_date=dt.date.fromtimestamp(p.stat().st_mtime) if dated_by_file else None)
            for p in iter_files(folder)
        ]

    def load(self, source: Source, today: dt.date) -> Procedure:
        """The record of one export, dated by its export when :func:`source_of` finds the date."""
        url, exported = source_of(source.path)
        return parse_text(export_text(source.path), source_url=url, today=today, exported=exported)

    def group_of(self, source: Source, proc: Procedure) -> str:
        return group_of(proc)
