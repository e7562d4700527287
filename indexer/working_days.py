"""The Vietnamese working-day calendar: lunar dates, public holidays, counting working days.

Public holidays follow Bộ luật Lao động 2019 (Luật số 45/2019/QH14), Điều 112 khoản 1:

- Tết Dương lịch: 01 ngày (1/1 dương lịch);
- Tết Âm lịch: 05 ngày — the Prime Minister fixes the exact days every year (khoản 3); the rule
  used here is the last day of the lunar year plus mùng 1 to mùng 4 Tết;
- Ngày Chiến thắng: 01 ngày (30/4 dương lịch);
- Ngày Quốc tế lao động: 01 ngày (1/5 dương lịch);
- Quốc khánh: 02 ngày (2/9 dương lịch and one adjacent day before or after, also fixed every
  year; the rule used here is 1/9);
- Giỗ Tổ Hùng Vương: 01 ngày (10/3 âm lịch).

A holiday on a Saturday or Sunday gives a compensatory day off on the next working day
(Bộ luật Lao động 2019, Điều 111 khoản 3: "nghỉ bù ... vào ngày làm việc kế tiếp"); those days
are non-working too. Holidays are computed for any year, never listed per year, so the days
the government actually announces (swapped days, a longer Tết) can differ from this rule.

Lunar dates use the Vietnamese calendar (UTC+7), not the Chinese one (UTC+8): the two differ
in some years (Tết 1985, 2007).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

__all__ = [
    "WORKING_DAY_RULE",
    "Holiday",
    "LunarDate",
    "add_working_days",
    "holidays",
    "is_working_day",
    "lunar_to_solar",
    "next_working_day",
    "solar_to_lunar",
]

WORKING_DAY_RULE = "không tính thứ Bảy, Chủ nhật và ngày nghỉ lễ, Tết"

TIME_ZONE = 7.0  # Việt Nam, UTC+7

# --- lunar calendar -----------------------------------------------------------------------
# Hồ Ngọc Đức, "Thuật toán tính âm lịch" / "Computing the Vietnamese lunar calendar"
# (https://www.informatik.uni-leipzig.de/~duc/amlich/calrules.html): a lunar month starts on
# the local day of a new moon; month 11 is the one containing the winter solstice; a lunar
# year with 13 months (13 new moons between two month-11 starts) repeats the first month
# that contains no major solar term (sun longitude crossing a multiple of 30°). New-moon and
# sun-longitude formulas are the ones of that description (after Meeus, Astronomical
# Algorithms), evaluated at UTC+7.

_JD_OFFSET = 1_721_425  # Julian day number of a date = its proleptic ordinal + this
_SYNODIC = 29.530588853
_NEW_MOON_1900 = 2_415_021.076998695  # Julian day of the new moon of 1900-01-01


@dataclass(frozen=True)
class LunarDate:
    day: int
    month: int
    year: int
    leap: bool = False


def _jd(d: date) -> int:
    return d.toordinal() + _JD_OFFSET


def _from_jd(jd: int) -> date:
    return date.fromordinal(jd - _JD_OFFSET)


def _new_moon(k: int) -> float:
    """Julian day (UT, fractional) of the k-th new moon after 1900-01-01."""
    t = k / 1236.85  # Julian centuries since 1900-01-00.5
    t2 = t * t
    t3 = t2 * t
    dr = math.pi / 180
    jd1 = 2_415_020.75933 + 29.53058868 * k + 0.0001178 * t2 - 0.000000155 * t3
    jd1 += 0.00033 * math.sin((166.56 + 132.87 * t - 0.009173 * t2) * dr)  # mean new moon
    m = 359.2242 + 29.10535608 * k - 0.0000333 * t2 - 0.00000347 * t3  # sun's mean anomaly
    mpr = 306.0253 + 385.81691806 * k + 0.0107306 * t2 + 0.00001236 * t3  # moon's mean anomaly
    f = 21.2964 + 390.67050646 * k - 0.0016528 * t2 - 0.00000239 * t3  # moon's arg. of latitude
    c1 = (0.1734 - 0.000393 * t) * math.sin(m * dr) + 0.0021 * math.sin(2 * dr * m)
    c1 = c1 - 0.4068 * math.sin(mpr * dr) + 0.0161 * math.sin(dr * 2 * mpr)
    c1 = c1 - 0.0004 * math.sin(dr * 3 * mpr)
    c1 = c1 + 0.0104 * math.sin(dr * 2 * f) - 0.0051 * math.sin(dr * (m + mpr))
    c1 = c1 - 0.0074 * math.sin(dr * (m - mpr)) + 0.0004 * math.sin(dr * (2 * f + m))
    c1 = c1 - 0.0004 * math.sin(dr * (2 * f - m)) - 0.0006 * math.sin(dr * (2 * f + mpr))
    c1 = c1 + 0.0010 * math.sin(dr * (2 * f - mpr)) + 0.0005 * math.sin(dr * (2 * mpr + m))
    if t < -11:
        delta_t = 0.001 + 0.000839 * t + 0.0002261 * t2 - 0.00000845 * t3 - 0.000000081 * t * t3
    else:
        delta_t = -0.000278 + 0.000265 * t + 0.000262 * t2
    return jd1 + c1 - delta_t


def _new_moon_day(k: int) -> int:
    """Julian day number of the local (UTC+7) day of the k-th new moon."""
    return math.floor(_new_moon(k) + 0.5 + TIME_ZONE / 24)


def _sun_longitude(jdn: float) -> float:
    """Sun's apparent longitude in radians, in [0, 2π), at Julian day ``jdn`` (UT)."""
    t = (jdn - 2_451_545.0) / 36525  # Julian centuries since 2000-01-01 12:00 UT
    t2 = t * t
    dr = math.pi / 180
    m = 357.52910 + 35999.05030 * t - 0.0001559 * t2 - 0.00000048 * t * t2  # mean anomaly
    l0 = 280.46645 + 36000.76983 * t + 0.0003032 * t2  # mean longitude
    dl = (1.914600 - 0.004817 * t - 0.000014 * t2) * math.sin(dr * m)
    dl += (0.019993 - 0.000101 * t) * math.sin(dr * 2 * m) + 0.000290 * math.sin(dr * 3 * m)
    lon = (l0 + dl) * dr
    return lon - 2 * math.pi * math.floor(lon / (2 * math.pi))


