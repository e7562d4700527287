"""When a result will be ready (``indexer/return_date.py``).

Every case of the table is checked twice: against the date written in the table and against a
naive day-by-day count over a hand-written list of the 2026–2027 days off, which does not use
the module's holiday computation."""

from __future__ import annotations

import math
import unicodedata
from datetime import date, timedelta

import pytest

from indexer.return_date import estimate_return, format_date_vi, parse_submission_day
from indexer.working_days import WORKING_DAY_RULE, add_working_days
from knowledge.schema import ProcessingTime, TimeUnit

# Days off on weekdays or weekends, December 2025 to December 2027, written out by hand from
# Bộ luật Lao động 2019 Điều 112 (Tết: 29/30 tháng Chạp + mùng 1–4; Quốc khánh: 1/9 + 2/9)
# and Điều 111 khoản 3 (a holiday on a weekend -> the next working day off).
DAYS_OFF = {
    date(2026, 1, 1),  # Tết Dương lịch (Thursday)
    *(date(2026, 2, d) for d in range(16, 21)),  # Tết Bính Ngọ: Monday 16/2 – Friday 20/2
    date(2026, 4, 26),  # Giỗ Tổ (Sunday)
    date(2026, 4, 27),  # nghỉ bù Giỗ Tổ
    date(2026, 4, 30),
    date(2026, 5, 1),
    date(2026, 9, 1),
    date(2026, 9, 2),
    date(2027, 1, 1),  # Friday
    *(date(2027, 2, d) for d in range(5, 10)),  # Tết Đinh Mùi: Friday 5/2 – Tuesday 9/2
    date(2027, 2, 10),  # nghỉ bù (Saturday 6/2)
    date(2027, 2, 11),  # nghỉ bù (Sunday 7/2)
    date(2027, 4, 16),  # Giỗ Tổ (Friday)
    date(2027, 4, 30),  # Friday
    date(2027, 5, 1),  # Saturday
    date(2027, 5, 3),  # nghỉ bù 1/5
    date(2027, 9, 1),
    date(2027, 9, 2),
}
ORACLE_RANGE = (date(2025, 12, 1), date(2027, 12, 31))  # no holiday in December 2025


def _off(d: date) -> bool:
    assert ORACLE_RANGE[0] <= d <= ORACLE_RANGE[1], f"{d} is outside the hand-written list"
    return d.weekday() >= 5 or d in DAYS_OFF


def _first_working(d: date) -> date:
    while _off(d):
        d += timedelta(days=1)
    return d


def _naive_working_days(start: date, n: int) -> date:
    d = start
    for _ in range(n):
        d = _first_working(d + timedelta(days=1))
    return d


def _naive_months(start: date, months: int) -> date:
    y, m = start.year, start.month + months
    while m > 12:
        y, m = y + 1, m - 12
    first = date(y, m, 1)
    days_in_month = ((first + timedelta(days=32)).replace(day=1) - first).days
    return date(y, m, min(start.day, days_in_month))


def oracle(start: date, value: float, unit: TimeUnit) -> date:
    """Independent computation of the ready day, unit by unit."""
    per_day = {TimeUnit.WORKING_DAY: 1, TimeUnit.WORKING_HOUR: 8, TimeUnit.HOUR: 24}
    if unit in per_day:
        n = math.ceil(value / per_day[unit])
        return _first_working(start) if n == 0 else _naive_working_days(start, n)
    if unit is TimeUnit.DAY:
        return _first_working(start + timedelta(days=math.ceil(value)))
    months = math.ceil(value) * (12 if unit is TimeUnit.YEAR else 1)
    return _first_working(_naive_months(start, months))


WD, DAY, HOUR, WHOUR, MONTH, YEAR = (
    TimeUnit.WORKING_DAY,
    TimeUnit.DAY,
    TimeUnit.HOUR,
    TimeUnit.WORKING_HOUR,
    TimeUnit.MONTH,
    TimeUnit.YEAR,
)

