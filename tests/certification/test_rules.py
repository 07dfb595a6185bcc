from datetime import date, timedelta

import pytest

from shop.certification.rules import (
    CertificateStatus,
    days_left,
    derive_status,
    expiry_date,
    last_valid_day,
    reminder_due,
    stars_for_score,
)


def status(decision, today, **kw):
    return derive_status(review="verified", decision_date=decision, today=today, **kw)


# Civil Code 2015, Art. 147-148: the decision day is not counted; 36 months end at
# the end of the corresponding day of the last month, or of that month's last day.
@pytest.mark.parametrize(
    ("decided", "last_day"),
    [
        (date(2026, 1, 28), date(2029, 1, 28)),  # the example
        (date(2024, 2, 29), date(2027, 2, 28)),  # 2027 has no 29 February
        (date(2023, 2, 28), date(2026, 2, 28)),  # 28 February is not a month's end rule
        (date(2025, 2, 28), date(2028, 2, 28)),  # ... even when 2028 has a 29th
        (date(2023, 12, 31), date(2026, 12, 31)),
        (date(2024, 1, 31), date(2027, 1, 31)),
        (date(2023, 5, 31), date(2026, 5, 31)),
        (date(2023, 8, 31), date(2026, 8, 31)),
        (date(2023, 3, 31), date(2026, 3, 31)),
        (date(2023, 4, 30), date(2026, 4, 30)),
        (date(2024, 3, 30), date(2027, 3, 30)),
        (date(2023, 3, 15), date(2026, 3, 15)),
    ],
)
def test_last_valid_day(decided, last_day):
    assert last_valid_day(decided) == last_day
    assert expiry_date(decided) == last_day + timedelta(days=1)
    assert status(decided, last_day).is_valid
    assert status(decided, last_day + timedelta(days=1)) == CertificateStatus.EXPIRED


def test_thirty_six_months_ending_in_a_shorter_month_take_its_last_day():
    # No 31st in the last month: the period ends on that month's last day.
    assert last_valid_day(date(2022, 12, 31)) == date(2025, 12, 31)
    assert last_valid_day(date(2022, 8, 31)) == date(2025, 8, 31)
    assert last_valid_day(date(2021, 5, 31)) == date(2024, 5, 31)
    assert last_valid_day(date(2020, 2, 29)) == date(2023, 2, 28)


def test_the_shop_used_to_end_one_day_early():
    decided = date(2026, 1, 28)
    assert status(decided, date(2029, 1, 28)) == CertificateStatus.EXPIRING
    assert status(decided, date(2029, 1, 29)) == CertificateStatus.EXPIRED
    assert status(decided, date(2030, 1, 1)) == CertificateStatus.EXPIRED


def test_a_printed_end_date_wins():
    decided = date(2024, 2, 29)
    assert last_valid_day(decided, printed=date(2026, 12, 31)) == date(2026, 12, 31)
    args = {"review": "verified", "decision_date": decided}
    printed = date(2026, 12, 31)
    assert derive_status(**args, valid_through=printed, today=date(2027, 1, 1)) == (
        CertificateStatus.EXPIRED
    )
    assert derive_status(**args, today=date(2027, 1, 1)).is_valid


def test_expiring_soon_is_thirty_days_or_fewer_before_the_last_day():
    decided = date(2023, 3, 15)  # valid through 2026-03-15
    assert status(decided, date(2026, 2, 12)) == CertificateStatus.ACTIVE  # 31 days left
    assert status(decided, date(2026, 2, 13)) == CertificateStatus.EXPIRING  # 30 days left
    assert days_left(date(2026, 3, 15), date(2026, 3, 15)) == 0


@pytest.mark.parametrize(
    ("left", "due"),
    [
        (120, None),
        (91, None),
        (90, 90),
        (61, 90),
        (60, 60),
        (31, 60),
        (30, 30),
        (8, 30),
        (7, 7),
        (0, 7),
        (-1, None),
    ],
)
def test_the_reminder_due(left, due):
    last_day = date(2027, 2, 28)
    assert reminder_due(last_day, last_day - timedelta(days=left)) == due


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
