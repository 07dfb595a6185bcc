import enum
from datetime import UTC, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.auth.models import User
from shop.clock import utcnow
from shop.dbtypes import str_enum
from shop.extensions import Model
from shop.localities.models import Province, Ward
from shop.producers.rules import (
    MAX_BASE_GRAMS,
    Rate,
    ShippingMode,
    ShippingTerms,
    Zone,
    lowest_fee,
    shipping_fee,
    zone_of,
)


class ProducerKind(enum.StrEnum):
    COOPERATIVE = "cooperative"  # hợp tác xã
    ENTERPRISE = "enterprise"  # doanh nghiệp
    HOUSEHOLD = "household"  # hộ sản xuất

    @property
    def needs_registration_number(self) -> bool:
        return self is not ProducerKind.HOUSEHOLD

    @property
    def needs_tax_id(self) -> bool:
        """Our policy: a household gives a tax code or citizen ID (see taxid.py)."""
        return self is ProducerKind.HOUSEHOLD

    @property
    def label(self):
        return _PRODUCER_KIND_LABELS[self]


_PRODUCER_KIND_LABELS = {
    ProducerKind.COOPERATIVE: _l("Hợp tác xã"),
    ProducerKind.ENTERPRISE: _l("Doanh nghiệp"),
    ProducerKind.HOUSEHOLD: _l("Hộ sản xuất / hộ kinh doanh"),
}


class ProducerStatus(enum.StrEnum):
    PENDING = "pending"
    VERIFIED = "verified"
    REJECTED = "rejected"

    @property
    def label(self):
        return _PRODUCER_STATUS_LABELS[self]


_PRODUCER_STATUS_LABELS = {
    ProducerStatus.PENDING: _l("Chờ xác minh"),
    ProducerStatus.VERIFIED: _l("Đã xác minh"),
    ProducerStatus.REJECTED: _l("Bị từ chối"),
}


class MemberRole(enum.StrEnum):
    OWNER = "owner"
    MEMBER = "member"

    @property
    def label(self):
        return _MEMBER_ROLE_LABELS[self]


_MEMBER_ROLE_LABELS = {MemberRole.OWNER: _l("Chủ sở hữu"), MemberRole.MEMBER: _l("Thành viên")}


