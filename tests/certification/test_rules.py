from datetime import date

import pytest

from shop.certification.rules import (
    CertificateStatus,
    derive_status,
    expiry_date,
    last_valid_day,
    stars_for_score,
)


def status(decision, today, **kw):
    return derive_status(review="verified", decision_date=decision, today=today, **kw)


def test_valid_for_36_months():
    decided = date(2023, 3, 15)
    assert expiry_date(decided) == date(2026, 3, 15)
    assert last_valid_day(decided) == date(2026, 3, 14)


def test_last_valid_day_and_first_expired_day():
    decided = date(2023, 3, 15)
    assert status(decided, date(2026, 3, 14)) == CertificateStatus.EXPIRING
    assert status(decided, date(2026, 3, 15)) == CertificateStatus.EXPIRED
    assert status(decided, date(2030, 1, 1)) == CertificateStatus.EXPIRED


def test_decision_dated_29_february():
    decided = date(2024, 2, 29)
    # 2027 has no 29 February: the 36 months end with 28 February.
    assert expiry_date(decided) == date(2027, 2, 28)
    assert status(decided, date(2027, 2, 27)) == CertificateStatus.EXPIRING
    assert status(decided, date(2027, 2, 28)) == CertificateStatus.EXPIRED


def test_expiring_soon_is_thirty_days_or_fewer():
    decided = date(2023, 3, 15)  # expires 2026-03-15
    assert status(decided, date(2026, 2, 12)) == CertificateStatus.ACTIVE  # 31 days left
    assert status(decided, date(2026, 2, 13)) == CertificateStatus.EXPIRING  # 30 days left


def test_active_on_the_decision_day():
    assert status(date(2026, 1, 1), date(2026, 1, 1)) == CertificateStatus.ACTIVE


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"review": "pending"}, CertificateStatus.PENDING),
        ({"review": "rejected"}, CertificateStatus.REJECTED),
        ({"revoked": True}, CertificateStatus.REVOKED),
        ({"superseded": True}, CertificateStatus.SUPERSEDED),
        ({"revoked": True, "superseded": True}, CertificateStatus.REVOKED),
    ],
)
def test_states_that_beat_the_dates(kwargs, expected):
    args = {"review": "verified", "decision_date": date(2026, 1, 1), "today": date(2026, 2, 1)}
    args.update(kwargs)
    assert derive_status(**args) == expected


@pytest.mark.parametrize(
    ("status_", "valid"),
    [
        (CertificateStatus.ACTIVE, True),
        (CertificateStatus.EXPIRING, True),
        (CertificateStatus.EXPIRED, False),
        (CertificateStatus.REVOKED, False),
        (CertificateStatus.SUPERSEDED, False),
        (CertificateStatus.PENDING, False),
        (CertificateStatus.REJECTED, False),
    ],
)
def test_only_active_and_expiring_are_valid(status_, valid):
    assert status_.is_valid is valid


@pytest.mark.parametrize(
    ("score", "stars"),
    [(29, None), (49, None), (50, 3), (69, 3), (70, 4), (89, 4), (90, 5), (100, 5)],
)
def test_score_bands(score, stars):
    assert stars_for_score(score) == stars
