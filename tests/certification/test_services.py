from datetime import date

import pytest
from sqlalchemy import select

from shop.certification.exceptions import InvalidTransition, NotOwnProduct
from shop.certification.models import CODE_ALPHABET, Certificate, ReviewState
from shop.certification.rules import CertificateStatus
from shop.certification.services import (
    find_by_code,
    reject_certificate,
    revoke_certificate,
    submit_certificate,
    verify_certificate,
)
from shop.extensions import db

TODAY = date(2026, 11, 28)


def test_submitted_certificate_is_pending_with_an_unguessable_code(make_certificate):
    certificate = make_certificate(verified=False)
    assert certificate.status(TODAY) == CertificateStatus.PENDING
    code = certificate.verification_code
    assert len(code) == 10
    assert set(code) <= set(CODE_ALPHABET)
    assert find_by_code(code.lower()) == certificate


def test_codes_differ(make_certificate, make_product):
    product = make_product()
    codes = {make_certificate(product, verified=False).verification_code for _ in range(5)}
    assert len(codes) == 5


def test_valid_through_follows_the_decision_date(make_certificate):
    certificate = make_certificate(decision_date=date(2024, 2, 29))
    assert certificate.valid_through == date(2027, 2, 28)
    assert certificate.expires_on == date(2027, 3, 1)
    assert certificate.valid_until == certificate.valid_through


def test_verify_then_revoke(make_certificate, staff):
    certificate = make_certificate(verified=False)
    verify_certificate(certificate, staff, TODAY)
    assert certificate.status(TODAY) == CertificateStatus.ACTIVE
    assert certificate.reviewed_by == staff
    revoke_certificate(certificate, staff, "Không đăng ký đánh giá lại đúng hạn")
    assert certificate.status(TODAY) == CertificateStatus.REVOKED
    assert certificate.revocation_reason == "Không đăng ký đánh giá lại đúng hạn"


def test_cannot_verify_twice_or_revoke_a_pending_one(make_certificate, staff):
    pending = make_certificate(verified=False)
    with pytest.raises(InvalidTransition):
        revoke_certificate(pending, staff, "x")
    verify_certificate(pending, staff, TODAY)
    with pytest.raises(InvalidTransition):
        verify_certificate(pending, staff, TODAY)
    with pytest.raises(InvalidTransition):
        reject_certificate(pending, staff, "x")


def test_rejected_certificate_is_never_valid(make_certificate, staff):
    certificate = make_certificate(verified=False)
    reject_certificate(certificate, staff, "Số quyết định không khớp")
    assert certificate.status(TODAY) == CertificateStatus.REJECTED
    with pytest.raises(InvalidTransition):
        verify_certificate(certificate, staff, TODAY)


def test_re_rating_supersedes_the_older_certificate(make_certificate, make_product, staff):
    product = make_product()
    old = make_certificate(product, stars=3, decision_date=date(2023, 12, 1))
    new = make_certificate(product, stars=4, decision_date=date(2026, 11, 1), verified=False)
    superseded = verify_certificate(new, staff, TODAY)
    assert superseded == [old]
    assert old.status(TODAY) == CertificateStatus.SUPERSEDED
    assert new.status(TODAY) == CertificateStatus.ACTIVE


def test_certificate_only_for_own_product(make_product, make_producer, staff):
    product = make_product()
    other = make_producer()
    with pytest.raises(NotOwnProduct):
        submit_certificate(other, product, staff, {})


def test_sql_validity_matches_the_python_rule(make_certificate, make_product, staff):
    product = make_product()
    certs = {
        "active": make_certificate(product, decision_date=date(2025, 1, 10)),
        "expiring": make_certificate(make_product(), decision_date=date(2023, 12, 20)),
        "expired": make_certificate(make_product(), decision_date=date(2023, 11, 27)),
        "pending": make_certificate(make_product(), verified=False),
        "revoked": make_certificate(make_product()),
    }
    revoke_certificate(certs["revoked"], staff, "Không đạt khi đánh giá lại")
    db.session.commit()
    valid_ids = set(db.session.scalars(select(Certificate.id).where(Certificate.valid_on(TODAY))))
    expected = {c.id for c in certs.values() if c.status(TODAY).is_valid}
    assert valid_ids == expected == {certs["active"].id, certs["expiring"].id}
    assert certs["expiring"].status(TODAY) == CertificateStatus.EXPIRING
    assert certs["expired"].status(TODAY) == CertificateStatus.EXPIRED
    assert certs["pending"].review == ReviewState.PENDING


def test_late_verified_older_decision_never_displaces_the_newer(
    make_certificate, make_product, staff
):
    product = make_product()
    new = make_certificate(product, stars=4, decision_date=date(2026, 10, 1))
    old = make_certificate(product, stars=3, decision_date=date(2024, 1, 1), verified=False)
    verify_certificate(old, staff, TODAY)
    assert old.status(TODAY) == CertificateStatus.SUPERSEDED
    assert new.status(TODAY) == CertificateStatus.ACTIVE
