"""A procedure's dossier as a citizen reads it: the ordinary case first, the rest one tap away.

The importer gave every document row a role (``knowledge/importer/document_roles.py``); this
module groups the rows for answers and the staff checklist:

- the ordinary dossier: documents to submit, then documents to show at the desk;
- when the record has no ordinary dossier but several situations of its own (``Đăng ký thường
  trú vào chỗ ở hợp pháp do thuê…``), those situations, and the documents every one of them asks;
- conditional cases (``Trường hợp ủy quyền…``) and notes.

Every row of the record is in exactly one group (:meth:`DossierView.rows` returns them all), and
the short names used in first replies are cut from the row's own words: the first clause, a
legal citation dropped, a long parenthesis reduced to the form code or the channel it names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from indexer.query import fold
from knowledge.importer.document_roles import is_case_header
from knowledge.per_record import PerRecord
from knowledge.schema import Document, DocumentRole, Procedure

SHORT_NAME_CHARS = 150

# "Mẫu DC02", "mẫu CT01", "Mẫu số 18", "mẫu TK01a", "(mẫu ĐKX10/79", "Mẫu 02", tax forms "02/QTT-TNCN"
_FORM_CODE = re.compile(
    r"\b[Mm]ẫu\s+(?:số\s+)?((?:[A-ZĐ]{1,5}[\s-]?)?\d{1,3}[a-z]?(?:/[A-ZĐ][A-ZĐ0-9\-]*)?)(?![\w/])"
    r"|\b(\d{2}/[A-ZĐ]{2,}(?:-[A-ZĐ]{2,})+)\b"
)
_BULLET = re.compile(r"^(?:[\s\-+*•–—]+|\(?[ivx]+\)\s*|\(?\d+(?:\.\d+)*\)\s*|[a-zđ]\)\s*)+", re.IGNORECASE)
_PAREN = re.compile(r"\s*\(([^()]*)\)")
# a tail that only cites the legal text a form comes from
_CITATION = re.compile(
    r",?\s+(?:được\s+)?(?:ban hành\s+)?kèm theo\s+(?:Thông tư|Nghị định|Quyết định|Nghị quyết)\b.*$",
    re.IGNORECASE,
)
_CODE_TOKEN = re.compile(r"\b[A-ZĐ]{2,5}\s?\d{1,3}[a-z]?\b")


def form_code(doc: Document) -> str | None:
    """The form's code named in the row or its attached file ("CT01", "số 18"), if any."""
    for text in (doc.name, doc.form or ""):
        m = _FORM_CODE.search(text)
        if m:
            code = (m.group(1) or m.group(2)).replace(" ", "")
            return f"số {code}" if code.isdigit() else code
    return None


def _paren_replacement(inner: str) -> str:
    """What a parenthesis becomes in a short name: the form code, which channel the row is
    for, "nếu có", or itself when short; a long one (a legal citation) is dropped."""
    folded = fold(inner)
    m = _FORM_CODE.search(inner)
    if m:
        code = (m.group(1) or m.group(2)).replace(" ", "")
        return f" (mẫu {'số ' + code if code.isdigit() else code})"
    if "neu co" in folded and len(folded) < 20:
        return " (nếu có)"
    online = "truc tuyen" in folded
    offline = "truc tiep" in folded or "buu chinh" in folded
    if "neu" in folded and online != offline:
        return " (nếu nộp trực tuyến)" if online else " (nếu nộp trực tiếp hoặc qua bưu chính)"
    return f" ({inner.strip()})" if len(inner) <= 40 else ""


def clean_name(text: str) -> str:
    """The row's text without leading bullets and trailing punctuation."""
    return _BULLET.sub("", text.strip()).strip().rstrip(";:,. ").strip()


def short_name(doc: Document, limit: int = SHORT_NAME_CHARS) -> str:
    """The row's first clause, parentheses shortened (see :func:`_paren_replacement`), cut at a
    word with "…" when still longer than ``limit``; the full text stays one tap away."""
    text = clean_name(doc.name)
    first = re.split(r";\s|\.\s(?=[A-ZĐÀ-Ỹ])|\s[-–]\s(?=[A-ZĐ])", text, maxsplit=1)[0]
    short = _PAREN.sub(lambda m: _paren_replacement(m.group(1)), first)
    short = _CITATION.sub("", short).strip().rstrip(";:,. ")
    cut = short != text
    if len(short) > limit:
        short = short[:limit].rsplit(" ", 1)[0].rstrip(";:,. ")
        cut = True
    return short + ("…" if cut and not short.endswith(")") else "")


