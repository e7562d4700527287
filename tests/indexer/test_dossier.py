"""The dossier view (``indexer/dossier.py``) on every committed record: each row once, short
names cut from the row's own words."""

from __future__ import annotations

import pytest

from indexer.dossier import document_line, dossier, form_code, short_name
from indexer.query import fold, syllables
from knowledge.schema import Document
from knowledge.store import load_procedures


@pytest.fixture(scope="module")
def procs():
    return {p.code: p for p in load_procedures()}


def test_every_row_is_in_exactly_one_group(procs):
    for p in procs.values():
        view = dossier(p)
        assert sorted(map(id, view.rows())) == sorted(map(id, p.documents)), p.code


def test_short_names_are_cut_from_the_row(procs):
    for p in procs.values():
        for d in dossier(p).ordinary:
            words = set(syllables(fold(d.name)))
            short = short_name(d).rstrip("…")
            # every word but the channel phrase, "mẫu <code>" and "nếu có" comes from the row
            added = (
                set(syllables(fold(short)))
                - words
                - {"neu", "nop", "truc", "tiep", "tuyen", "hoac", "qua", "buu", "chinh", "mau", "co", "so"}
            )
            assert not {w for w in added if not any(c.isdigit() for c in w)}, (p.code, d.name, short)


@pytest.mark.parametrize(
    ("name", "form", "code"),
    [
        (
            "Tờ khai thay đổi thông tin cư trú (mẫu CT01 ban hành kèm theo Thông tư số 53/2025/TT-BCA)",
            None,
            "CT01",
        ),
        ("Phiếu đề nghị giải quyết thủ tục về căn cước", "Mẫu DC02 Phiếu đề nghị.doc", "DC02"),
        ("Đơn đăng ký biến động đất đai theo Mẫu số 18 ban hành kèm theo Nghị định", None, "số 18"),
        ("Tờ khai quyết toán thuế thu nhập cá nhân mẫu số 02/QTT-TNCN", None, "02/QTT-TNCN"),
        ("Giấy chứng sinh", None, None),
    ],
)
def test_form_code(name, form, code):
    assert form_code(Document(name=name, form=form, originals=1)) == code


def test_document_line_shortens_citations_and_channels():
    tk = Document(
        name="- Tờ khai đăng ký khai sinh theo mẫu (nếu người có yêu cầu lựa chọn nộp hồ sơ theo hình thức "
        "trực tiếp hoặc gửi hồ sơ qua hệ thống bưu chính);",
        originals=1,
    )
    assert document_line(tk) == "Tờ khai đăng ký khai sinh theo mẫu (nếu nộp trực tiếp hoặc qua bưu chính)"
    ct01 = Document(
        name="Tờ khai thay đổi thông tin cư trú (mẫu CT01 ban hành kèm theo Thông tư số 53/2025/TT-BCA).",
        originals=1,
    )
    assert document_line(ct01) == "Tờ khai thay đổi thông tin cư trú (mẫu CT01)"
    gcs = Document(
        name="- Giấy chứng sinh; trường hợp không có Giấy chứng sinh thì nộp văn bản của người làm chứng",
        originals=1,
    )
    assert document_line(gcs) == "Giấy chứng sinh…"
    copy = Document(name="Bản sao giấy khai sinh", originals=0, copies=1)
    assert document_line(copy) == "Bản sao giấy khai sinh (bản sao)"


def test_every_first_reply_fits_a_web_message(procs):
    """Every part's first reply of every record stays within 1,800 characters (the rest is one
    tap away: «Xem tất cả», «Nguyên văn hồ sơ», the special cases and notes)."""
    from indexer.answer_composer import FIRST_REPLY_CHARS, Part, compose_procedure

    first = [part for part in Part if part not in (Part.CASES, Part.NOTES)]
    for p in procs.values():
        for part in first:
            assert len(compose_procedure(p, part).text) <= FIRST_REPLY_CHARS, (p.code, part)
