import secrets
from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.auth.models import User
from shop.clock import utcnow
from shop.dbtypes import str_enum
from shop.extensions import Model
from shop.legal.rules import ComplaintStatus, is_overdue


def new_reference() -> str:
    """A short public reference a buyer can quote on the phone: "KN-7QX2M4PA"."""
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I
    return "KN-" + "".join(secrets.choice(alphabet) for _ in range(8))


class Complaint(Model):
    """A buyer's complaint (Decree 52/2013, Art. 36 as amended): tracked, with a due
    date for staff's answer. The buyer follows it by a link whose key is stored hashed."""

    __tablename__ = "complaints"
    __table_args__ = (Index("ix_complaints_status_due", "status", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True, default=new_reference)
    access_key_hash: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(15))
    order_number: Mapped[str | None] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[ComplaintStatus] = mapped_column(
        str_enum(ComplaintStatus), default=ComplaintStatus.OPEN
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The last day staff have to answer, in Vietnam's calendar.
    due_on: Mapped[date] = mapped_column(Date)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])

    def is_overdue(self, today: date) -> bool:
        return is_overdue(self.status, self.due_on, today)


class ConsentRecord(Model):
    """One consent given, and its withdrawal (Law 91/2025: consent is recorded and
    can be withdrawn). A new consent is a new row; history is never rewritten."""

    __tablename__ = "consent_records"
    __table_args__ = (Index("ix_consent_records_user_purpose", "user_id", "purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    purpose: Mapped[str] = mapped_column(String(30))  # "marketing"
    text_version: Mapped[str] = mapped_column(String(40))
    granted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Where it was given: "register", "account".
    source: Mapped[str] = mapped_column(String(20))
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
