"""The rating cycle's tables: score sheets and their criteria (per legal basis and
product set), the year's plan of stages and the moves between them, applications
with their self-assessment, dossier and council scores. Sheets and plans are data
staff maintain; nothing here is a hard-coded rule of one year."""

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.auth.models import User
from shop.catalog.models import Product, ProductSet
from shop.certification.legal_bases import BASIS_NAMES
from shop.certification.models import Certificate
from shop.clock import utcnow
from shop.dbtypes import str_enum
from shop.extensions import Model
from shop.producers.models import Producer
from shop.rating.rules import PARTS

PART_LABELS = {
    "A": _l("Phần A: Sản phẩm và sức mạnh cộng đồng"),
    "B": _l("Phần B: Khả năng tiếp thị"),
    "C": _l("Phần C: Chất lượng sản phẩm"),
}


class RatingSheet(Model):
    """A score sheet: the criteria of one legal basis for one product set (or, with
    no product set, for every set that has no sheet of its own)."""

    __tablename__ = "rating_sheets"
    __table_args__ = (
        CheckConstraint(
            "part_a_max > 0 AND part_b_max > 0 AND part_c_max > 0"
            " AND part_a_max + part_b_max + part_c_max = 100",
            name="parts_make_100",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    legal_basis: Mapped[str] = mapped_column(String(120), index=True)
    product_set_id: Mapped[int | None] = mapped_column(ForeignKey("product_sets.id"))
    name: Mapped[str] = mapped_column(String(200))
    part_a_max: Mapped[int]
    part_b_max: Mapped[int]
    part_c_max: Mapped[int]
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    product_set: Mapped[ProductSet | None] = relationship()
    criteria: Mapped[list["RatingCriterion"]] = relationship(
        back_populates="sheet",
        order_by="(RatingCriterion.part, RatingCriterion.position, RatingCriterion.id)",
        cascade="all, delete-orphan",
    )

    @property
    def maxima(self) -> dict[str, int]:
        return {"A": self.part_a_max, "B": self.part_b_max, "C": self.part_c_max}

    @property
    def basis_name(self) -> str:
        return str(BASIS_NAMES.get(self.legal_basis, self.legal_basis))

    def criteria_of(self, part: str) -> list["RatingCriterion"]:
        return [c for c in self.criteria if c.part == part]

    def parts(self) -> list[tuple[str, str, int, list["RatingCriterion"]]]:
        """(part, its label, its maximum, its criteria) in order."""
        return [(p, str(PART_LABELS[p]), self.maxima[p], self.criteria_of(p)) for p in PARTS]


class RatingCriterion(Model):
    __tablename__ = "rating_criteria"
    __table_args__ = (
        UniqueConstraint("sheet_id", "code", name="uq_rating_criteria_sheet_code"),
        CheckConstraint("part IN ('A', 'B', 'C')", name="part_abc"),
        CheckConstraint("max_points > 0", name="max_points_positive"),
        CheckConstraint("min_points >= 0 AND min_points <= max_points", name="min_points_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("rating_sheets.id"), index=True)
    part: Mapped[str] = mapped_column(String(1))
    code: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(String(500))
    max_points: Mapped[int]
    # A mandatory criterion scored below ``min_points`` keeps the product out of every
    # star band, whatever its total.
    mandatory: Mapped[bool] = mapped_column(default=False)
    min_points: Mapped[int] = mapped_column(default=1)
    position: Mapped[int] = mapped_column(default=0)

    sheet: Mapped[RatingSheet] = relationship(back_populates="criteria")


class RatingPlan(Model):
    """One year's plan: its stages and the moves between them."""

    __tablename__ = "rating_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    name: Mapped[str] = mapped_column(String(200))

    stages: Mapped[list["RatingStage"]] = relationship(
        back_populates="plan", order_by="RatingStage.position", cascade="all, delete-orphan"
    )


class RatingStage(Model):
    __tablename__ = "rating_stages"
    __table_args__ = (UniqueConstraint("plan_id", "code", name="uq_rating_stages_plan_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("rating_plans.id"), index=True)
    position: Mapped[int]
    code: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(120))
    # A council (or the preliminary review) scores each criterion at this stage.
    records_scores: Mapped[bool] = mapped_column(default=False)
    # Only 5-star candidates enter it (the central council).
    five_star_only: Mapped[bool] = mapped_column(default=False)
    # Entered only by the decision; nothing moves on from it.
    final: Mapped[bool] = mapped_column(default=False)

    plan: Mapped[RatingPlan] = relationship(back_populates="stages")
    moves: Mapped[list["RatingMove"]] = relationship(
        foreign_keys="RatingMove.from_stage_id", cascade="all, delete-orphan"
    )

    @property
    def targets(self) -> list["RatingStage"]:
        return sorted((m.to_stage for m in self.moves), key=lambda s: s.position)


class RatingMove(Model):
    """One allowed stage change of a plan."""

    __tablename__ = "rating_stage_moves"

    from_stage_id: Mapped[int] = mapped_column(ForeignKey("rating_stages.id"), primary_key=True)
    to_stage_id: Mapped[int] = mapped_column(ForeignKey("rating_stages.id"), primary_key=True)

    to_stage: Mapped[RatingStage] = relationship(foreign_keys=[to_stage_id])


class ApplicationKind(enum.StrEnum):
    FIRST = "first"
    RERATING = "rerating"

    @property
    def label(self):
        return _KIND_LABELS[self]


_KIND_LABELS = {
    ApplicationKind.FIRST: _l("Đánh giá lần đầu"),
    ApplicationKind.RERATING: _l("Đánh giá lại"),
}


class ApplicationStatus(enum.StrEnum):
    DRAFT = "draft"  # the producer is preparing it
    IN_REVIEW = "in_review"  # submitted: moving through the plan's stages
    CERTIFIED = "certified"  # decided, a certificate was issued
    NOT_CERTIFIED = "not_certified"  # decided, no star band (or below 3 stars)

    @property
    def label(self):
        return _STATUS_LABELS[self]

    @property
    def is_draft(self) -> bool:
        return self is ApplicationStatus.DRAFT

    @property
    def is_open(self) -> bool:
        return self in (ApplicationStatus.DRAFT, ApplicationStatus.IN_REVIEW)

    @property
    def is_decided(self) -> bool:
        return self in (ApplicationStatus.CERTIFIED, ApplicationStatus.NOT_CERTIFIED)


_STATUS_LABELS = {
    ApplicationStatus.DRAFT: _l("Bản nháp"),
    ApplicationStatus.IN_REVIEW: _l("Đang xét"),
    ApplicationStatus.CERTIFIED: _l("Đã công nhận"),
    ApplicationStatus.NOT_CERTIFIED: _l("Không đạt"),
}


class RatingApplication(Model):
    __tablename__ = "rating_applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    kind: Mapped[ApplicationKind] = mapped_column(str_enum(ApplicationKind))
    # The certificate a re-rating renews (its decision supersedes it).
    certificate_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"), index=True)
    # The application this one was copied from.
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("rating_applications.id"))
    product_set_id: Mapped[int] = mapped_column(ForeignKey("product_sets.id"))
    sheet_id: Mapped[int] = mapped_column(ForeignKey("rating_sheets.id"))
    status: Mapped[ApplicationStatus] = mapped_column(
        str_enum(ApplicationStatus), default=ApplicationStatus.DRAFT, index=True
    )
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("rating_plans.id"))
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("rating_stages.id"), index=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_score: Mapped[int | None] = mapped_column(Integer)
    decided_stars: Mapped[int | None] = mapped_column(Integer)
    decision_note: Mapped[str | None] = mapped_column(String(500))
    result_certificate_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))

    producer: Mapped[Producer] = relationship()
    product: Mapped[Product] = relationship()
    product_set: Mapped[ProductSet] = relationship()
    sheet: Mapped[RatingSheet] = relationship()
    plan: Mapped[RatingPlan | None] = relationship()
    stage: Mapped[RatingStage | None] = relationship()
    certificate: Mapped[Certificate | None] = relationship(foreign_keys=[certificate_id])
    result_certificate: Mapped[Certificate | None] = relationship(
        foreign_keys=[result_certificate_id]
    )
    created_by: Mapped[User | None] = relationship()
    documents: Mapped[list["RatingDocument"]] = relationship(
        back_populates="application",
        order_by="(RatingDocument.kind, RatingDocument.id)",
        cascade="all, delete-orphan",
    )
    scorings: Mapped[list["RatingScoring"]] = relationship(
        back_populates="application", cascade="all, delete-orphan"
    )

    @property
    def self_assessment(self) -> "RatingScoring | None":
        return next((s for s in self.scorings if s.stage_id is None), None)

    def scoring_at(self, stage: RatingStage | None) -> "RatingScoring | None":
        if stage is None:
            return None
        return next((s for s in self.scorings if s.stage_id == stage.id), None)

    @property
    def council_scorings(self) -> list["RatingScoring"]:
        """The councils' scores, the earliest stage first."""
        found = [s for s in self.scorings if s.stage is not None]
        return sorted(found, key=lambda s: s.stage.position if s.stage else 0)


class RatingScoring(Model):
    """Scores per criterion: the producer's self-assessment (no stage) or a council's
    at one stage, with its comments."""

    __tablename__ = "rating_scorings"
    __table_args__ = (
        UniqueConstraint("application_id", "stage_id", name="uq_rating_scorings_stage"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("rating_applications.id"), index=True)
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("rating_stages.id"))
    comments: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    application: Mapped[RatingApplication] = relationship(back_populates="scorings")
    stage: Mapped[RatingStage | None] = relationship()
    recorded_by: Mapped[User | None] = relationship()
    scores: Mapped[list["RatingScore"]] = relationship(
        back_populates="scoring", cascade="all, delete-orphan"
    )

    def points(self) -> dict[str, int]:
        """criterion code -> points"""
        return {s.criterion.code: s.points for s in self.scores}


class RatingScore(Model):
    __tablename__ = "rating_scores"
    __table_args__ = (CheckConstraint("points >= 0", name="points_not_negative"),)

    scoring_id: Mapped[int] = mapped_column(ForeignKey("rating_scorings.id"), primary_key=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("rating_criteria.id"), primary_key=True)
    points: Mapped[int]

    scoring: Mapped[RatingScoring] = relationship(back_populates="scores")
    criterion: Mapped[RatingCriterion] = relationship()


class DocumentKind(enum.StrEnum):
    REGISTRATION_FORM = "registration_form"
    PRODUCTION_PLAN = "production_plan"
    TEST_REPORT = "test_report"
    PHOTO = "photo"
    LABEL_ARTWORK = "label_artwork"

    @property
    def label(self):
        return _DOCUMENT_LABELS[self]

    @property
    def required(self) -> bool:
        """A dossier is complete with one of each required kind. Label artwork is
        not required: a tourism service or a flower has no package."""
        return self is not DocumentKind.LABEL_ARTWORK

    @property
    def images_only(self) -> bool:
        return self is DocumentKind.PHOTO


_DOCUMENT_LABELS = {
    DocumentKind.REGISTRATION_FORM: _l("Phiếu đăng ký đánh giá, phân hạng"),
    DocumentKind.PRODUCTION_PLAN: _l("Phương án / kế hoạch sản xuất kinh doanh"),
    DocumentKind.TEST_REPORT: _l("Phiếu kết quả kiểm nghiệm"),
    DocumentKind.PHOTO: _l("Ảnh sản phẩm"),
    DocumentKind.LABEL_ARTWORK: _l("Mẫu nhãn, bao bì"),
}


class RatingDocument(Model):
    """One file of the dossier. A re-rating copied from an earlier application points
    at the same stored file; the file is deleted only when no row points at it."""

    __tablename__ = "rating_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("rating_applications.id"), index=True)
    kind: Mapped[DocumentKind] = mapped_column(str_enum(DocumentKind, length=30))
    path: Mapped[str] = mapped_column(String(200), index=True)
    content_type: Mapped[str] = mapped_column(String(40))
    filename: Mapped[str] = mapped_column(String(200))
    size_bytes: Mapped[int]
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    application: Mapped[RatingApplication] = relationship(back_populates="documents")

    @property
    def is_pdf(self) -> bool:
        return self.content_type == "application/pdf"
