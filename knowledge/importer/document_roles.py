"""Dossier structure: what each document row asks of the citizen, and the portal's order.

The portal publishes a dossier (thành phần hồ sơ) as one or more tables, each under a case
header (``* Giấy tờ phải nộp:``, ``* Giấy tờ phải xuất trình:``, ``Trường hợp ủy quyền…``,
``* Lưu ý:``, or none). The crawl kept the rows but scrambled the tables (the untitled table
holding the declaration form often comes last, after the notes), and legal notes sit among the
documents as rows with no count. :func:`assign_roles` gives every row a
:class:`~knowledge.schema.DocumentRole` from the record's own structure only:

- the table's header: notes, documents to show, a conditional case, a situation of its own
  (``Đăng ký thường trú vào chỗ ở hợp pháp do thuê, mượn…``) or the ordinary dossier;
- the row's leading words (``Trường hợp…``, ``Đối với…``, ``Lưu ý``, ``Người tiếp nhận…``)
  and whether it names a condition in its first clause (``… trong trường hợp ủy quyền``,
  ``(nếu có)``);
- its counts and form: a row with no original, no copy and no form that reads as a statement
  (``Trường hợp … thì không phải nộp bản giấy``) is a note, not a document.

and restores the order a citizen reads: the ordinary dossier first (forms first within it),
then documents to show, conditional cases, notes. Nothing is dropped or rewritten: the rows
returned are the rows given, in a new order, each with its role.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from knowledge.importer.common import fold_text
from knowledge.schema import Document, DocumentRole

# leading bullets and numbering: "- ", "+ ", "* ", "a) ", "(1.3) ", "1. ", "II) ", "a.1) "
_LEAD = re.compile(
    r"^(?:[\s\-+*•–—.:;]+|\(?\d+(?:\.\d+)*\)|\d+(?:\.\d+)*\.(?!\d)|\(?[a-zđ](?:\.?\d)?\)|[ivx]+[.)]|[a-zđ]\.(?=\s))+",
    re.IGNORECASE,
)


def lead_words(text: str) -> str:
    """The text folded (no diacritics, lower case) without its leading bullets and numbering."""
    return _LEAD.sub("", fold_text(text)).strip()


def _starts(text: str, prefixes: Iterable[str]) -> bool:
    return any(text.startswith(p) for p in prefixes)


_NOTE_HEAD = ("luu y", "ghi chu", "chu y")
_SHOW_HEAD = ("giay to phai xuat trinh", "xuat trinh", "giay to xuat trinh", "cac giay to phai xuat trinh")
_COND_LEAD = (
    "truong hop",
    "trong truong hop",
    "doi voi",
    "neu ",
    "rieng ",
    "ngoai ra",
    "cac truong hop",
    "mien nop",
    "tuy tung",
    "(truong hop",
)
# headers that name a part of the one ordinary dossier, not a situation of its own
_PART_HEAD = (
    "giay to phai nop",
    "ho so",
    "thanh phan",
    "cac giay to",
    "giay to",
    "bao gom",
    "tai lieu",
    "so luong",
    "nop truc tiep",
    "nop truc tuyen",
    "hinh thuc",
    "phieu",
    "to khai",
    "mau",
    "theo quy dinh",
)
# a row that is a statement about the dossier, not a document
_NOTE_LEAD = (
    "luu y",
    "*luu y",
    "ghi chu",
    "chu y",
    "nguoi tiep nhan",
    "can bo tiep nhan",
    "co quan ",
    "ca nhan co quyen",
    "khi ",
    "viec ",
    "trong thoi han",
    "sau khi",
    "cac ban sao la",
    "phieu nay",
    "phieu duoc tao lap",
    "nguoi yeu cau",
    "nguoi co yeu cau",
    "nguoi di dang ky",
    "nguoi nop",
    "cong dan ",
    "thong tin ",
    "khong ",
    "ho so ",
    "ban chup cac giay to",
    "vi du",
    "so luong ho so",
)
# a form the citizen fills in
_FORM_LEAD = (
    "to khai",
    "don ",
    "phieu de nghi",
    "mau ",
    "ban khai",
    "giay de nghi",
    "van ban de nghi",
    "de nghi",
)
_FORM_ANYWHERE = re.compile(r"\btheo mau\b|\(mau\b|\bmau so\b|\bmau [a-z]{1,4}\d")
# a condition named in the row's first clause, or a document that only a case needs (an
# authorisation, the proof that one represents a minor)
_CONDITION_IN_CLAUSE = re.compile(
    r"\btruong hop\b|\bneu co\b|\bdoi voi\b|\buy quyen\b|\bnguoi dai dien hop phap\b|\bduoi \d+ tuoi\b"
)
_PARENS = re.compile(r"\([^()]*\)")
# "(đối với người nước ngoài…)", "(nếu có)": a condition in parentheses. "(nếu người có yêu cầu
# lựa chọn nộp hồ sơ theo hình thức trực tiếp)" only says which channel the row is for.
_CONDITION_IN_PARENS = re.compile(r"\(\s*(?:doi voi|truong hop|neu co|ap dung (?:doi voi|cho))\b")


# what may follow the title in the header of the ordinary dossier ("Đăng ký tạm trú, hồ sơ gồm:")
_DOSSIER_WORDS = ("", "gom", "bao gom", "ho so gom", "ho so bao gom", "ho so")


class _Kind:
    MAIN, SHOW, CASE, NOTE = range(4)


def header_kind(header: str | None, title: str) -> int:
    """What a table header says about its rows (``title``: the folded title, "thủ tục" removed)."""
    if not header:
        return _Kind.MAIN
    h = lead_words(header)
    if not h or (h.startswith(title) and h[len(title) :].strip(" :,.-") in _DOSSIER_WORDS):
        return _Kind.MAIN  # the procedure's own name heads its ordinary dossier
    if _starts(h, _NOTE_HEAD):
        return _Kind.NOTE
    if _starts(h, _SHOW_HEAD):
        return _Kind.SHOW
    if _starts(h, _COND_LEAD):
        return _Kind.CASE
    if _starts(h, _PART_HEAD):
        return _Kind.MAIN
    # "Đăng ký thường trú vào chỗ ở hợp pháp do thuê…", "Người được chăm sóc…": a situation
    # with a dossier of its own (a statement about a form, "Phiếu này là…", is caught above)
    if h.startswith(" ".join(title.split()[:2])) or not _starts(h, _FORM_LEAD):
        return _Kind.CASE
    return _Kind.MAIN


def is_case_header(header: str | None, title: str) -> bool:
    """The header names a case or a situation of its own (not the ordinary dossier, notes or
    documents to show)."""
    return header_kind(header, folded_title(title)) == _Kind.CASE


def first_clause(name: str) -> str:
    """The folded row text up to its first ';' or sentence end, without parentheses."""
    text = _PARENS.sub(" ", fold_text(name))
    return re.split(r";|\.\s|:\s", lead_words(text), maxsplit=1)[0]


def is_form(doc: Document) -> bool:
    """A form the citizen fills in (tờ khai, đơn, phiếu đề nghị, a named mẫu)."""
    lead = lead_words(doc.name)
    return bool(doc.form) or _starts(lead, _FORM_LEAD) or bool(_FORM_ANYWHERE.search(lead[:160]))


def form_rank(doc: Document) -> int:
    """0: the declaration a citizen writes (tờ khai, đơn, phiếu…); 1: another form (the portal's
    electronic form, a named mẫu); 2: not a form."""
    if not is_form(doc):
        return 2
    return 1 if _starts(lead_words(doc.name), ("mau ",)) else 0


def row_role(doc: Document, kind: int, title: str = "") -> DocumentRole:
    """The role of one row under a header of ``kind`` (``title``: the folded title)."""
    lead = lead_words(doc.name)
    if kind == _Kind.NOTE or _starts(lead, _NOTE_HEAD):
        return DocumentRole.NOTE
    counted = bool(doc.originals) or bool(doc.copies) or bool(doc.form)
    if not counted and doc.originals == 0:
        # a row of the portal table with no document: an exemption, a rule, a sub-heading
        if _starts(lead, _COND_LEAD) or _starts(lead, _NOTE_LEAD) or lead.rstrip().endswith(":"):
            return DocumentRole.NOTE
    elif _starts(lead, _NOTE_LEAD) and not is_form(doc) and not _starts(lead, ("ho so ", "thong tin ")):
        return DocumentRole.NOTE
    if kind == _Kind.CASE:
        return DocumentRole.CONDITIONAL
    if _starts(lead, _COND_LEAD) or _CONDITION_IN_PARENS.search(fold_text(doc.name)[:300]):
        return DocumentRole.CONDITIONAL
    conditions = [m.group(0) for m in _CONDITION_IN_CLAUSE.finditer(first_clause(doc.name))]
    # "người đại diện hợp pháp của người dưới 14 tuổi" is no condition in "Cấp thẻ căn cước cho
    # người dưới 14 tuổi": a condition the title names holds for every applicant
    if conditions and not any(c in title for c in conditions) and not is_form(doc):
        return DocumentRole.CONDITIONAL
    if kind == _Kind.SHOW or lead.startswith("xuat trinh"):
        return DocumentRole.SHOW
    return DocumentRole.SUBMIT


_ROLE_RANK = {DocumentRole.SUBMIT: 0, DocumentRole.SHOW: 1, DocumentRole.CONDITIONAL: 2, DocumentRole.NOTE: 3}


def folded_title(title: str) -> str:
    """The title folded, "Thủ tục" and a level qualifier removed ("dang ky thuong tru")."""
    t = re.sub(r"^thu tuc\s+", "", fold_text(title))
    return re.sub(r"\s*\((?:thuc hien )?(?:tai |o )?cap [^)]*\)", "", t).strip()


def assign_roles(documents: list[Document], title: str) -> list[Document]:
    """The same rows with a role each, in the order a citizen reads them (see module doc)."""
    tl = folded_title(title)
    kinds = {doc.case: header_kind(doc.case, tl) for doc in documents}
    roles = [row_role(doc, kinds[doc.case], tl) for doc in documents]
    situations = {
        doc.case for doc, role in zip(documents, roles, strict=True) if role is DocumentRole.CONDITIONAL
    }
    ordinary = any(role in (DocumentRole.SUBMIT, DocumentRole.SHOW) for role in roles)
    if not ordinary and len(situations) == 1 and kinds[next(iter(situations))] == _Kind.CASE:
        # one situation and no other document: it is the ordinary dossier ("Công dân đã được
        # cấp thẻ căn cước…" for the electronic identity)
        kinds[next(iter(situations))] = _Kind.MAIN
        roles = [row_role(doc, kinds[doc.case], tl) for doc in documents]
    # within a role, a case header's rows are read together even where the crawl split them
    # apart, in the order the headers first appear (so sorting again changes nothing)
    case_at: dict[tuple[DocumentRole, str | None], int] = {}
    for i, (doc, role) in enumerate(zip(documents, roles, strict=True)):
        case_at.setdefault((role, doc.case), 0 if doc.case is None else i + 1)
    rows = []
    for i, (doc, role) in enumerate(zip(documents, roles, strict=True)):
        form_first = form_rank(doc) if role in (DocumentRole.SUBMIT, DocumentRole.CONDITIONAL) else 2
        key = (_ROLE_RANK[role], case_at[(role, doc.case)], form_first, i)
        rows.append((key, doc.model_copy(update={"role": role})))
    return [doc for _, doc in sorted(rows, key=lambda r: r[0])]
