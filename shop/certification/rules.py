"""The OCOP certificate rules as plain functions of dates. ``today`` is always a parameter."""

import enum
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from flask_babel import lazy_gettext as _l

VALIDITY_MONTHS = 36
# "Expiring soon": 30 days or fewer between today and the last valid day.
EXPIRY_WARNING_DAYS = 30
# Re-rating reminders to the producer, in days before the last valid day (each sent
# once); from the first of them the dashboards warn too.
REMINDER_DAYS = (90, 60, 30, 7)
RERATING_WARNING_DAYS = max(REMINDER_DAYS)
CERTIFIED_STARS = (3, 4, 5)
# The district level was abolished on 1 July 2025; no district decision after that.
DISTRICT_LEVEL_ABOLISHED = date(2025, 7, 1)
# The programme began with Decision 490/QĐ-TTg of 7 May 2018.
PROGRAMME_START = date(2018, 5, 7)

# Score bands of the 100-point scale.
STAR_BANDS = {3: (50, 69), 4: (70, 89), 5: (90, 100)}


class CertificateStatus(enum.StrEnum):
    PENDING = "pending"  # submitted, not yet verified by staff
    REJECTED = "rejected"  # staff refused it
    ACTIVE = "active"
    EXPIRING = "expiring"  # active, 30 days or fewer left
    EXPIRED = "expired"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"  # replaced by a re-rating

    @property
    def is_valid(self) -> bool:
        """Shown with stars, sold as certified, labelled."""
        return self in (CertificateStatus.ACTIVE, CertificateStatus.EXPIRING)

    @property
    def is_revoked(self) -> bool:
        """Taken back by staff: pages say so, not merely "expired"."""
        return self is CertificateStatus.REVOKED

    @property
    def label(self):
        return _STATUS_LABELS[self]


_STATUS_LABELS = {
    CertificateStatus.PENDING: _l("Chờ xác minh"),
    CertificateStatus.REJECTED: _l("Bị từ chối"),
    CertificateStatus.ACTIVE: _l("Còn hiệu lực"),
    CertificateStatus.EXPIRING: _l("Sắp hết hạn"),
    CertificateStatus.EXPIRED: _l("Hết hiệu lực"),
    CertificateStatus.REVOKED: _l("Đã thu hồi"),
    CertificateStatus.SUPERSEDED: _l("Đã được thay thế"),
}


def last_valid_day(decision_date: date, printed: date | None = None) -> date:
    """The last day on which the certificate is valid (it is valid through that day).

    Civil Code 2015, Art. 147-148: the decision day itself is not counted, and a
    period of months ends at the end of the corresponding day of its last month, or
    of that month's last day when it has no such day. Decided 28/01/2026: valid
    through 28/01/2029. Decided 29/02/2024: valid through 28/02/2027 (relativedelta
    clamps to the month's end). The weekend extension of Art. 148(5) is for deadlines
    to act, not for validity, so it is not applied. A certificate that prints its own
    end date (``printed``) is valid through that date instead.
    """
    if printed is not None:
        return printed
    return decision_date + relativedelta(months=VALIDITY_MONTHS)


def expiry_date(decision_date: date, printed: date | None = None) -> date:
    """The first day on which the certificate is no longer valid."""
    return last_valid_day(decision_date, printed) + timedelta(days=1)


def days_left(valid_through: date, today: date) -> int:
    """Days between today and the last valid day: 0 on the last day, negative after."""
    return (valid_through - today).days


def reminder_due(valid_through: date, today: date) -> int | None:
    """The re-rating reminder whose time has come: the smallest threshold of
    ``REMINDER_DAYS`` that is not smaller than the days left. One late run sends the
    most urgent reminder only, never the ones it missed."""
    left = days_left(valid_through, today)
    if left < 0:
        return None
    due = [t for t in REMINDER_DAYS if left <= t]
    return min(due) if due else None


def derive_status(
    *,
    review: str,
    today: date,
    decision_date: date | None = None,
    valid_through: date | None = None,
    revoked: bool = False,
    superseded: bool = False,
) -> CertificateStatus:
    """``valid_through`` is the last valid day; without it, the one the decision
    date gives."""
    if review == "pending":
        return CertificateStatus.PENDING
    if review == "rejected":
        return CertificateStatus.REJECTED
    if revoked:
        return CertificateStatus.REVOKED
    if superseded:
        return CertificateStatus.SUPERSEDED
    if valid_through is None:
        if decision_date is None:
            raise TypeError("derive_status needs decision_date or valid_through")
        valid_through = last_valid_day(decision_date)
    left = days_left(valid_through, today)
    if left < 0:
        return CertificateStatus.EXPIRED
    if left <= EXPIRY_WARNING_DAYS:
        return CertificateStatus.EXPIRING
    return CertificateStatus.ACTIVE


def stars_for_score(score: int) -> int | None:
    """The star rank a score earns, or None below 3 stars (not an OCOP product)."""
    for stars, (low, high) in STAR_BANDS.items():
        if low <= score <= high:
            return stars
    return None