def _solar_term(day_number: int) -> int:
    """Index 0..11 of the 30° sector the sun is in at local midnight starting the day."""
    return math.floor(_sun_longitude(day_number - 0.5 - TIME_ZONE / 24) / math.pi * 6)


@lru_cache(maxsize=512)
def _month11_start(year: int) -> int:
    """Julian day number of the first day of lunar month 11 (the winter-solstice month) that
    begins in solar ``year``."""
    off = _jd(date(year, 12, 31)) - 2_415_021
    k = math.floor(off / _SYNODIC)
    nm = _new_moon_day(k)
    if _solar_term(nm) >= 9:  # new moon already past the solstice: month 11 began one earlier
        nm = _new_moon_day(k - 1)
    return nm


def _leap_month_offset(a11: int) -> int:
    """Offset (in months after month 11) of the leap month of the 13-month year starting at
    ``a11``: the first month without a major solar term."""
    k = math.floor((a11 - _NEW_MOON_1900) / _SYNODIC + 0.5)
    i = 1
    arc = _solar_term(_new_moon_day(k + i))
    while True:
        last = arc
        i += 1
        arc = _solar_term(_new_moon_day(k + i))
        if arc == last or i >= 14:
            return i - 1


def solar_to_lunar(d: date) -> LunarDate:
    """The Vietnamese lunar date of the solar (Gregorian) date ``d``."""
    day_number = _jd(d)
    k = math.floor((day_number - _NEW_MOON_1900) / _SYNODIC)
    month_start = _new_moon_day(k + 1)
    if month_start > day_number:
        month_start = _new_moon_day(k)
    a11 = _month11_start(d.year)
    b11 = a11
    if a11 >= month_start:
        lunar_year = d.year
        a11 = _month11_start(d.year - 1)
    else:
        lunar_year = d.year + 1
        b11 = _month11_start(d.year + 1)
    lunar_day = day_number - month_start + 1
    diff = math.floor((month_start - a11) / 29)
    leap = False
    lunar_month = diff + 11
    if b11 - a11 > 365:  # 13 lunar months in this year
        leap_diff = _leap_month_offset(a11)
        if diff >= leap_diff:
            lunar_month = diff + 10
            leap = diff == leap_diff
    if lunar_month > 12:
        lunar_month -= 12
    if lunar_month >= 11 and diff < 4:
        lunar_year -= 1
    return LunarDate(lunar_day, lunar_month, lunar_year, leap)


