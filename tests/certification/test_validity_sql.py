"""The last valid day written as SQL (``Certificate.valid_on``, the register's status
filters, the reminders) agrees with the Python rule on the days where it can go
wrong: month ends, 29 February, 31 December. Run on PostgreSQL too (DATABASE_URL)."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from shop.certification.models import Certificate
from shop.certification.register import status_condition
from shop.certification.rules import CertificateStatus, last_valid_day
from shop.certification.services import record_printed_end_date
from shop.extensions import db

EDGE_DECISIONS = [
    (date(2024, 2, 29), date(2027, 2, 28)),
    (date(2023, 2, 28), date(2026, 2, 28)),
    (date(2025, 2, 28), date(2028, 2, 28)),
    (date(2023, 12, 31), date(2026, 12, 31)),
    (date(2024, 1, 31), date(2027, 1, 31)),
    (date(2023, 5, 31), date(2026, 5, 31)),
    (date(2023, 4, 30), date(2026, 4, 30)),
    (date(2026, 1, 28), date(2029, 1, 28)),
]


def _days_around(last_day: date) -> list[date]:
    return [last_day + timedelta(days=d) for d in (-31, -30, -29, -1, 0, 1, 2)]


@pytest.fixture
def edge_certificates(make_certificate, make_product):
    return [
        (make_certificate(make_product(), decision_date=decided), last)
        for decided, last in EDGE_DECISIONS
    ]


def _sql_ids(condition) -> set[int]:
    return set(db.session.scalars(select(Certificate.id).where(condition)))


def _check_day(today: date) -> None:
    certificates = db.session.scalars(select(Certificate)).all()
    valid = {c.id for c in certificates if c.status(today).is_valid}
    assert _sql_ids(Certificate.valid_on(today)) == valid, today
    for status in (
        CertificateStatus.ACTIVE,
        CertificateStatus.EXPIRING,
        CertificateStatus.EXPIRED,
    ):
        expected = {c.id for c in certificates if c.status(today) == status}
        assert _sql_ids(status_condition(status, today)) == expected, (today, status)


def test_stored_last_day_is_the_rule(edge_certificates):
    for certificate, last in edge_certificates:
        db.session.expire(certificate)  # read back what the database holds
        assert certificate.valid_through == last == last_valid_day(certificate.decision_date)


def test_sql_agrees_with_python_around_every_edge(edge_certificates):
    for certificate, last in edge_certificates:
        for today in _days_around(last):
            _check_day(today)
        assert certificate.status(last).is_valid
        assert certificate.status(last + timedelta(days=1)) == CertificateStatus.EXPIRED
        assert certificate.id in _sql_ids(Certificate.valid_on(last))
        assert certificate.id not in _sql_ids(Certificate.valid_on(last + timedelta(days=1)))


def test_a_printed_end_date_wins_in_sql_too(make_certificate, staff):
    certificate = make_certificate(decision_date=date(2024, 2, 29))
    printed = date(2026, 12, 31)
    record_printed_end_date(certificate, staff, printed)
    db.session.commit()
    db.session.expire(certificate)
    assert certificate.valid_through == printed
    assert certificate.printed_valid_through == printed
    for today in _days_around(printed):
        _check_day(today)
    assert certificate.id not in _sql_ids(Certificate.valid_on(date(2027, 1, 1)))
    # Cleared: back to the 36 months.
    record_printed_end_date(certificate, staff, None)
    db.session.commit()
    db.session.expire(certificate)
    assert certificate.valid_through == date(2027, 2, 28)
    assert certificate.id in _sql_ids(Certificate.valid_on(date(2027, 2, 28)))
