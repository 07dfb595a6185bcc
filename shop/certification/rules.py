"""The OCOP certificate rules as plain functions of dates. ``today`` is always a parameter."""

import enum
from datetime import date

from dateutil.relativedelta import relativedelta

VALIDITY_MONTHS = 36
EXPIRY_WARNING_DAYS = 30
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


def expiry_date(decision_date: date) -> date:
    """The first day on which the certificate is no longer valid.

    36 calendar months after the decision; a decision of 29 February expires on
    28 February (the month has no 29th), as relativedelta clamps.
    """
    return decision_date + relativedelta(months=VALIDITY_MONTHS)


def last_valid_day(decision_date: date) -> date:
    return expiry_date(decision_date) - relativedelta(days=1)


def derive_status(
    *,
    review: str,
    decision_date: date,
    today: date,
    revoked: bool = False,
    superseded: bool = False,
) -> CertificateStatus:
    if review == "pending":
        return CertificateStatus.PENDING
    if review == "rejected":
        return CertificateStatus.REJECTED
    if revoked:
        return CertificateStatus.REVOKED
    if superseded:
        return CertificateStatus.SUPERSEDED
    expires = expiry_date(decision_date)
    if today >= expires:
        return CertificateStatus.EXPIRED
    if (expires - today).days <= EXPIRY_WARNING_DAYS:
        return CertificateStatus.EXPIRING
    return CertificateStatus.ACTIVE


def stars_for_score(score: int) -> int | None:
    """The star rank a score earns, or None below 3 stars (not an OCOP product)."""
    for stars, (low, high) in STAR_BANDS.items():
        if low <= score <= high:
            return stars
    return None
