"""The one source of "now" and "today", so rules can take them as parameters."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def utcnow() -> datetime:
    return datetime.now(UTC)


def today_vn() -> date:
    """Certificates expire by the calendar in Vietnam, not in UTC."""
    return datetime.now(VN_TZ).date()