def quantity(doc: Document) -> str:
    """ "2 bản chính", "bản sao" — said only when it is not the usual one original."""
    bits = []
    if doc.originals and (doc.originals > 1 or doc.copies):
        bits.append(f"{doc.originals} bản chính")
    if doc.copies:
        bits.append("bản sao" if doc.copies == 1 and not doc.originals else f"{doc.copies} bản sao")
    return ", ".join(bits)


def document_line(doc: Document) -> str:
    """One line of a first reply: short name, form code (when the name does not say it), quantity."""
    line = short_name(doc)
    code = form_code(doc)
    if code and fold(code) not in fold(line) and not _CODE_TOKEN.search(line):
        line += f" — mẫu {code}"
    qty = quantity(doc)
    return line + (f" ({qty})" if qty else "")


def document_key(doc: Document) -> str:
    """Rows that name the same document in two situations share this key: the form code,
    else the name's first words up to a parenthesis or comma."""
    code = form_code(doc)
    if code:
        return f"form:{fold(code)}"
    return fold(re.split(r"[(,]", short_name(doc, limit=80))[0]).strip(" .;…")


@dataclass
class Situation:
    label: str  # the case header as written, bullets removed
    rows: list[Document] = field(default_factory=list)


@dataclass
class DossierView:
    submit: list[Document] = field(default_factory=list)
    show: list[Document] = field(default_factory=list)
    situations: list[Situation] = field(default_factory=list)  # only when there is no ordinary dossier
    common: list[Document] = field(default_factory=list)  # asked by every situation
    cases: list[Situation] = field(default_factory=list)  # conditional rows by case
    notes: list[Document] = field(default_factory=list)

    @property
    def ordinary(self) -> list[Document]:
        return self.submit + self.show

    def rows(self) -> list[Document]:
        """Every row of the record, each once."""
        out = self.ordinary + [d for s in self.situations for d in s.rows]
        return out + [d for c in self.cases for d in c.rows] + self.notes

    def case_count(self) -> int:
        return sum(len(c.rows) for c in self.cases)


def situation_label(header: str, title: str) -> str:
    """The case header as a label, without the procedure's own name in front ("Đăng ký thường
    trú vào chỗ ở … do thuê" → "Vào chỗ ở … do thuê")."""
    label = re.sub(r"(?i)[,:]?\s*(?:hồ sơ\s+)?(?:bao\s+)?gồm$", "", clean_name(header)).strip()
    name = re.sub(r"(?i)^thủ tục\s+", "", title).strip()
    if fold(label).startswith(fold(name) + " ") and len(label) > len(name) + 3:
        rest = label[len(name) :].strip(" ,:-")
        label = rest[:1].upper() + rest[1:]
    return label


def _by_case(rows: list[Document], title: str) -> list[Situation]:
    """Rows grouped by their case header; rows under another header (``* Giấy tờ phải nộp:``)
    say their case themselves ("Trường hợp trẻ em bị bỏ rơi…") and share the label ""."""
    groups: dict[str, Situation] = {}
    for d in rows:
        label = situation_label(d.case, title) if is_case_header(d.case, title) else ""
        groups.setdefault(label, Situation(label)).rows.append(d)
    return sorted(groups.values(), key=lambda s: s.label == "")


def dossier(p: Procedure) -> DossierView:
    """The record's documents sorted for the citizen: the ordinary dossier, its cases, its notes
    (built once per loaded record; callers read it, never change it)."""
    return _views(p)


def _dossier(p: Procedure) -> DossierView:
    view = DossierView()
    conditional: list[Document] = []
    for d in p.documents:
        if d.role is DocumentRole.SUBMIT:
            view.submit.append(d)
        elif d.role is DocumentRole.SHOW:
            view.show.append(d)
        elif d.role is DocumentRole.CONDITIONAL:
            conditional.append(d)
        else:
            view.notes.append(d)
    headed = [d for d in conditional if is_case_header(d.case, p.title)]
    if not view.ordinary and len({d.case for d in headed}) >= 2:
        # no ordinary dossier: the record lists situations, each with its own documents
        view.situations = _by_case(headed, p.title)
        conditional = [d for d in conditional if d not in headed]
        keys = [{document_key(d) for d in s.rows} for s in view.situations]
        shared = set.intersection(*keys) if keys else set()
        seen: set[str] = set()
        for d in view.situations[0].rows:
            if document_key(d) in shared and document_key(d) not in seen:
                seen.add(document_key(d))
                view.common.append(d)
    view.cases = _by_case(conditional, p.title)
    return view


_views: PerRecord[Procedure, DossierView] = PerRecord(_dossier)
