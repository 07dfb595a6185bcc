"""One settlement per producer and month: what the marketplace owes the producer
for the money it collected that month, after refunds, commission and (for
household producers) the tax withheld under Decree 117/2025."""

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.auth.models import User
from shop.clock import utcnow
from shop.dbtypes import str_enum
from shop.extensions import Model
from shop.producers.models import Producer


class SettlementStatus(enum.StrEnum):
    DRAFT = "draft"  # recomputed by every generate run
    PAID = "paid"  # frozen: never recomputed

    @property
    def label(self):
        return _STATUS_LABELS[self]


_STATUS_LABELS = {
    SettlementStatus.DRAFT: _l("Bản nháp (chưa chi trả)"),
    SettlementStatus.PAID: _l("Đã thanh toán"),
}


class Settlement(Model):
    __tablename__ = "settlements"
    __table_args__ = (
        UniqueConstraint("producer_id", "month", name="uq_settlements_producer_month"),
        # Commission, withholding and net may be negative: a month whose refunds
        # exceed its sales gives back commission and leaves the producer owing.
        CheckConstraint("gross_vnd >= 0 AND refunds_vnd >= 0", name="money_not_negative"),
        CheckConstraint(
            "net_vnd = gross_vnd - refunds_vnd - commission_vnd"
            " - vat_withheld_vnd - pit_withheld_vnd",
            name="net_adds_up",
        ),
        CheckConstraint(
            "status = 'draft' OR (paid_at IS NOT NULL AND paid_by_id IS NOT NULL)",
            name="paid_has_payer",
        ),
        Index("ix_settlements_month_status", "month", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"))
    month: Mapped[date] = mapped_column(Date)  # always the first day of the month
    gross_vnd: Mapped[int]
    refunds_vnd: Mapped[int]
    commission_vnd: Mapped[int]
    vat_withheld_vnd: Mapped[int]
    pit_withheld_vnd: Mapped[int]
    net_vnd: Mapped[int]
    # The part of gross - refunds the VAT and PIT are withheld on: money the shop
    # collected itself (card, VietQR) for a household; 0 for everyone else.
    withholding_base_vnd: Mapped[int] = mapped_column(server_default="0")
    # The part of the gross rung up at the tills of OCOP sales centres: counted in
    # the gross and the commission, never in the withholding base (not e-commerce).
    centre_sales_vnd: Mapped[int] = mapped_column(default=0, server_default="0")
    # The rates used, so a paid settlement still explains itself after the config changes.
    commission_bps: Mapped[int]
    vat_bps: Mapped[int]
    pit_bps: Mapped[int]
    status: Mapped[SettlementStatus] = mapped_column(
        str_enum(SettlementStatus), default=SettlementStatus.DRAFT
    )
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    paid_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reference: Mapped[str | None] = mapped_column(String(80))  # the bank transfer's reference
    # The household's tax code or citizen ID when it was paid: what the withholding
    # was declared under, even if the producer later changes its profile.
    tax_id: Mapped[str | None] = mapped_column(String(14))

    producer: Mapped[Producer] = relationship()
    paid_by: Mapped[User | None] = relationship()

    @property
    def is_paid(self) -> bool:
        return self.status == SettlementStatus.PAID
