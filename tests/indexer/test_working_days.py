"""The Vietnamese working-day calendar (``indexer/working_days.py``): lunar dates against
published dates, the statutory holidays of 2026 and 2027 written out in full, and how working
days are counted."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from indexer.working_days import (
    WORKING_DAY_RULE,
    Holiday,
    LunarDate,
    add_working_days,
    holidays,
    is_working_day,
    lunar_to_solar,
    next_working_day,
    solar_to_lunar,
)

# Mùng 1 Tết (1/1 âm lịch) in Việt Nam, as printed on Vietnamese calendars.
TET = {
    2020: date(2020, 1, 25),
    2021: date(2021, 2, 12),
    2022: date(2022, 2, 1),
    2023: date(2023, 1, 22),
    2024: date(2024, 2, 10),
    2025: date(2025, 1, 29),
    2026: date(2026, 2, 17),
    2027: date(2027, 2, 6),
    2028: date(2028, 1, 26),
    2029: date(2029, 2, 13),
    # New moon 2030-02-02 ~16:07 UTC: 23:07 in Hà Nội, 00:07 on the 3rd in Beijing, so
    # Tết Canh Tuất is on the 2nd in Việt Nam and on the 3rd in China.
    2030: date(2030, 2, 2),
}


@pytest.mark.parametrize(("year", "tet"), sorted(TET.items()))
def test_tet_matches_the_vietnamese_calendar(year: int, tet: date) -> None:
    assert lunar_to_solar(1, 1, year) == tet
    assert solar_to_lunar(tet) == LunarDate(1, 1, year, False)
    assert solar_to_lunar(tet - timedelta(days=1)).year == year - 1


@pytest.mark.parametrize(
    ("year", "tet"),
    # years where the UTC+7 calendar differs from the Chinese UTC+8 one (1985-02-20, 2007-02-18)
    [(1985, date(1985, 1, 21)), (2007, date(2007, 2, 17))],
)
def test_tet_uses_vietnam_time_not_china_time(year: int, tet: date) -> None:
    assert lunar_to_solar(1, 1, year) == tet


@pytest.mark.parametrize(
    ("year", "gio_to"),
    [
        (2022, date(2022, 4, 10)),
        (2023, date(2023, 4, 29)),
        (2024, date(2024, 4, 18)),
        (2025, date(2025, 4, 7)),
        (2026, date(2026, 4, 26)),
        (2027, date(2027, 4, 16)),
    ],
)
def test_gio_to_hung_vuong_is_10_3_lunar(year: int, gio_to: date) -> None:
    assert lunar_to_solar(10, 3, year) == gio_to
    assert solar_to_lunar(gio_to) == LunarDate(10, 3, year, False)


def test_round_trip_every_day_of_2025_to_2028() -> None:
    d = date(2025, 1, 1)
    previous = solar_to_lunar(d - timedelta(days=1))
    while d <= date(2028, 12, 31):
        lunar = solar_to_lunar(d)
        assert lunar_to_solar(lunar.day, lunar.month, lunar.year, lunar.leap) == d, (d, lunar)
        # consecutive days: the next lunar day, or day 1 after a 29- or 30-day month
        if lunar.day == 1:
            assert previous.day in (29, 30), (d, previous)
        else:
            assert (lunar.day, lunar.month, lunar.year, lunar.leap) == (
                previous.day + 1,
                previous.month,
                previous.year,
                previous.leap,
            ), d
        previous = lunar
        d += timedelta(days=1)


def _leap_months(year: int) -> set[int]:
    d, out = date(year, 1, 1), set()
    while d.year == year:
        lunar = solar_to_lunar(d)
        if lunar.leap:
            out.add(lunar.month)
        d += timedelta(days=1)
    return out


@pytest.mark.parametrize(
    ("year", "leap_month", "first_day"),
    [
        (2020, 4, date(2020, 5, 23)),  # tháng 4 nhuận Canh Tý
        (2023, 2, date(2023, 3, 22)),  # tháng 2 nhuận Quý Mão
        (2025, 6, date(2025, 7, 25)),  # tháng 6 nhuận Ất Tỵ
        (2028, 5, date(2028, 6, 23)),  # tháng 5 nhuận Mậu Thân
    ],
)
def test_leap_months(year: int, leap_month: int, first_day: date) -> None:
    assert _leap_months(year) == {leap_month}
    assert lunar_to_solar(1, leap_month, year, leap=True) == first_day
    assert solar_to_lunar(first_day) == LunarDate(1, leap_month, year, True)
    # the ordinary month of that number comes first, one lunar month earlier
    assert 29 <= (first_day - lunar_to_solar(1, leap_month, year)).days <= 30


@pytest.mark.parametrize("year", [2021, 2022, 2024, 2026, 2027, 2029, 2030])
def test_years_without_a_leap_month(year: int) -> None:
    assert _leap_months(year) == set()
    with pytest.raises(ValueError):
        lunar_to_solar(1, 6, year, leap=True)


def test_known_lunar_dates() -> None:
    assert lunar_to_solar(15, 8, 2025) == date(2025, 10, 6)  # Tết Trung thu 2025
    assert lunar_to_solar(15, 1, 2026) == date(2026, 3, 3)  # Rằm tháng Giêng 2026
    assert solar_to_lunar(date(2026, 2, 16)) == LunarDate(29, 12, 2025, False)  # 29 Tết Ất Tỵ


def test_impossible_lunar_dates_raise() -> None:
    with pytest.raises(ValueError):
        lunar_to_solar(1, 5, 2025, leap=True)  # 2025 repeats month 6, not 5
    with pytest.raises(ValueError):
        lunar_to_solar(30, 12, 2025)  # tháng Chạp Ất Tỵ has 29 days (Tết is 2026-02-17)
    with pytest.raises(ValueError):
        lunar_to_solar(1, 13, 2025)


HOLIDAYS_2026 = [
    Holiday(date(2026, 1, 1), "Tết Dương lịch"),
    Holiday(date(2026, 2, 16), "Tết Nguyên đán"),  # 29 tháng Chạp, last day of Ất Tỵ
    Holiday(date(2026, 2, 17), "Tết Nguyên đán"),
    Holiday(date(2026, 2, 18), "Tết Nguyên đán"),
    Holiday(date(2026, 2, 19), "Tết Nguyên đán"),
    Holiday(date(2026, 2, 20), "Tết Nguyên đán"),
    Holiday(date(2026, 4, 26), "Giỗ Tổ Hùng Vương"),  # Sunday
    Holiday(date(2026, 4, 27), "Nghỉ bù Giỗ Tổ Hùng Vương"),
    Holiday(date(2026, 4, 30), "Ngày Chiến thắng"),
    Holiday(date(2026, 5, 1), "Ngày Quốc tế Lao động"),
    Holiday(date(2026, 9, 1), "Quốc khánh"),
    Holiday(date(2026, 9, 2), "Quốc khánh"),
]

HOLIDAYS_2027 = [
    Holiday(date(2027, 1, 1), "Tết Dương lịch"),
    Holiday(date(2027, 2, 5), "Tết Nguyên đán"),  # 29 tháng Chạp, last day of Bính Ngọ
    Holiday(date(2027, 2, 6), "Tết Nguyên đán"),  # Saturday
    Holiday(date(2027, 2, 7), "Tết Nguyên đán"),  # Sunday
    Holiday(date(2027, 2, 8), "Tết Nguyên đán"),
    Holiday(date(2027, 2, 9), "Tết Nguyên đán"),
    Holiday(date(2027, 2, 10), "Nghỉ bù Tết Nguyên đán"),
    Holiday(date(2027, 2, 11), "Nghỉ bù Tết Nguyên đán"),
    Holiday(date(2027, 4, 16), "Giỗ Tổ Hùng Vương"),
    Holiday(date(2027, 4, 30), "Ngày Chiến thắng"),
    Holiday(date(2027, 5, 1), "Ngày Quốc tế Lao động"),  # Saturday
    Holiday(date(2027, 5, 3), "Nghỉ bù Ngày Quốc tế Lao động"),
    Holiday(date(2027, 9, 1), "Quốc khánh"),
    Holiday(date(2027, 9, 2), "Quốc khánh"),
]


def test_holidays_2026() -> None:
    assert holidays(2026) == HOLIDAYS_2026


def test_holidays_2027() -> None:
    assert holidays(2027) == HOLIDAYS_2027


def test_weekend_holidays_give_compensatory_days() -> None:
    # 2028: 1/1 Saturday; mùng 4 Tết Saturday; 30/4 Sunday (1/5 Monday is itself a holiday);
    # 2/9 Saturday
    compensatory = [h for h in holidays(2028) if h.name.startswith("Nghỉ bù")]
    assert compensatory == [
        Holiday(date(2028, 1, 3), "Nghỉ bù Tết Dương lịch"),
        Holiday(date(2028, 1, 31), "Nghỉ bù Tết Nguyên đán"),
        Holiday(date(2028, 5, 2), "Nghỉ bù Ngày Chiến thắng"),
        Holiday(date(2028, 9, 4), "Nghỉ bù Quốc khánh"),
    ]
    # 2022: 30/4 Saturday and 1/5 Sunday -> Monday 2/5 and Tuesday 3/5 (as announced that year)
    assert [h.day for h in holidays(2022) if h.name.startswith("Nghỉ bù")][-2:] == [
        date(2022, 5, 2),
        date(2022, 5, 3),
    ]


def test_every_year_has_eleven_statutory_days() -> None:
    for year in range(2000, 2051):
        days = [h for h in holidays(year) if not h.name.startswith("Nghỉ bù")]
        assert len(days) == 11, year
        assert len({h.day for h in holidays(year)}) == len(holidays(year)), year
        assert all(h.day.year == year for h in holidays(year)), year


def test_is_working_day() -> None:
    assert is_working_day(date(2026, 3, 2))  # Monday
    assert not is_working_day(date(2026, 3, 7))  # Saturday
    assert not is_working_day(date(2026, 3, 8))  # Sunday
    assert not is_working_day(date(2026, 1, 1))
    assert not is_working_day(date(2026, 2, 16))  # 29 Tết
    assert not is_working_day(date(2026, 4, 27))  # compensatory day for Giỗ Tổ
    assert not is_working_day(date(2027, 2, 11))  # second compensatory day for Tết
    assert is_working_day(date(2027, 2, 12))
    assert not is_working_day(date(2026, 9, 1))
    assert is_working_day(date(2026, 9, 3))


def test_add_working_days_does_not_count_the_day_of_submission() -> None:
    monday = date(2026, 3, 2)  # no holiday nearby
    assert add_working_days(monday, 0) == monday
    assert add_working_days(monday, 1) == date(2026, 3, 3)
    assert add_working_days(monday, 4) == date(2026, 3, 6)  # Friday
    assert add_working_days(monday, 5) == date(2026, 3, 9)  # next Monday
    assert add_working_days(monday, 10) == date(2026, 3, 16)
    assert add_working_days(date(2026, 3, 6), 1) == date(2026, 3, 9)  # Friday -> Monday
    assert add_working_days(date(2026, 3, 7), 1) == date(2026, 3, 9)  # Saturday -> Monday
    assert add_working_days(date(2026, 3, 8), 0) == date(2026, 3, 8)  # 0: the same day
    with pytest.raises(ValueError):
        add_working_days(monday, -1)


def test_next_working_day() -> None:
    assert next_working_day(date(2026, 3, 2)) == date(2026, 3, 2)
    assert next_working_day(date(2026, 2, 14)) == date(2026, 2, 23)  # Saturday before Tết
    assert next_working_day(date(2027, 5, 1)) == date(2027, 5, 4)


def test_rule_text() -> None:
    assert WORKING_DAY_RULE == "không tính thứ Bảy, Chủ nhật và ngày nghỉ lễ, Tết"