def lunar_to_solar(day: int, month: int, year: int, leap: bool = False) -> date:
    """The solar date of lunar ``day``/``month``/``year`` (``leap``: the repeated month).

    Raises ValueError for a date that does not exist (a leap flag on a month that is not
    repeated that year, day 30 of a 29-day month)."""
    if not (1 <= month <= 12 and 1 <= day <= 30):
        raise ValueError(f"no lunar date {day}/{month}/{year}")
    if month < 11:
        a11 = _month11_start(year - 1)
        b11 = _month11_start(year)
    else:
        a11 = _month11_start(year)
        b11 = _month11_start(year + 1)
    off = month - 11
    if off < 0:
        off += 12
    if b11 - a11 > 365:
        leap_off = _leap_month_offset(a11)
        leap_month = leap_off - 2
        if leap_month < 0:
            leap_month += 12
        if leap and month != leap_month:
            raise ValueError(f"lunar year {year} has no leap month {month}")
        if leap or off >= leap_off:
            off += 1
    elif leap:
        raise ValueError(f"lunar year {year} has no leap month")
    k = math.floor(0.5 + (a11 - _NEW_MOON_1900) / _SYNODIC)
    month_start = _new_moon_day(k + off)
    if month_start + day - 1 >= _new_moon_day(k + off + 1):
        raise ValueError(f"lunar month {month}/{year} has fewer than {day} days")
    return _from_jd(month_start + day - 1)


# --- holidays -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Holiday:
    day: date
    name: str


TET_DUONG_LICH = "Tết Dương lịch"
TET_NGUYEN_DAN = "Tết Nguyên đán"
GIO_TO = "Giỗ Tổ Hùng Vương"
CHIEN_THANG = "Ngày Chiến thắng"
LAO_DONG = "Ngày Quốc tế Lao động"
QUOC_KHANH = "Quốc khánh"
COMPENSATORY = "Nghỉ bù"  # prefix of a compensatory day's name: "Nghỉ bù Tết Nguyên đán"


def _statutory(year: int) -> list[Holiday]:
    tet = lunar_to_solar(1, 1, year)
    days = [
        Holiday(date(year, 1, 1), TET_DUONG_LICH),
        # the last day of the lunar year (29 or 30 tháng Chạp), then mùng 1..4
        *(Holiday(tet + timedelta(days=i), TET_NGUYEN_DAN) for i in range(-1, 4)),
        Holiday(lunar_to_solar(10, 3, year), GIO_TO),
        Holiday(date(year, 4, 30), CHIEN_THANG),
        Holiday(date(year, 5, 1), LAO_DONG),
        # the day next to 2/9 is chosen yearly (1/9 or 3/9); 1/9 is the rule used here
        Holiday(date(year, 9, 1), QUOC_KHANH),
        Holiday(date(year, 9, 2), QUOC_KHANH),
    ]
    return sorted(days, key=lambda h: h.day)


@lru_cache(maxsize=256)
def _holidays(year: int) -> tuple[Holiday, ...]:
    statutory = _statutory(year)
    taken = {h.day for h in statutory}
    out = list(statutory)
    # In date order, so a run of weekend holidays (Tết) gets consecutive compensatory days
    # after the whole run, each on a weekday that is neither a holiday nor already taken.
    for h in statutory:
        if h.day.weekday() < 5:
            continue
        d = h.day + timedelta(days=1)
        while d.weekday() >= 5 or d in taken:
            d += timedelta(days=1)
        taken.add(d)
        out.append(Holiday(d, f"{COMPENSATORY} {h.name}"))
    return tuple(sorted(out, key=lambda h: h.day))


def holidays(year: int) -> list[Holiday]:
    """Public holidays of solar ``year`` and their compensatory days, in date order."""
    return list(_holidays(year))


@lru_cache(maxsize=256)
def _days_off(year: int) -> frozenset[date]:
    return frozenset(h.day for h in _holidays(year))


def is_working_day(d: date) -> bool:
    """Monday to Friday, and neither a public holiday nor a compensatory day off."""
    return d.weekday() < 5 and d not in _days_off(d.year)


def next_working_day(d: date) -> date:
    """``d`` itself if it is a working day, else the first working day after it."""
    while not is_working_day(d):
        d += timedelta(days=1)
    return d


def add_working_days(start: date, n: int) -> date:
    """The day ``n`` working days after a submission on ``start``.

    The day of submission is not counted: counting starts from the next working day, so with
    no holidays n working days after a Monday is Monday + n working days (1 → Tuesday,
    5 → next Monday), and 1 working day after a Friday or a Saturday is Monday. ``n == 0``
    returns ``start`` unchanged."""
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    d = start
    while n > 0:
        d += timedelta(days=1)
        if is_working_day(d):
            n -= 1
    return d
