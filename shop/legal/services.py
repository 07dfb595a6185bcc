"""Complaints and consents. They flush; the caller commits."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, select

from shop.audit.services import record
from shop.auth.models import User
from shop.extensions import db
from shop.legal import emails
from shop.legal.models import Complaint, ConsentRecord
from shop.legal.rules import (
    MARKETING_CONSENT_VERSION,
    ComplaintStatus,
    add_working_days,
    check_transition,
)

MARKETING = "marketing"


@dataclass(frozen=True)
class ComplaintInput:
    name: str
    email: str
    phone: str | None
    order_number: str | None
    text: str


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def file_complaint(
    data: ComplaintInput,
    *,
    user: User | None,
    today: date,
    working_days: int,
    holidays: frozenset[date] = frozenset(),
) -> tuple[Complaint, str]:
    """A new open complaint due ``working_days`` working days after ``today``, and
    the key of its tracking link (kept only hashed). Queues the acknowledgement."""
    key = secrets.token_urlsafe(24)
    complaint = Complaint(
        access_key_hash=_hash_key(key),
        user_id=user.id if user is not None else None,
        name=data.name.strip(),
        email=data.email.strip().lower(),
        phone=data.phone or None,
        order_number=(data.order_number or "").strip().upper() or None,
        text=data.text.strip(),
        status=ComplaintStatus.OPEN,
        due_on=add_working_days(today, working_days, holidays),
    )
    db.session.add(complaint)
    db.session.flush()
    record(user, "complaint.filed", complaint, due_on=complaint.due_on.isoformat())
    emails.complaint_received(complaint, key)
    return complaint, key


def complaint_for_key(complaint_id: int, key: str) -> Complaint | None:
    """The complaint its tracking link names, or None (a wrong key is no complaint)."""
    complaint = db.session.get(Complaint, complaint_id)
    if complaint is None or not hmac.compare_digest(complaint.access_key_hash, _hash_key(key)):
        return None
    return complaint


def answer_complaint(complaint: Complaint, staff: User, answer: str, now: datetime) -> None:
    """Record staff's answer and e-mail it to the complainant (after the commit)."""
    check_transition(complaint.status, ComplaintStatus.ANSWERED)
    previous = complaint.status
    complaint.status = ComplaintStatus.ANSWERED
    complaint.answer = answer.strip()
    complaint.answered_at = now
    complaint.answered_by_id = staff.id
    db.session.flush()
    record(staff, "complaint.answered", complaint, from_state=previous.value)
    emails.complaint_answered(complaint, now)


def close_complaint(complaint: Complaint, staff: User, now: datetime, reason: str) -> None:
    check_transition(complaint.status, ComplaintStatus.CLOSED)
    previous = complaint.status
    complaint.status = ComplaintStatus.CLOSED
    complaint.closed_at = now
    db.session.flush()
    record(staff, "complaint.closed", complaint, reason=reason.strip(), from_state=previous.value)


def complaints_for_staff(status: ComplaintStatus | None = None):
    """Open ones first, the earliest due (so the overdue) at the top; then answered,
    then closed, newest first."""
    rank = case(
        (Complaint.status == ComplaintStatus.OPEN, 0),
        (Complaint.status == ComplaintStatus.ANSWERED, 1),
        else_=2,
    )
    query = select(Complaint).order_by(
        rank,
        case((Complaint.status == ComplaintStatus.OPEN, Complaint.due_on), else_=None),
        Complaint.created_at.desc(),
        Complaint.id.desc(),
    )
    if status is not None:
        query = query.where(Complaint.status == status)
    return query


def complaints_of(user: User):
    return select(Complaint).where(Complaint.user_id == user.id).order_by(Complaint.id)


# -- Consent to marketing e-mails (Law 91/2025/QH15): separate from the account,
# recorded with its time and the version of the text, withdrawn in one click.


def marketing_consent(user: User) -> ConsentRecord | None:
    """The consent in force, or None."""
    return db.session.scalar(
        select(ConsentRecord)
        .where(
            ConsentRecord.user_id == user.id,
            ConsentRecord.purpose == MARKETING,
            ConsentRecord.withdrawn_at.is_(None),
        )
        .order_by(ConsentRecord.id.desc())
        .limit(1)
    )


def grant_marketing_consent(
    user: User, now: datetime, source: str, version: str = MARKETING_CONSENT_VERSION
) -> ConsentRecord:
    """Record a consent; one already in force for the same text is kept as it is."""
    current = marketing_consent(user)
    if current is not None and current.text_version == version:
        return current
    if current is not None:  # consent to a newer wording replaces the older one
        current.withdrawn_at = now
    consent = ConsentRecord(
        user_id=user.id, purpose=MARKETING, text_version=version, granted_at=now, source=source
    )
    db.session.add(consent)
    db.session.flush()
    return consent


def withdraw_marketing_consent(user: User, now: datetime) -> bool:
    """Withdraw every consent in force; False when there was none."""
    rows = db.session.scalars(
        select(ConsentRecord).where(
            ConsentRecord.user_id == user.id,
            ConsentRecord.purpose == MARKETING,
            ConsentRecord.withdrawn_at.is_(None),
        )
    ).all()
    for row in rows:
        row.withdrawn_at = now
    db.session.flush()
    return bool(rows)


def consents_of(user: User):
    return select(ConsentRecord).where(ConsentRecord.user_id == user.id).order_by(ConsentRecord.id)


def marketing_recipients():
    """Active accounts with a marketing consent in force: the only audience of a
    marketing e-mail."""
    return (
        select(User)
        .join(ConsentRecord, ConsentRecord.user_id == User.id)
        .where(
            ConsentRecord.purpose == MARKETING,
            ConsentRecord.withdrawn_at.is_(None),
            User.is_active_account.is_(True),
        )
        .distinct()
        .order_by(User.id)
    )
