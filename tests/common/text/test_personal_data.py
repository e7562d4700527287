"""Masking of personal identifiers in citizens' messages (no trained model needed)."""

from __future__ import annotations

import unicodedata

import pytest

from common.text.personal_data import PLACEHOLDERS, contains_personal_data, mask_personal_data

ID = PLACEHOLDERS["id"]
TAX = PLACEHOLDERS["tax_code"]
PASSPORT = PLACEHOLDERS["passport"]
PHONE = PLACEHOLDERS["phone"]
EMAIL = PLACEHOLDERS["email"]
BANK = PLACEHOLDERS["bank_account"]

MASKED = [
    # several identifiers in one message, with diacritics
    (
        "số căn cước của tôi là 001203004567, sđt 0912345678, email nguyenvana@gmail.com",
        f"số căn cước của tôi là {ID}, sđt {PHONE}, email {EMAIL}",
    ),
    (
        "Tôi sinh ngày 05/03/1990, CCCD số 001090012345 cấp ngày 10/10/2021",
        f"Tôi sinh ngày 05/03/1990, CCCD số {ID} cấp ngày 10/10/2021",
    ),
    # citizen ID (12 digits) and old ID card (9 digits), grouped or not: one placeholder
    ("cccd 001 203 004 567 bị mất", f"cccd {ID} bị mất"),
    ("CCCD: 001.203.004.567", f"CCCD: {ID}"),
    ("mã định danh 038203004567 nhé", f"mã định danh {ID} nhé"),
    ("cmnd cu 012345678 mat roi", f"cmnd cu {ID} mat roi"),
    ("CMND 123456789", f"CMND {ID}"),
    ("chứng minh nhân dân số 271.234.567", f"chứng minh nhân dân số {ID}"),
    ("cmnd 123 456 789 het han", f"cmnd {ID} het han"),
    ("so cccd cua em 001203004567 12 ban sao", f"so cccd cua em {ID} 12 ban sao"),
    ("thẻ bhyt GD4797931234567 còn hạn không", f"thẻ bhyt {ID} còn hạn không"),
    ("mã bhxh 0123456789", f"mã bhxh {ID}"),
    # tax codes
    ("mst 0312345678", f"mst {TAX}"),
    ("mã số thuế cá nhân 8012345678 sai", f"mã số thuế cá nhân {TAX} sai"),
    ("ma so thue 0101234567-001", f"ma so thue {TAX}"),
    ("chi nhánh 0101234567-001 đóng cửa", f"chi nhánh {TAX} đóng cửa"),
    # passports
    ("ho chieu so C1234567 het han", f"ho chieu so {PASSPORT} het han"),
    ("hộ chiếu số c1234567 bị mất", f"hộ chiếu số {PASSPORT} bị mất"),
    ("Passport: N1234567.", f"Passport: {PASSPORT}."),
    ("hc b7654321 con han", f"hc {PASSPORT} con han"),
    ("B1234567 là số cũ", f"{PASSPORT} là số cũ"),
    # mobile phones
    ("goi cho em 0912.345.678 nhe", f"goi cho em {PHONE} nhe"),
    ("+84 912 345 678", PHONE),
    ("sđt 0912 345 678", f"sđt {PHONE}"),
    ("sdt: 0912-345-678.", f"sdt: {PHONE}."),
    ("lh 091 234 5678 hoặc 0356789012", f"lh {PHONE} hoặc {PHONE}"),
    ("số của tôi +84912345678", f"số của tôi {PHONE}"),
    ("zalo 84912345678 nha", f"zalo {PHONE} nha"),
    ("(+84) 912 345 678", PHONE),
    ("sdt0987654321", f"sdt{PHONE}"),
    ("năm 2026 0912345678", f"năm 2026 {PHONE}"),
    ("0912345678 2026", f"{PHONE} 2026"),
    # landlines (11 digits beginning 02)
    ("máy bàn 024 3826 1234", f"máy bàn {PHONE}"),
    ("gọi (028) 3829 5555 giờ hành chính", f"gọi {PHONE} giờ hành chính"),
    ("0243 826 1234", PHONE),
    ("+84 24 3826 1234", PHONE),
    # e-mail
    ("email: Nguyen.Van-A+hs@sub.gov.vn.", f"email: {EMAIL}."),
    ("gửi về tran_thi.b@yahoo.com.vn giúp em", f"gửi về {EMAIL} giúp em"),
    # bank accounts and cards
    (
        "stk vietcombank 0011004123456 chu tk nguyen van a",
        f"stk vietcombank {BANK} chu tk nguyen van a",
    ),
    ("so tai khoan la 123456789", f"so tai khoan la {BANK}"),
    ("số tài khoản ngân hàng của tôi: 1234 5678 9012", f"số tài khoản ngân hàng của tôi: {BANK}"),
    ("stk: 0011-004-123456", f"stk: {BANK}"),
    ("TK 123456 nhé", f"TK {BANK} nhé"),
    ("chuyển khoản vào stk MB 0912345678", f"chuyển khoản vào stk MB {BANK}"),
    ("account 19036543210019", f"account {BANK}"),
    ("stk 0011004123456 2 lan", f"stk {BANK} 2 lan"),
    ("thẻ 4111 1111 1111 1111 bị khóa", f"thẻ {BANK} bị khóa"),
    ("the atm 9704123456789012", f"the atm {BANK}"),
    # a keyword of another kind ends the gap: this number is a phone
    ("tài khoản zalo 0912345678", f"tài khoản zalo {PHONE}"),
    # any other long run of digits
    ("mã hồ sơ của tôi 123456789", f"mã hồ sơ của tôi {ID}"),
    ("123456789 đồng ý", f"{ID} đồng ý"),
]