# (submitted, value, unit, ready, why)
CASES = [
    # weekends
    (date(2026, 3, 2), 1, WD, date(2026, 3, 3), "Monday + 1"),
    (date(2026, 3, 2), 5, WD, date(2026, 3, 9), "Monday + 5 = next Monday"),
    (date(2026, 3, 6), 1, WD, date(2026, 3, 9), "Friday + 1 = Monday"),
    (date(2026, 3, 7), 1, WD, date(2026, 3, 9), "Saturday + 1 = Monday"),
    (date(2026, 3, 8), 3, WD, date(2026, 3, 11), "Sunday + 3 = Wednesday"),
    (date(2026, 3, 2), 0, WD, date(2026, 3, 2), "0 on a working day: the same day"),
    (date(2026, 3, 8), 0, WD, date(2026, 3, 9), "0 on a Sunday: Monday"),
    (date(2026, 3, 2), 2.5, WD, date(2026, 3, 5), "2,5 rounded up to 3"),
    (date(2026, 3, 6), 0.5, WD, date(2026, 3, 9), "0,5 on a Friday: Monday"),
    # 1/1
    (date(2025, 12, 31), 1, WD, date(2026, 1, 2), "Thursday 1/1/2026 skipped"),
    (date(2025, 12, 30), 3, WD, date(2026, 1, 5), "31/12, 2/1, 5/1"),
    (date(2026, 12, 31), 1, WD, date(2027, 1, 4), "Friday 1/1/2027 then the weekend"),
    # Tết 2026 (Monday 16/2 – Friday 20/2)
    (date(2026, 2, 13), 5, WD, date(2026, 2, 27), "the whole Tết week skipped"),
    (date(2026, 2, 12), 2, WD, date(2026, 2, 23), "13/2 then 23/2"),
    (date(2026, 2, 10), 15, WD, date(2026, 3, 10), "long processing across Tết"),
    (date(2026, 2, 17), 0, WD, date(2026, 2, 23), "0 on mùng 1: the next working day"),
    # Tết 2027 (5/2 – 9/2 and compensatory 10/2, 11/2)
    (date(2027, 2, 4), 1, WD, date(2027, 2, 12), "compensatory days skipped too"),
    (date(2027, 2, 1), 7, WD, date(2027, 2, 17), "2, 3, 4, 12, 15, 16, 17/2"),
    (date(2027, 2, 8), 1, WD, date(2027, 2, 12), "submitted online during Tết"),
    # Giỗ Tổ
    (date(2026, 4, 24), 1, WD, date(2026, 4, 28), "Monday 27/4 is compensatory"),
    (date(2026, 4, 23), 5, WD, date(2026, 5, 5), "Giỗ Tổ, 30/4 and 1/5 in one window"),
    (date(2027, 4, 15), 1, WD, date(2027, 4, 19), "Friday 16/4/2027"),
    # 30/4 – 1/5
    (date(2026, 4, 29), 1, WD, date(2026, 5, 4), "Thursday 30/4, Friday 1/5"),
    (date(2027, 4, 29), 2, WD, date(2027, 5, 5), "1/5/2027 Saturday -> Monday 3/5 off"),
    (date(2027, 4, 28), 1, WD, date(2027, 4, 29), "the day before 30/4 still works"),
    # 2/9 (with 1/9)
    (date(2026, 8, 31), 1, WD, date(2026, 9, 3), "1/9 and 2/9 skipped"),
    (date(2026, 8, 28), 3, WD, date(2026, 9, 4), "31/8, 3/9, 4/9"),
    (date(2027, 8, 31), 2, WD, date(2027, 9, 6), "3/9 Friday then Monday"),
    # calendar days
    (date(2026, 12, 2), 10, DAY, date(2026, 12, 14), "ends Saturday -> Monday"),
    (date(2026, 2, 10), 7, DAY, date(2026, 2, 23), "ends on mùng 1 Tết -> after Tết"),
    (date(2026, 4, 21), 5, DAY, date(2026, 4, 28), "ends on Giỗ Tổ, then its compensatory day"),
    (date(2026, 3, 2), 15, DAY, date(2026, 3, 17), "ends on a working day"),
    (date(2026, 3, 2), 0.5, DAY, date(2026, 3, 3), "0,5 ngày rounded up"),
    (date(2026, 3, 6), 0.5, DAY, date(2026, 3, 9), "0,5 ngày from a Friday"),
    (date(2026, 3, 8), 0, DAY, date(2026, 3, 9), "0 ngày on a Sunday"),
    # hours
    (date(2026, 3, 6), 24, HOUR, date(2026, 3, 9), "24 giờ = 1 working day"),
    (date(2025, 12, 31), 48, HOUR, date(2026, 1, 5), "48 giờ across 1/1"),
    (date(2026, 3, 2), 4, WHOUR, date(2026, 3, 3), "4 giờ làm việc rounded up to 1 day"),
    (date(2026, 2, 12), 16, WHOUR, date(2026, 2, 23), "16 giờ làm việc = 2 days across Tết"),
    (date(2026, 8, 28), 20, WHOUR, date(2026, 9, 4), "20 giờ làm việc = 3 days across 2/9"),
    # months and years
    (date(2026, 1, 30), 1, MONTH, date(2026, 3, 2), "no 30/2: 28/2 (Saturday) -> Monday 2/3"),
    (date(2026, 1, 16), 1, MONTH, date(2026, 2, 23), "16/2 is 29 Tết"),
    (date(2026, 3, 31), 1, MONTH, date(2026, 5, 4), "30/4 (clamped), 1/5, weekend"),
    (date(2026, 6, 15), 2, MONTH, date(2026, 8, 17), "15/8 Saturday -> Monday"),
    (date(2026, 2, 5), 1, YEAR, date(2027, 2, 12), "5/2/2027 is in Tết 2027"),
    (date(2026, 9, 2), 1, YEAR, date(2027, 9, 3), "2/9/2027 Thursday -> Friday"),
]


