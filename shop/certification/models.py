import enum
import secrets
from datetime import date, datetime, timedelta

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, String, and_
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from shop.auth.models import User
from shop.catalog.models import Product, ProductSet
from shop.certification.rules import (
    RERATING_WARNING_DAYS,
    CertificateStatus,
    days_left,
    derive_status,
    last_valid_day,
)
from shop.clock import utcnow
from shop.dbtypes import str_enum
from shop.extensions import Model

# Codes are typed from paper as often as scanned. 0 and 1 are in, O, I and L never
# are: a typed O can only mean 0, a typed I or L only 1 (Crockford's rule), so the
# lookup forgives them with one meaning each (verification.normalize_code). Codes made
# before 0 and 1 came in have neither, and still read the same.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10  # 33**10 ≈ 1.5e15: not guessable, and unknown-code lookups are rate limited


def new_verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class IssuerLevel(enum.StrEnum):
    DISTRICT = "district"
    PROVINCE = "province"
    CENTRAL = "central"


class ReviewState(enum.StrEnum):
    PENDING = "pending"
    VERIFIED = "verified"
    REJECTED = "rejected"


def review_actions(review: ReviewState, revoked: bool) -> frozenset[str]:
    """What staff may do to a certificate: a pending one is verified or rejected,
    a verified one not yet revoked can be revoked; the rest is history."""
    if review is ReviewState.PENDING:
        return frozenset({"verify", "reject"})
    if review is ReviewState.VERIFIED and not revoked:
        return frozenset({"revoke"})
    return frozenset()


class Certificate(Model):
    __tablename__ = "certificates"
    __table_args__ = (
        CheckConstraint("star_rank BETWEEN 3 AND 5", name="star_rank_certified"),
        CheckConstraint("score IS NULL OR (score BETWEEN 0 AND 100)", name="score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), index=True)
    star_rank: Mapped[int]
    score: Mapped[int | None]
    decision_number: Mapped[str] = mapped_column(String(60))
    decision_date: Mapped[date] = mapped_column(Date)
    # The last valid day (valid through the end of it), stored so listings and the
    # register filter by it in SQL. Derived: set by the validators below from the
    # decision date, or from the end date the certificate prints, which wins.
    valid_through: Mapped[date] = mapped_column(Date, index=True)
    # The end date printed on the certificate, when it prints one (recorded as is).
    printed_valid_through: Mapped[date | None] = mapped_column(Date)
    issuer_level: Mapped[IssuerLevel] = mapped_column(str_enum(IssuerLevel))
    issuer_name: Mapped[str] = mapped_column(String(200))
    legal_basis: Mapped[str] = mapped_column(String(120))
    product_set_id: Mapped[int] = mapped_column(ForeignKey("product_sets.id"))
    scan_path: Mapped[str | None] = mapped_column(String(200))
    scan_content_type: Mapped[str | None] = mapped_column(String(40))
    verification_code: Mapped[str] = mapped_column(
        String(16), unique=True, default=new_verification_code
    )

    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    review: Mapped[ReviewState] = mapped_column(
        str_enum(ReviewState), default=ReviewState.PENDING, index=True
    )
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    rejection_reason: Mapped[str | None] = mapped_column(String(500))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revocation_reason: Mapped[str | None] = mapped_column(String(500))
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))

    product: Mapped[Product] = relationship()
    product_set: Mapped[ProductSet] = relationship()
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])
    superseded_by: Mapped["Certificate | None"] = relationship(remote_side=[id])

    @validates("decision_date", "printed_valid_through")
    def _set_valid_through(self, key, value: date | None) -> date | None:
        decided = value if key == "decision_date" else self.decision_date
        printed = value if key == "printed_valid_through" else self.printed_valid_through
        if printed is not None or decided is not None:
            self.valid_through = last_valid_day(decided, printed)
        return value

    @property
    def valid_until(self) -> date:
        """The older name of ``valid_through`` (labels read it)."""
        return self.valid_through

    @property
    def expires_on(self) -> date:
        """The first day on which it is no longer valid."""
        return self.valid_through + timedelta(days=1)

    @property
    def staff_actions(self) -> frozenset[str]:
        """The review actions staff may take now (see ``review_actions``)."""
        return review_actions(self.review, self.revoked_at is not None)

    def status(self, today: date) -> CertificateStatus:
        return derive_status(
            review=self.review.value,
            valid_through=self.valid_through,
            today=today,
            revoked=self.revoked_at is not None,
            superseded=self.superseded_by_id is not None,
        )

    def days_left(self, today: date) -> int:
        """0 on the last valid day."""
        return days_left(self.valid_through, today)

    def rerating_warning(self, today: date) -> bool:
        """Valid, and the last valid day is near enough to apply for re-rating."""
        return self.status(today).is_valid and self.days_left(today) <= RERATING_WARNING_DAYS

    @classmethod
    def valid_on(cls, today: date):
        """SQL condition: the certificate is active or expiring on ``today``."""
        return and_(
            cls.review == ReviewState.VERIFIED,
            cls.revoked_at.is_(None),
            cls.superseded_by_id.is_(None),
            cls.valid_through >= today,
        )
