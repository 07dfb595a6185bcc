"""Date ranges of the reports and settlements, in Vietnam time.

A day belongs to the calendar in Vietnam: a payment at 23:30 on 30 November in
Hà Nội (16:30 UTC) counts in November. Ranges are inclusive of both days on the
page and half-open in SQL: ``start_utc <= paid_at < end_utc``.
"""

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _

from shop.clock import VN_TZ

MAX_RANGE_DAYS = 3 * 366  # "three years", leap days included
# Far enough for any real question, and no date arithmetic near date.min/date.max.
EARLIEST = date(2000, 1, 1)
LATEST = date(2099, 12, 31)


class PeriodError(ValueError):
    """A date or month that cannot be used; ``message`` is for people."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def day_start_utc(day: date) -> datetime:
    """Midnight at the start of ``day`` in Vietnam, as an aware UTC datetime."""
    return datetime.combine(day, time.min, tzinfo=VN_TZ).astimezone(UTC)


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def previous_month(month: date) -> date:
    return (month.replace(day=1) - timedelta(days=1)).replace(day=1)


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @classmethod
    def month_of(cls, day: date) -> "Period":
        last = calendar.monthrange(day.year, day.month)[1]
        return cls(day.replace(day=1), day.replace(day=last))

    def utc_bounds(self) -> tuple[datetime, datetime]:
        return day_start_utc(self.start), day_start_utc(self.end + timedelta(days=1))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def args(self) -> dict:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


def _parse_day(raw: str, label: str) -> date:
    try:
        day = date.fromisoformat(raw.strip())
    except ValueError:
        raise PeriodError(
            _("%(label)s không hợp lệ: nhập ngày dạng YYYY-MM-DD.", label=label)
        ) from None
    if not EARLIEST <= day <= LATEST:
        raise PeriodError(
            _(
                "%(label)s phải nằm trong khoảng %(a)s – %(b)s.",
                label=label,
                a=EARLIEST.strftime("%d/%m/%Y"),
                b=LATEST.strftime("%d/%m/%Y"),
            )
        )
    return day


def parse_period(args, today: date) -> Period:
    """The ``start``/``end`` query arguments; either left out means the current month's.

    Raises PeriodError for a malformed date, an end before the start, or a range
    longer than three years.
    """
    default = Period.month_of(today)
    raw_start = (args.get("start") or "").strip()
    raw_end = (args.get("end") or "").strip()
    start = _parse_day(raw_start, _("Ngày bắt đầu")) if raw_start else default.start
    end = _parse_day(raw_end, _("Ngày kết thúc")) if raw_end else default.end
    if end < start:
        raise PeriodError(_("Ngày kết thúc phải sau hoặc trùng ngày bắt đầu."))
    period = Period(start, end)
    if period.days > MAX_RANGE_DAYS:
        raise PeriodError(_("Khoảng thời gian dài nhất là 3 năm. Hãy chọn khoảng ngắn hơn."))
    return period


def parse_month(raw: str) -> date:
    """ "2026-11" -> date(2026, 11, 1). Raises PeriodError."""
    raw = (raw or "").strip()
    try:
        year, month = raw.split("-")
        if not (len(year) == 4 and (year + month).isascii() and (year + month).isdigit()):
            raise ValueError
        day = date(int(year), int(month), 1)
    except ValueError:
        raise PeriodError(_("Tháng không hợp lệ: nhập dạng YYYY-MM, ví dụ 2026-11.")) from None
    if not EARLIEST <= day <= LATEST:
        raise PeriodError(_("Tháng phải nằm trong khoảng 2000 – 2099."))
    return day
