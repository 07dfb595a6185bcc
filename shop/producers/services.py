"""Producer use cases. They flush; the caller commits."""

from sqlalchemy import select

from shop.audit import services as audit
from shop.auth.models import Role, User
from shop.auth.services import find_user_by_email
from shop.clock import utcnow
from shop.extensions import db
from shop.producers.exceptions import AlreadyMember, InvalidTransition, LastOwner, UnknownUser
from shop.producers.models import (
    MemberRole,
    Producer,
    ProducerKind,
    ProducerMember,
    ProducerStatus,
)
from shop.slugs import unique_slug

PROFILE_FIELDS = (
    "kind",
    "legal_name",
    "registration_number",
    "representative",
    "phone",
    "email",
    "province_code",
    "ward_code",
    "street",
    "former_locality",
    "description",
)


def producer_of(user: User) -> Producer | None:
    if not user.is_authenticated:
        return None
    return db.session.scalar(
        select(Producer).join(ProducerMember).where(ProducerMember.user_id == user.id)
    )


def membership_of(user: User) -> ProducerMember | None:
    return db.session.scalar(select(ProducerMember).where(ProducerMember.user_id == user.id))


def register_producer(user: User, profile: dict, logo_path: str | None = None) -> Producer:
    """Create a pending producer owned by ``user``."""
    if membership_of(user) is not None:
        raise AlreadyMember(user.email)
    producer = Producer(status=ProducerStatus.PENDING, logo_path=logo_path)
    _apply_profile(producer, profile)
    producer.slug = unique_slug(Producer, producer.legal_name)
    producer.members.append(ProducerMember(user=user, role=MemberRole.OWNER))
    if user.role == Role.CUSTOMER:
        user.role = Role.PRODUCER
    db.session.add(producer)
    db.session.flush()
    return producer


# Changing who the producer legally is needs staff to look again.
IDENTITY_FIELDS = ("kind", "legal_name", "registration_number")


def update_producer(producer: Producer, profile: dict) -> Producer:
    before = {f: getattr(producer, f) for f in IDENTITY_FIELDS}
    _apply_profile(producer, profile)
    if producer.status == ProducerStatus.VERIFIED and any(
        getattr(producer, f) != before[f] for f in IDENTITY_FIELDS
    ):
        producer.status = ProducerStatus.PENDING
        producer.review_note = None
    db.session.flush()
    return producer


def _apply_profile(producer: Producer, profile: dict) -> None:
    for field in PROFILE_FIELDS:
        if field in profile:
            setattr(producer, field, profile[field])
    if producer.kind == ProducerKind.HOUSEHOLD and not producer.registration_number:
        producer.registration_number = None


def add_member(producer: Producer, email: str) -> ProducerMember:
    user = find_user_by_email(email)
    if user is None or user.is_staff:
        # Staff review producers; they never work for one.
        raise UnknownUser(email)
    if membership_of(user) is not None:
        raise AlreadyMember(email)
    member = ProducerMember(user=user, role=MemberRole.MEMBER)
    producer.members.append(member)
    if user.role == Role.CUSTOMER:
        user.role = Role.PRODUCER
    db.session.flush()
    return member


def remove_member(producer: Producer, member: ProducerMember) -> None:
    owners = [m for m in producer.members if m.role == MemberRole.OWNER]
    if member.role == MemberRole.OWNER and len(owners) <= 1:
        raise LastOwner()
    user = member.user
    producer.members.remove(member)
    if user.role == Role.PRODUCER:
        user.role = Role.CUSTOMER
    # Membership is checked on every request, so the removed person loses access
    # at once without being signed out of the rest of the shop.
    db.session.flush()


def verify_producer(producer: Producer, staff: User) -> None:
    if producer.status == ProducerStatus.VERIFIED:
        raise InvalidTransition("already verified")
    producer.status = ProducerStatus.VERIFIED
    producer.review_note = None
    producer.reviewed_by = staff
    producer.reviewed_at = utcnow()
    db.session.flush()
    audit.record(staff, "producer.verify", producer)


def reject_producer(producer: Producer, staff: User, reason: str) -> None:
    if producer.status == ProducerStatus.REJECTED:
        raise InvalidTransition("already rejected")
    producer.status = ProducerStatus.REJECTED
    producer.review_note = reason
    producer.reviewed_by = staff
    producer.reviewed_at = utcnow()
    db.session.flush()
    audit.record(staff, "producer.reject", producer, reason)


def resubmit_producer(producer: Producer) -> None:
    """A rejected producer that fixed its profile goes back into the queue."""
    if producer.status == ProducerStatus.REJECTED:
        producer.status = ProducerStatus.PENDING
        db.session.flush()


def producers_in_status(status: ProducerStatus):
    return select(Producer).where(Producer.status == status).order_by(Producer.created_at)
