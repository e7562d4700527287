"""Normalisation and lexicon: no trained model needed."""

from __future__ import annotations

import logging
import unicodedata

import pytest

from common.text.normalize import (
    analyze,
    expand_synonyms,
    fold,
    has_diacritics,
    nfc,
    place_tone,
    typed_with_diacritics,
)


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("hoà", "hòa"),
        ("hòa", "hòa"),
        ("Hoà Bình", "Hòa Bình"),
        ("thuỷ lợi", "thủy lợi"),
        ("khoẻ", "khỏe"),
        ("baỏ hiểm", "bảo hiểm"),
        ("hoàng", "hoàng"),
        ("quả", "quả"),
        ("giữ", "giữ"),
        ("gì", "gì"),
        ("người", "người"),
        ("KHOÁ", "KHÓA"),
        ("ngoài", "ngoài"),
        ("tuyết", "tuyết"),
    ],
)
def test_one_tone_placement(typed, canonical):
    assert nfc(typed) == canonical
    assert nfc(canonical) == canonical


def test_hoa_forms_are_the_same_for_index_and_query():
    forms = {nfc(s) for s in ("hoà giải", "hòa giải", unicodedata.normalize("NFD", "hoà giải"))}
    assert forms == {"hòa giải"}


def test_nfd_input_becomes_nfc():
    nfd = unicodedata.normalize("NFD", "Đăng ký khai sinh")
    assert nfd != "Đăng ký khai sinh"
    assert nfc(nfd) == "Đăng ký khai sinh"


def test_eth_lookalike_and_whitespace_and_controls():
    assert nfc("\u00d0ăng  ký\tkhai\u200b sinh\x07\n") == "Đăng ký khai sinh"
    assert nfc("\u00f0ất") == "đất"


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "\x00\x01", "😀", "😀🎉 ??", "...", "1.001193"])
def test_odd_input_never_raises(text, without_model):
    forms = analyze(text)
    assert forms.original == text
    assert isinstance(forms.restored, str)
    assert forms.folded == fold(forms.normalized)


def test_emoji_kept_controls_removed(without_model):
    assert analyze("chào 😀\x07").normalized == "chào 😀"


def test_fold():
    assert fold("Đăng Ký Hộ Khẩu") == "dang ky ho khau"
    assert fold("ĐƯỜNG") == "duong"
    assert fold("") == ""


def test_has_diacritics():
    assert not has_diacritics("lam lai can cuoc")
    assert has_diacritics("lam lai căn cước")
    assert has_diacritics("đi")
    assert not has_diacritics("1.001193 😀")


def test_place_tone_leaves_foreign_words():
    assert place_tone("café") == "café"
    assert nfc("Facebook VNeID") == "Facebook VNeID"


@pytest.mark.parametrize(
    "code",
    ["1.001193", "45/2016/QĐ-TTg", "Nghị định 123/2015/NĐ-CP", "2.002235", "0912345678", "100.000 đồng"],
)
def test_codes_untouched(code, without_model):
    forms = analyze(code)
    assert forms.normalized == code
    assert forms.restored == code


# --- lexicon ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("cccd", "căn cước công dân"),
        ("CCCD", "căn cước công dân"),
        ("làm GPLX", "làm giấy phép lái xe"),
        ("đk kết hôn", "đăng ký kết hôn"),
        ("dk kết hôn", "đăng ký kết hôn"),
        ("nhập hk", "nhập hộ khẩu"),
        ("sổ hk", "sổ hộ khẩu"),
        ("so hk", "sổ hộ khẩu"),
        ("làm vậy dc hk", "làm vậy được không"),
        ("ko có", "không có"),
        ("k có", "không có"),
        ("K có", "không có"),
        ("mún hỏi ntn", "muốn hỏi như thế nào"),
        ("cần j", "cần gì"),
        ("hết bn tiền", "hết bao nhiêu tiền"),
        ("đăng ký đkkd", "đăng ký đăng ký kinh doanh"),
        ("BHXH, BHYT", "bảo hiểm xã hội, bảo hiểm y tế"),
        ("mst", "mã số thuế"),
        ("UBND xã", "ủy ban nhân dân xã"),
        ("vneid", "VNeID"),
        ("Ko biết", "Không biết"),
    ],
)
def test_abbreviations_and_chat_forms(typed, expected, without_model):
    assert analyze(typed).normalized == expected