def test_the_table_is_large_enough() -> None:
    assert len(CASES) >= 30
    assert {unit for _, _, unit, _, _ in CASES} == {WD, DAY, HOUR, WHOUR, MONTH, YEAR}


@pytest.mark.parametrize(("start", "value", "unit", "ready", "why"), CASES, ids=[c[4] for c in CASES])
def test_ready_day(start: date, value: float, unit: TimeUnit, ready: date, why: str) -> None:
    assert oracle(start, value, unit) == ready, f"table entry disagrees with the naive count: {why}"
    estimate = estimate_return(start, ProcessingTime(value=value, unit=unit))
    assert estimate is not None
    assert estimate.submitted == start
    assert estimate.ready == ready, why
    # the holidays reported are exactly the days off inside the window
    assert {h.day for h in estimate.holidays_skipped} == {d for d in DAYS_OFF if start < d <= ready}
    if unit is WD and value == int(value) and value > 0:
        assert add_working_days(start, int(value)) == ready


def test_rule_for_working_days() -> None:
    e = estimate_return(date(2026, 3, 2), ProcessingTime(value=7, unit=WD))
    assert e is not None
    assert e.rule == "7 ngày làm việc, không tính thứ Bảy, Chủ nhật và ngày nghỉ lễ, Tết"
    e = estimate_return(date(2026, 3, 2), ProcessingTime(value=0.5, unit=WD))
    assert e is not None
    assert e.rule.startswith("0,5 ngày làm việc, làm tròn lên 1 ngày làm việc")


def test_rule_for_hours_states_the_conversion() -> None:
    e = estimate_return(date(2026, 3, 2), ProcessingTime(value=4, unit=WHOUR))
    assert e is not None
    assert "8 giờ làm việc tính một ngày" in e.rule and WORKING_DAY_RULE in e.rule
    e = estimate_return(date(2026, 3, 2), ProcessingTime(value=48, unit=HOUR))
    assert e is not None
    assert "quy đổi thành 2 ngày làm việc (24 giờ tính một ngày" in e.rule


