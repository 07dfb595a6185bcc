from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.clock import utcnow
from shop.extensions import Model


class ExpiryNotice(Model):
    """The producer was told that a certificate is about to expire. The unique key
    makes the notice once-only, even when the daily command runs twice at once."""

    __tablename__ = "expiry_notices"
    __table_args__ = (
        UniqueConstraint("certificate_id", "threshold_days", name="uq_expiry_notices_once"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"))
    threshold_days: Mapped[int]
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Campaign(Model):
    """A featured campaign ("Tết 2027", "Đặc sản Hà Giang"): public between its dates."""

    __tablename__ = "campaigns"
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="dates_in_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    banner_path: Mapped[str | None] = mapped_column(String(200))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    items: Mapped[list["CampaignItem"]] = relationship(
        back_populates="campaign",
        order_by="CampaignItem.position",
        cascade="all, delete-orphan",
    )

    def is_running(self, today: date) -> bool:
        return self.starts_on <= today <= self.ends_on


class CampaignItem(Model):
    __tablename__ = "campaign_items"
    __table_args__ = (
        UniqueConstraint("campaign_id", "product_id", name="uq_campaign_items_product"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    position: Mapped[int] = mapped_column(default=0)

    campaign: Mapped[Campaign] = relationship(back_populates="items")
