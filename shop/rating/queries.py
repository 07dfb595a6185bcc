"""The rating cycle's read side: a producer's applications and due re-ratings, the
staff queue, and the year's pipeline of expiring certificates."""

from dataclasses import dataclass, field
from datetime import date

from dateutil.relativedelta import relativedelta
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from shop.audit.models import AuditEntry
from shop.catalog.models import Product
from shop.certification.models import Certificate, ReviewState
from shop.extensions import db
from shop.producers.models import Producer
from shop.rating.models import (
    ApplicationStatus,
    RatingApplication,
    RatingScore,
    RatingScoring,
    RatingSheet,
    RatingStage,
)
from shop.rating.rules import RERATING_WINDOW_MONTHS, rerating_due


def applications_of(producer: Producer):
    return (
        select(RatingApplication)
        .where(RatingApplication.producer_id == producer.id)
        .options(joinedload(RatingApplication.product), joinedload(RatingApplication.stage))
        .order_by(RatingApplication.created_at.desc(), RatingApplication.id.desc())
    )


def staff_applications(status: ApplicationStatus | None = None, stage_code: str | None = None):
    query = (
        select(RatingApplication)
        .where(RatingApplication.status != ApplicationStatus.DRAFT)
        .options(
            joinedload(RatingApplication.product),
            joinedload(RatingApplication.producer),
            joinedload(RatingApplication.stage),
        )
        .order_by(RatingApplication.submitted_at, RatingApplication.id)
    )
    if status is not None:
        query = query.where(RatingApplication.status == status)
    if stage_code:
        query = query.join(RatingStage, RatingApplication.stage_id == RatingStage.id).where(
            RatingStage.code == stage_code
        )
    return query


def application_for_staff(application_id: int) -> RatingApplication | None:
    return db.session.scalar(
        select(RatingApplication)
        .where(
            RatingApplication.id == application_id,
            RatingApplication.status != ApplicationStatus.DRAFT,
        )
        .options(
            selectinload(RatingApplication.scorings)
            .selectinload(RatingScoring.scores)
            .joinedload(RatingScore.criterion),
            selectinload(RatingApplication.documents),
        )
    )


@dataclass(frozen=True)
class DueRerating:
    certificate: Certificate
    application: RatingApplication | None  # the one already under way, if any


def due_reratings(producer: Producer, today: date) -> list[DueRerating]:
    """The producer's valid certificates in their last six months, each with the
    application under way for its product (a draft or in review), if any."""
    certificates = db.session.scalars(
        select(Certificate)
        .where(
            Certificate.producer_id == producer.id,
            Certificate.valid_on(today),
            Certificate.valid_through < _six_months_on(today),
        )
        .options(joinedload(Certificate.product))
        .order_by(Certificate.valid_through, Certificate.id)
    ).all()
    certificates = [c for c in certificates if rerating_due(c.valid_through, today)]
    open_by_product = _open_applications([c.product_id for c in certificates])
    return [DueRerating(c, open_by_product.get(c.product_id)) for c in certificates]


def _six_months_on(today: date) -> date:
    """The last valid day below which a certificate is in its re-rating window (a
    coarse SQL filter; ``rerating_due`` decides)."""
    return today + relativedelta(months=RERATING_WINDOW_MONTHS, days=1)


def _open_applications(product_ids: list[int]) -> dict[int, RatingApplication]:
    if not product_ids:
        return {}
    rows = db.session.scalars(
        select(RatingApplication)
        .where(
            RatingApplication.product_id.in_(product_ids),
            RatingApplication.status.in_([ApplicationStatus.DRAFT, ApplicationStatus.IN_REVIEW]),
        )
        .options(joinedload(RatingApplication.stage))
    ).all()
    return {a.product_id: a for a in rows}


@dataclass
class PipelineGroup:
    ward: str
    product_set: str
    rows: list[tuple[Certificate, RatingApplication | None]] = field(default_factory=list)

    @property
    def applied(self) -> int:
        return sum(1 for _c, a in self.rows if a is not None and not a.status.is_draft)


def pipeline(year: int) -> list[PipelineGroup]:
    """Verified certificates, not revoked, whose last valid day falls in ``year`` (the
    ones re-rated already show as superseded), grouped by the producer's commune or
    ward and the product set, each with the latest application for its product made
    since the certificate's decision (its stage and status), if any."""
    certificates = db.session.scalars(
        select(Certificate)
        .join(Producer, Certificate.producer_id == Producer.id)
        .where(
            Certificate.review == ReviewState.VERIFIED,
            Certificate.revoked_at.is_(None),
            Certificate.valid_through >= date(year, 1, 1),
            Certificate.valid_through <= date(year, 12, 31),
        )
        .options(
            joinedload(Certificate.product).joinedload(Product.producer).joinedload(Producer.ward),
            joinedload(Certificate.product_set),
        )
        .order_by(Certificate.valid_through, Certificate.id)
    ).all()
    latest = _latest_applications([c.product_id for c in certificates])
    groups: dict[tuple[str, str], PipelineGroup] = {}
    for certificate in certificates:
        producer = certificate.product.producer
        sets = certificate.product_set
        key = (producer.ward.name, f"{sets.code} {sets.name_vi}")
        group = groups.setdefault(key, PipelineGroup(*key))
        application = latest.get(certificate.product_id)
        if application is not None and application.created_at.date() < certificate.decision_date:
            application = None  # an application from before this certificate
        group.rows.append((certificate, application))
    return [groups[k] for k in sorted(groups)]


def _latest_applications(product_ids: list[int]) -> dict[int, RatingApplication]:
    if not product_ids:
        return {}
    rows = db.session.scalars(
        select(RatingApplication)
        .where(RatingApplication.product_id.in_(product_ids))
        .options(joinedload(RatingApplication.stage))
        .order_by(RatingApplication.created_at, RatingApplication.id)
    ).all()
    return {a.product_id: a for a in rows}  # the latest wins


def sheets():
    return (
        select(RatingSheet)
        .options(joinedload(RatingSheet.product_set), selectinload(RatingSheet.criteria))
        .order_by(RatingSheet.legal_basis.desc(), RatingSheet.product_set_id, RatingSheet.id)
    )


def history(application: RatingApplication) -> list[AuditEntry]:
    """What happened to the application, from the audit log, oldest first."""
    return list(
        db.session.scalars(
            select(AuditEntry)
            .where(
                AuditEntry.target_type == RatingApplication.__tablename__,
                AuditEntry.target_id == application.id,
            )
            .options(joinedload(AuditEntry.actor))
            .order_by(AuditEntry.created_at, AuditEntry.id)
        )
    )