def test_rule_for_calendar_days_says_when_the_day_moves() -> None:
    e = estimate_return(date(2026, 12, 2), ProcessingTime(value=10, unit=DAY))
    assert e is not None
    assert e.rule.startswith("10 ngày theo lịch, tính cả thứ Bảy, Chủ nhật")
    assert "(thứ Bảy, 12/12/2026) là ngày nghỉ" in e.rule and "ngày làm việc tiếp theo" in e.rule
    e = estimate_return(date(2026, 3, 2), ProcessingTime(value=15, unit=DAY))
    assert e is not None
    assert "ngày nghỉ nên" not in e.rule


def test_rule_for_months_says_when_the_day_is_clamped() -> None:
    e = estimate_return(date(2026, 1, 30), ProcessingTime(value=1, unit=MONTH))
    assert e is not None
    assert "tháng 2/2026 không có ngày 30 nên lấy ngày cuối tháng" in e.rule


def test_holidays_skipped_name_tet() -> None:
    e = estimate_return(date(2027, 2, 4), ProcessingTime(value=1, unit=WD))
    assert e is not None
    assert {h.name for h in e.holidays_skipped} == {"Tết Nguyên đán", "Nghỉ bù Tết Nguyên đán"}
    assert len(e.holidays_skipped) == 7


@pytest.mark.parametrize(
    "time",
    [
        ProcessingTime(value=None, unit=WD, text="Theo quy định"),
        ProcessingTime(value=5, unit=TimeUnit.UNKNOWN, text="05"),
        ProcessingTime(),
        ProcessingTime(value=-1, unit=WD),
        ProcessingTime(value=float("nan"), unit=DAY),
    ],
)
def test_no_estimate_without_value_or_unit(time: ProcessingTime) -> None:
    assert estimate_return(date(2026, 3, 2), time) is None


def test_format_date_vi() -> None:
    assert format_date_vi(date(2026, 12, 4)) == "thứ Sáu, 04/12/2026"
    assert format_date_vi(date(2026, 3, 2)) == "thứ Hai, 02/03/2026"
    assert format_date_vi(date(2026, 3, 4)) == "thứ Tư, 04/03/2026"
    assert format_date_vi(date(2026, 3, 7)) == "thứ Bảy, 07/03/2026"
    assert format_date_vi(date(2026, 3, 8)) == "Chủ nhật, 08/03/2026"


# --- parse_submission_day -------------------------------------------------------------------

TODAY = date(2026, 12, 2)  # a Wednesday


