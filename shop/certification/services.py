"""Certificate use cases. They flush; the caller commits."""

from datetime import date

from sqlalchemy import select

from shop.audit import services as audit
from shop.auth.models import User
from shop.catalog.models import Product
from shop.certification.exceptions import (
    InvalidEndDate,
    InvalidLegalBasis,
    InvalidTransition,
    NeedsConfirmation,
    NotOwnProduct,
)
from shop.certification.legal_bases import BasisCheck, check_basis
from shop.certification.models import Certificate, ReviewState
from shop.clock import utcnow
from shop.extensions import db
from shop.producers.models import Producer

CERTIFICATE_FIELDS = (
    "star_rank",
    "score",
    "decision_number",
    "decision_date",
    "issuer_level",
    "issuer_name",
    "legal_basis",
    "product_set_id",
)


def basis_check(certificate: Certificate) -> BasisCheck:
    return check_basis(
        stars=certificate.star_rank,
        level=certificate.issuer_level,
        basis=certificate.legal_basis,
        decided=certificate.decision_date,
        issuer_name=certificate.issuer_name,
    )


def _check_end_date(decision_date: date, printed: date | None) -> None:
    if printed is not None and printed <= decision_date:
        raise InvalidEndDate("the printed end date must come after the decision date")


def certificates_of(producer: Producer):
    return (
        select(Certificate)
        .where(Certificate.producer_id == producer.id)
        .order_by(Certificate.submitted_at.desc(), Certificate.id.desc())
    )


def certificates_in_review(state: ReviewState):
    return (
        select(Certificate)
        .where(Certificate.review == state)
        .order_by(Certificate.submitted_at, Certificate.id)
    )


def submit_certificate(
    producer: Producer,
    product: Product,
    submitted_by: User,
    data: dict,
    scan_path: str | None = None,
    scan_content_type: str | None = None,
) -> Certificate:
    """``data`` may also hold ``printed_valid_through`` (the end date the certificate
    prints) and ``transition_confirmed`` (the submitter confirmed the warnings of
    ``basis_check``)."""
    if product.producer_id != producer.id:
        raise NotOwnProduct(product.id)
    _check_end_date(data["decision_date"], data.get("printed_valid_through"))
    certificate = Certificate(
        producer_id=producer.id,
        product=product,
        submitted_by=submitted_by,
        scan_path=scan_path,
        scan_content_type=scan_content_type,
    )
    for field in CERTIFICATE_FIELDS:
        setattr(certificate, field, data[field])
    certificate.printed_valid_through = data.get("printed_valid_through")
    check = basis_check(certificate)
    if check.errors:
        raise InvalidLegalBasis(check.errors)
    if check.warnings and not data.get("transition_confirmed"):
        raise NeedsConfirmation(check.warnings)
    db.session.add(certificate)
    db.session.flush()
    return certificate


def verify_certificate(
    certificate: Certificate, staff: User, today: date, confirmed: bool = False
) -> list[Certificate]:
    """Accept a submitted certificate. A newer decision for the same product
    supersedes the older valid ones (a re-rating may keep, raise or lower the stars).
    A transition case (``basis_check`` warns) needs ``confirmed``: staff checked it
    against the decision.

    Returns the certificates it superseded.
    """
    if certificate.review != ReviewState.PENDING:
        raise InvalidTransition(f"certificate {certificate.id} is {certificate.review}")
    check = basis_check(certificate)
    if check.errors:
        raise InvalidLegalBasis(check.errors)
    if check.warnings and not confirmed:
        raise NeedsConfirmation(check.warnings)
    certificate.review = ReviewState.VERIFIED
    certificate.reviewed_by = staff
    certificate.reviewed_at = utcnow()
    certificate.rejection_reason = None
    db.session.flush()
    current = db.session.scalars(
        select(Certificate).where(
            Certificate.product_id == certificate.product_id,
            Certificate.id != certificate.id,
            Certificate.review == ReviewState.VERIFIED,
            Certificate.revoked_at.is_(None),
            Certificate.superseded_by_id.is_(None),
        )
    ).all()
    older = [c for c in current if c.decision_date <= certificate.decision_date]
    for old in older:
        old.superseded_by_id = certificate.id
    newer = [c for c in current if c.decision_date > certificate.decision_date]
    if newer:
        # A late-verified older decision never displaces a newer re-rating: at
        # most one certificate per product is current.
        certificate.superseded_by_id = max(newer, key=lambda c: c.decision_date).id
    db.session.flush()
    audit.record(
        staff, "certificate.verify", certificate, superseded=",".join(str(c.id) for c in older)
    )
    return list(older)


def reject_certificate(certificate: Certificate, staff: User, reason: str) -> None:
    if certificate.review != ReviewState.PENDING:
        raise InvalidTransition(f"certificate {certificate.id} is {certificate.review}")
    certificate.review = ReviewState.REJECTED
    certificate.reviewed_by = staff
    certificate.reviewed_at = utcnow()
    certificate.rejection_reason = reason
    db.session.flush()
    audit.record(staff, "certificate.reject", certificate, reason)


def revoke_certificate(certificate: Certificate, staff: User, reason: str) -> None:
    if certificate.review != ReviewState.VERIFIED or certificate.revoked_at is not None:
        raise InvalidTransition(f"certificate {certificate.id} cannot be revoked")
    certificate.revoked_at = utcnow()
    certificate.revoked_by = staff
    certificate.revocation_reason = reason
    db.session.flush()
    audit.record(staff, "certificate.revoke", certificate, reason)


def record_printed_end_date(certificate: Certificate, staff: User, printed: date | None) -> None:
    """Staff record the end date the certificate prints (it wins over the 36 months),
    or clear it (None) to go back to the rule."""
    _check_end_date(certificate.decision_date, printed)
    before = certificate.valid_through
    certificate.printed_valid_through = printed
    db.session.flush()
    audit.record(
        staff,
        "certificate.end_date",
        certificate,
        before=before.isoformat(),
        after=certificate.valid_through.isoformat(),
    )


def find_by_code(code: str) -> Certificate | None:
    return db.session.scalar(
        select(Certificate).where(Certificate.verification_code == code.strip().upper())
    )
