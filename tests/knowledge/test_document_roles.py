"""Dossier roles (``knowledge/importer/document_roles.py``) on the committed records: every row
kept, the committed files are what the classifier gives, and the ordinary case of common
procedures is what their records say."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge import store
from knowledge.importer.common import fold_text
from knowledge.importer.document_roles import assign_roles, header_kind, is_case_header, row_role
from knowledge.schema import Document, DocumentRole
from knowledge.validate import validate_dir

KDIR = Path(__file__).resolve().parents[2] / "knowledge"


@pytest.fixture(scope="module")
def procs():
    return {p.code: p for p in store.load_procedures(KDIR)}


def _names(docs, role):
    return [fold_text(d.name) for d in docs if d.role is role]


def test_every_row_is_kept_and_the_committed_files_are_classified(procs):
    """Nothing dropped or rewritten: the classifier only orders rows and gives each a role, and
    re-running it on a committed record changes nothing (the files are its output)."""
    for p in procs.values():
        again = assign_roles(p.documents, p.title)
        assert [d.model_dump() for d in again] == [d.model_dump() for d in p.documents], p.code


def test_roles_are_all_used_and_most_records_have_an_ordinary_dossier(procs):
    roles = {d.role for p in procs.values() for d in p.documents}
    assert roles == set(DocumentRole)
    with_docs = [p for p in procs.values() if p.documents]
    ordinary = [p for p in with_docs if any(d.role is DocumentRole.SUBMIT for d in p.documents)]
    assert len(ordinary) / len(with_docs) > 0.8


def test_birth_registration_ordinary_case_first(procs):
    docs = procs["1.001193"].documents
    submit = _names(docs, DocumentRole.SUBMIT)
    assert "to khai dang ky khai sinh" in submit[0], "the declaration form comes first"
    assert any("giay chung sinh" in n for n in submit)
    assert any("ho chieu" in n for n in _names(docs, DocumentRole.SHOW))
    conditional = _names(docs, DocumentRole.CONDITIONAL)
    assert any("bo roi" in n for n in conditional) and any("uy quyen" in n for n in conditional)
    notes = _names(docs, DocumentRole.NOTE)
    assert any("nguoi tiep nhan" in n for n in notes)
    assert not any("nguoi tiep nhan" in n for n in submit)


def test_permanent_residence_lists_situations_not_an_ordinary_case(procs):
    docs = procs["1.004222"].documents
    assert not _names(docs, DocumentRole.SUBMIT)
    cases = {d.case for d in docs if d.role is DocumentRole.CONDITIONAL}
    assert len(cases) >= 5
    assert all(is_case_header(c, procs["1.004222"].title) for c in cases)


def test_a_condition_named_by_the_title_is_no_condition(procs):
    # "người đại diện hợp pháp" is conditional for an adult's card, ordinary for a child's
    under_14 = procs["1.014062"]
    assert "duoi 14 tuoi" in fold_text(under_14.title)
    assert any("nguoi dai dien hop phap" in n for n in _names(under_14.documents, DocumentRole.SUBMIT))


@pytest.mark.parametrize(
    ("header", "kind"),
    [
        (None, 0),
        ("* Giấy tờ phải nộp:", 0),
        ("* Giấy tờ phải xuất trình:", 1),
        ("* Trường hợp ủy quyền thực hiện thủ tục:", 2),
        ("(1.3) Đối với công trình tôn giáo:", 2),
        ("* Lưu ý :", 3),
        ("Đăng ký thường trú vào chỗ ở hợp pháp do thuê, mượn, ở nhờ", 2),
        ("Đăng ký thường trú, hồ sơ gồm:", 0),
    ],
)
def test_header_kind(header, kind):
    assert header_kind(header, "dang ky thuong tru") == kind


@pytest.mark.parametrize(
    ("name", "originals", "role"),
    [
        ("- Tờ khai đăng ký khai sinh theo mẫu (nếu người có yêu cầu lựa chọn nộp trực tiếp)", 1, "submit"),
        ("- Văn bản ủy quyền theo quy định của pháp luật trong trường hợp ủy quyền", 1, "conditional"),
        ("Hộ chiếu còn thời hạn sử dụng (đối với người nước ngoài)", 1, "conditional"),
        ("Danh sách chủ sở hữu hưởng lợi của doanh nghiệp (nếu có)", 1, "conditional"),
        (
            "Trường hợp người yêu cầu đã nộp bản điện tử Giấy chứng sinh thì không phải nộp bản giấy.",
            0,
            "note",
        ),
        ("+ Người tiếp nhận có trách nhiệm tiếp nhận đúng, đủ hồ sơ", 0, "note"),
        ("+ Tờ khai hải quan;", 0, "submit"),
        ("Xuất trình thẻ Căn cước công dân gắn chip điện tử", 1, "show"),
    ],
)
def test_row_role(name, originals, role):
    assert row_role(Document(name=name, originals=originals), 0).value == role


def test_validate_refuses_a_document_without_a_role(tmp_path):
    src = next((KDIR / "procedures").glob("*/1.001193.yaml"))
    target = tmp_path / "procedures" / src.parent.name / src.name
    target.parent.mkdir(parents=True)
    target.write_text(src.read_text(encoding="utf-8").replace("  role: submit\n", "", 1), encoding="utf-8")
    errors, _, _ = validate_dir(tmp_path)
    assert any("documents.0.role" in e for e in errors), errors