def _nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Nộp hôm nay thì bao giờ có kết quả?", TODAY),
        ("hom nay nop thi bao gio co", TODAY),
        ("nếu tôi nộp ngày mai", date(2026, 12, 3)),
        ("mai nop thi khi nao lay", date(2026, 12, 3)),
        ("ngày kia mình nộp", date(2026, 12, 4)),
        ("ngay kia", date(2026, 12, 4)),
        ("ngày mốt nộp được không", date(2026, 12, 4)),
        ("hôm qua tôi đã nộp", date(2026, 12, 1)),
        # weekdays: the next such day on or after today
        ("nộp thứ Sáu", date(2026, 12, 4)),
        ("THỨ SÁU", date(2026, 12, 4)),
        (_nfd("nộp thứ Sáu"), date(2026, 12, 4)),
        ("nop thu sau", date(2026, 12, 4)),
        ("thứ 6", date(2026, 12, 4)),
        ("t6 nộp", date(2026, 12, 4)),
        ("thứ Hai", date(2026, 12, 7)),
        ("thu 2 nop", date(2026, 12, 7)),
        ("thứ ba", date(2026, 12, 8)),
        ("thứ Tư", TODAY),
        ("thu tu", TODAY),
        ("thứ năm", date(2026, 12, 3)),
        ("thứ Bảy", date(2026, 12, 5)),
        ("thứ bẩy", date(2026, 12, 5)),
        ("t7", date(2026, 12, 5)),
        ("Chủ nhật nộp online", date(2026, 12, 6)),
        ("chu nhat", date(2026, 12, 6)),
        ("CN", date(2026, 12, 6)),
        # this week / next week
        ("thứ Sáu này", date(2026, 12, 4)),
        ("thu 6 tuan nay", date(2026, 12, 4)),
        ("thứ Hai này", date(2026, 12, 7)),  # this week's Monday is past: the next one
        ("thứ Sáu tuần sau", date(2026, 12, 11)),
        (_nfd("thứ Sáu tuần sau"), date(2026, 12, 11)),
        ("thu sau tuan sau", date(2026, 12, 11)),
        ("thứ hai tuần tới", date(2026, 12, 7)),
        ("thứ 4 tuần sau", date(2026, 12, 9)),
        # dates
        ("nộp ngày 20/12", date(2026, 12, 20)),
        ("20-12", date(2026, 12, 20)),
        ("20/12/2026", date(2026, 12, 20)),
        ("nộp 5/1/27", date(2027, 1, 5)),
        ("ngày 20 tháng 12", date(2026, 12, 20)),
        ("ngay 20 thang 12 nam 2027", date(2027, 12, 20)),
        ("mùng 2 tháng 1", date(2027, 1, 2)),
        ("2/12", TODAY),
        ("1/12", date(2027, 12, 1)),  # passed this year: next year
        ("29/2", date(2028, 2, 29)),
        ("ngày 15", date(2026, 12, 15)),
        ("ngày 1", date(2027, 1, 1)),
        ("nộp hồ sơ trong 5 ngày, bắt đầu từ 20/12", date(2026, 12, 20)),
        # the first day named wins
        ("ngày mai hoặc thứ Sáu", date(2026, 12, 3)),
    ],
)
def test_parse_submission_day(text: str, expected: date) -> None:
    assert parse_submission_day(text, TODAY) == expected


def test_tone_mark_placement_and_composition_do_not_matter() -> None:
    # old and new tone placement elsewhere in the sentence ("hoà"/"hòa", "thuỷ"/"thủy"),
    # composed and decomposed text, and the two orders of ư's horn and tone mark
    forms = [
        "Tôi ở Hoà Bình, thuỷ lợi, nộp thứ Sáu tuần sau",
        "Tôi ở Hòa Bình, thủy lợi, nộp thứ Sáu tuần sau",
        _nfd("Tôi ở Hoà Bình, thuỷ lợi, nộp thứ Sáu tuần sau"),
        "Tôi ở Hòa Bình, thủy lợi, nộp th" + "u\u031b\u0301" + " Sáu tuần sau",
        "Tôi ở Hòa Bình, thủy lợi, nộp th" + "u\u0301\u031b" + " Sáu tuần sau",
        "toi o hoa binh, thuy loi, nop thu sau tuan sau",
    ]
    assert {parse_submission_day(f, TODAY) for f in forms} == {date(2026, 12, 11)}


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Thủ tục này mất bao lâu?",
        "thời hạn giải quyết 5 ngày làm việc",
        "khoảng 2-3 ngày",
        "mất 1/2 ngày",
        "nộp lần thứ hai",
        "đăng ký khai sinh cho con thứ ba",
        "trả kết quả trong ngày làm việc thứ 5",
        "chờ mãi không thấy kết quả",
        "theo thứ tự",
        "theo thu tu",
        "Nghị định 123/2015/NĐ-CP",
        "phí thu sau khi nhận kết quả",
        "phi thu sau khi nhan ket qua",
        "thu phí 2 lần",
        "thu 2.000.000 đồng",
        "ngày 31/2",
        "32/12",
        "ngay mot",
        "ngày một",
        "bây giờ mấy giờ",
    ],
)
def test_no_day_named(text: str) -> None:
    assert parse_submission_day(text, TODAY) is None