@pytest.mark.parametrize(
    "text",
    ["lệ phí 100k", "hạng K", "mã 1.001193", "45/2016/QĐ-TTg", "bằng lái hạng B"],
)
def test_single_letters_and_codes_not_expanded(text, without_model):
    assert analyze(text).normalized == text


def test_synonyms():
    assert "giấy chứng nhận quyền sử dụng đất" in " ".join(expand_synonyms("làm lại sổ đỏ"))
    assert "đăng ký thường trú" in expand_synonyms("nhập hộ khẩu cho con")[0]
    assert any("khai tử" in v for v in expand_synonyms("làm giấy báo tử"))
    assert any("giấy phép lái xe" in v for v in expand_synonyms("đổi bằng lái"))
    assert any("giấy đăng ký xe" in v for v in expand_synonyms("mất cà vẹt xe"))
    assert any("hộ chiếu" in v for v in expand_synonyms("làm passport"))
    variants = expand_synonyms("làm lại bằng lái")
    assert variants[0] == "cấp lại giấy phép lái xe"  # every phrase replaced first
    assert expand_synonyms("") == []
    assert expand_synonyms("xin chào") == []


def test_missing_model_warns_and_still_works(without_model, caplog):
    with caplog.at_level(logging.WARNING):
        forms = analyze("lam lai cccd o dau")
    assert forms.normalized == "lam lai căn cước công dân o dau"
    assert forms.restored == forms.normalized
    assert "tthc text build" in caplog.text


def test_steps_for_display(without_model):
    forms = analyze("mún đk  hk")
    names = [n for n, _ in forms.steps]
    assert names == ["original", "nfc", "expand", "restore", "fold"]
    assert forms.text == forms.restored == "muốn đăng ký hộ khẩu"


def test_fold_of_a_text_is_the_fold_of_each_of_its_characters() -> None:
    """fold works on the whole text at once; it must give what folding character by character
    gives, also for marks that are no Latin diacritic, the grapheme joiner, a final Σ, İ."""
    import random

    from common.text.normalize import _CONTROL_RE, _fold_char

    def by_character(text: str) -> str:
        return "".join(_fold_char(c) for c in " ".join(_CONTROL_RE.sub("", text).split()))

    blocks = [*range(0x20, 0x250), *range(0x300, 0x500), *range(0x1E00, 0x1F00), *range(0x2010, 0x2030)]
    pool = [chr(c) for c in blocks] + ["\u05b4", "\u093c", "\ufb01", "Σ", "İ", "\u034f", "\u00a0", "\u3000"]
    rnd = random.Random(7)
    texts = ["Làm lại CĂN CƯỚC “gấp” – Đăk Lăk", "ΟΔΟΣ Σ", "İstanbul\u034f"]
    texts += ["".join(rnd.choice(pool) for _ in range(rnd.randint(1, 12))) for _ in range(20000)]
    assert [fold(t) for t in texts] == [by_character(t) for t in texts]


@pytest.mark.parametrize(
    ("text", "typed"),
    [
        ("Đăng ký khai sinh cho con", True),  # 2 of 6 words marked: the rest are plain words
        ("lam lai căn cước", True),
        ("đk kết hôn", True),
        ("dang ky khai sinh", False),
        # typed without diacritics, a polite or question word or two marked
        ("lam lai cccd bi mat o dau ạ", False),
        ("cho em hỏi dang ky ket hon can gi", False),
        ("xin cap ly lich tu phap ở đâu", False),
        ("đk ket hon", False),  # shorthand says nothing about the keyboard
        ("", False),
        ("123", False),
    ],
)
def test_a_message_is_typed_with_diacritics_when_most_of_its_words_carry_them(text: str, typed: bool) -> None:
    assert typed_with_diacritics(text) is typed
