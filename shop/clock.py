"""The one source of "now" and "today", so rules can take them as parameters."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def utcnow() -> datetime:
    return datetime.now(UTC)


def today_vn() -> date:
    """Certificates expire by the calendar in Vietnam, not in UTC."""
    return datetime.now(VN_TZ).date()


def local_time(moment: datetime) -> datetime:
    """A stored UTC timestamp in Vietnam time. SQLite hands back naive datetimes;
    everything is stored in UTC, so a naive one is UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(VN_TZ)


def local_date(moment: datetime) -> date:
    """The day in Vietnam of a stored UTC timestamp: a revocation at 01:30 on 29/11
    in Hà Nội (18:30 UTC on 28/11) happened on 29/11."""
    return local_time(moment).date()