UNCHANGED = [
    # procedure codes
    "thủ tục 1.000178 cần giấy tờ gì",
    "so sánh 2.002156 và 1.004045",
    "mã 2.000889.000.00.00.H12",
    "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=1.000178",
    '/ask_detail{"procedure_code": "1.001193", "info_type": "fee"}',
    # dates, times, years
    "hẹn trả ngày 20/12/2026",
    "20-12-2026",
    "20.12.2026",
    "ngày 5 tháng 3 năm 2027",
    "ngày 20 tháng 12 năm 2026 lúc 8 giờ",
    "ngày 09-12-2026 12 giờ",
    "ngày 02-12-2026 08 30",
    "năm 2026",
    "các năm 2023 2024 2025",
    # money
    "lệ phí 120.000 đồng",
    "50.000đ",
    "1.500.000 VNĐ",
    "2 triệu",
    "giá đất 1.200.000.000 đồng",
    "giá trị nhà 2.500.000.000",
    "lệ phí trước bạ 1,500,000,000",
    "tổng 2500000000 đồng",
    "tài khoản có 1500000 đồng",
    # durations and counts
    "7 ngày làm việc",
    "15 ngày",
    "03 bản sao",
    # legal documents and forms
    "Nghị định 13/2023/NĐ-CP",
    "Thông tư 59/2021/TT-BCA",
    "Luật số 91/2015/QH13",
    "Quyết định 1234/QĐ-UBND",
    "mẫu TK1-TS",
    "mẫu TK 01",
    "Mẫu số 01",
    # addresses, plates, dossier receipts
    "số 12 ngõ 34 phường 5 quận 10",
    "xe 29A-123.45",
    "biển 51F-12345",
    "mã hồ sơ H29.22-231220-0001",
    "000.00.12.H29-231220-0001",
    # hotlines
    "tổng đài 18001096",
    "hotline 1900 1234",
    "gọi 19001234",
    "1900 585 885",
    # short numbers and keywords without an identifier
    "tk 12345",
    "tài khoản định danh mức 2",
    "cmnd cũ hết hạn năm 2021",
    "hộ chiếu phổ thông",
    "làm lại cccd bị mất ở đâu",
    "",
]


@pytest.mark.parametrize(("text", "masked"), MASKED)
def test_identifiers_are_masked(text: str, masked: str) -> None:
    assert mask_personal_data(text) == masked
    assert contains_personal_data(text)


@pytest.mark.parametrize("text", UNCHANGED)
def test_what_the_bot_needs_is_kept(text: str) -> None:
    assert mask_personal_data(text) == text
    assert not contains_personal_data(text)


@pytest.mark.parametrize("text", [text for text, _ in MASKED] + UNCHANGED)
def test_masking_is_idempotent(text: str) -> None:
    once = mask_personal_data(text)
    assert mask_personal_data(once) == once


@pytest.mark.parametrize("text", [text for text, _ in MASKED])
def test_no_digit_of_an_identifier_is_left(text: str) -> None:
    masked = mask_personal_data(text)
    for value in ("001203004567", "012345678", "0912345678", "0011004123456", "1234567"):
        assert value not in masked.replace(" ", "").replace(".", "").replace("-", "")


def test_other_characters_are_kept_exactly() -> None:
    text = "  Chào  anh,\tsố   CCCD:\n001203004567 — Hòa Bình, thủy lợi… ĐT  0912 345 678!  "
    masked = mask_personal_data(text)
    assert masked == f"  Chào  anh,\tsố   CCCD:\n{ID} — Hòa Bình, thủy lợi… ĐT  {PHONE}!  "
    assert unicodedata.is_normalized("NFC", masked)


def test_placeholders_are_vietnamese_in_brackets_and_hold_no_digit() -> None:
    assert set(PLACEHOLDERS) == {"id", "tax_code", "passport", "phone", "email", "bank_account"}
    for placeholder in PLACEHOLDERS.values():
        assert placeholder.startswith("[") and placeholder.endswith("]")
        assert not any(ch.isdigit() for ch in placeholder)
        assert mask_personal_data(placeholder) == placeholder


@pytest.mark.parametrize(
    "text", ["search index switched to rebuilt0000000001", "build 86949a464a71f7f7", "b433535369ce91fa"]
)
def test_digits_inside_a_name_are_not_a_number(text: str) -> None:
    assert mask_personal_data(text) == text