class Producer(Model):
    __tablename__ = "producers"
    __table_args__ = (
        CheckConstraint("label_offset_x BETWEEN -100 AND 100", name="label_offset_x_range"),
        CheckConstraint("label_offset_y BETWEEN -100 AND 100", name="label_offset_y_range"),
        CheckConstraint(
            "ship_province_vnd >= 0 AND ship_province_step_vnd >= 0"
            " AND ship_region_vnd >= 0 AND ship_region_step_vnd >= 0"
            " AND ship_far_vnd >= 0 AND ship_far_step_vnd >= 0",
            name="shipping_fees_not_negative",
        ),
        CheckConstraint(
            f"ship_base_grams BETWEEN 0 AND {MAX_BASE_GRAMS}", name="ship_base_grams_range"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[ProducerKind] = mapped_column(str_enum(ProducerKind))
    legal_name: Mapped[str] = mapped_column(String(200))
    registration_number: Mapped[str | None] = mapped_column(String(20))
    # The tax code (10 digits, or 13 as "0123456789-001"), or for a household its
    # head's citizen ID (CCCD, 12 digits), normalised by shop/producers/taxid.py.
    # Shown beside the registration number on every listing (Decree 85/2021); the
    # shop declares the tax it withholds from a household under it (Decree 117/2025).
    tax_id: Mapped[str | None] = mapped_column(String(14))
    representative: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(15))
    email: Mapped[str] = mapped_column(String(254))
    province_code: Mapped[int] = mapped_column(ForeignKey("provinces.code"), index=True)
    ward_code: Mapped[int] = mapped_column(ForeignKey("wards.code"))
    street: Mapped[str] = mapped_column(String(200))
    # Old names still matter: "Hà Giang" is now part of Tuyên Quang.
    former_locality: Mapped[str | None] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    logo_path: Mapped[str | None] = mapped_column(String(200))
    # A flat shipping fee per order, free from an optional order subtotal.
    shipping_fee_vnd: Mapped[int] = mapped_column(default=30_000, server_default="30000")
    free_shipping_over_vnd: Mapped[int | None]
    # Or by weight and zone (shop/producers/rules.py): per zone a base fee for the
    # first ship_base_grams and a fee per further 500 g. Columns of the producer,
    # not a table: the checkout reads them in the query that reads the cart.
    shipping_mode: Mapped[ShippingMode] = mapped_column(
        str_enum(ShippingMode), default=ShippingMode.FLAT, server_default=ShippingMode.FLAT.value
    )
    ship_base_grams: Mapped[int] = mapped_column(default=1_000, server_default="1000")
    ship_province_vnd: Mapped[int] = mapped_column(default=20_000, server_default="20000")
    ship_province_step_vnd: Mapped[int] = mapped_column(default=3_000, server_default="3000")
    ship_region_vnd: Mapped[int] = mapped_column(default=30_000, server_default="30000")
    ship_region_step_vnd: Mapped[int] = mapped_column(default=5_000, server_default="5000")
    ship_far_vnd: Mapped[int] = mapped_column(default=38_000, server_default="38000")
    ship_far_step_vnd: Mapped[int] = mapped_column(default=8_000, server_default="8000")
    # Where this producer's printer puts a label sheet, in tenths of a millimetre
    # (right and down, at most 10 mm each way): undone on every sheet printed.
    label_offset_x: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")
    label_offset_y: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")
    status: Mapped[ProducerStatus] = mapped_column(
        str_enum(ProducerStatus), default=ProducerStatus.PENDING, index=True
    )
    review_note: Mapped[str | None] = mapped_column(String(500))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    province: Mapped[Province] = relationship()
    ward: Mapped[Ward] = relationship()
    reviewed_by: Mapped[User | None] = relationship()
    members: Mapped[list["ProducerMember"]] = relationship(
        back_populates="producer", cascade="all, delete-orphan", order_by="ProducerMember.id"
    )

    @property
    def shipping_terms(self) -> ShippingTerms:
        return ShippingTerms(
            mode=self.shipping_mode,
            flat_fee_vnd=self.shipping_fee_vnd,
            free_over_vnd=self.free_shipping_over_vnd,
            base_grams=self.ship_base_grams,
            rates={
                Zone.SAME_PROVINCE: Rate(self.ship_province_vnd, self.ship_province_step_vnd),
                Zone.SAME_REGION: Rate(self.ship_region_vnd, self.ship_region_step_vnd),
                Zone.FAR: Rate(self.ship_far_vnd, self.ship_far_step_vnd),
            },
        )

    def shipping_for(
        self, subtotal_vnd: int, grams: int = 0, destination_province: int | None = None
    ) -> int:
        """The fee of a parcel to ``destination_province``; without one, the
        lowest it can be (what the cart shows as "from")."""
        terms = self.shipping_terms
        if destination_province is None:
            return lowest_fee(terms, subtotal_vnd=subtotal_vnd, grams=grams)
        zone = zone_of(self.province_code, destination_province)
        return shipping_fee(terms, subtotal_vnd=subtotal_vnd, grams=grams, zone=zone)

    @property
    def is_verified(self) -> bool:
        return self.status == ProducerStatus.VERIFIED

    @property
    def is_pending(self) -> bool:
        return self.status == ProducerStatus.PENDING

    @property
    def is_rejected(self) -> bool:
        return self.status == ProducerStatus.REJECTED

    @property
    def staff_actions(self) -> frozenset[str]:
        """Staff may verify a producer not yet verified, and reject one not yet rejected."""
        moves = {"verify": ProducerStatus.VERIFIED, "reject": ProducerStatus.REJECTED}
        return frozenset(action for action, target in moves.items() if self.status != target)

    @property
    def address_line(self) -> str:
        return f"{self.street}, {self.ward.name}, {self.province.name}"

    @property
    def former_place(self) -> str:
        """Where the producer's ward was before 1 July 2025 ("Huyện Đồng Văn, Tỉnh Hà
        Giang"), from the locality data, whether or not the producer typed it."""
        from shop.localities.former import former_place

        return former_place(self.ward_code)

    @property
    def former_names(self) -> str:
        """What to print after the address: the producer's own words, else the data's."""
        return self.former_locality or self.former_place


class ProducerMember(Model):
    """A user working for a producer. A user belongs to at most one producer."""

    __tablename__ = "producer_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    role: Mapped[MemberRole] = mapped_column(str_enum(MemberRole), default=MemberRole.MEMBER)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    producer: Mapped[Producer] = relationship(back_populates="members")
    user: Mapped[User] = relationship()

    @property
    def is_owner(self) -> bool:
        return self.role is MemberRole.OWNER

    def may_remove(self, member: "ProducerMember") -> bool:
        """An owner removes anyone; a member only leaves."""
        return self.is_owner or member.id == self.id


INVITATION_VALID_FOR = timedelta(days=7)


class InvitationStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    REVOKED = "revoked"


class ProducerInvitation(Model):
    """An owner's invitation to an e-mail address; only its holder's consent makes a member.

    The token is in the e-mailed link only: the row keeps its SHA-256, so a copy
    of the database opens no invitation.
    """

    __tablename__ = "producer_invitations"
    __table_args__ = (
        # One open invitation per producer and address; closed ones stay as history.
        Index(
            "uq_producer_invitations_open",
            "producer_id",
            "email",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), index=True)
    email: Mapped[str] = mapped_column(String(254))  # normalize_email: lower-cased
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[InvitationStatus] = mapped_column(
        str_enum(InvitationStatus), default=InvitationStatus.PENDING
    )
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Who accepted, declined or revoked it, and when.
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    producer: Mapped[Producer] = relationship()
    invited_by: Mapped[User] = relationship(foreign_keys=[invited_by_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])

    def is_expired(self, now: datetime) -> bool:
        expires_at = self.expires_at
        if expires_at.tzinfo is None:  # SQLite hands back naive datetimes; we store UTC
            expires_at = expires_at.replace(tzinfo=UTC)
        return now >= expires_at
