"""Producer use cases. They flush; the caller commits."""

import hashlib
import secrets
from datetime import datetime

from blinker import Namespace
from sqlalchemy import select, update

from shop.audit import services as audit
from shop.auth.models import Role, User, normalize_email
from shop.clock import utcnow
from shop.extensions import db
from shop.producers.exceptions import (
    AlreadyMember,
    InvalidTransition,
    InvitationClosed,
    InvitationNotFound,
    LastOwner,
    NotInvitee,
    StaffCannotJoin,
)
from shop.producers.models import (
    INVITATION_VALID_FOR,
    InvitationStatus,
    MemberRole,
    Producer,
    ProducerInvitation,
    ProducerKind,
    ProducerMember,
    ProducerStatus,
)
from shop.slugs import unique_slug

PROFILE_FIELDS = (
    "kind",
    "legal_name",
    "registration_number",
    "tax_id",
    "representative",
    "phone",
    "email",
    "province_code",
    "ward_code",
    "street",
    "former_locality",
    "description",
)

_signals = Namespace()
# Sent, with the producer, once a profile change is flushed. Packages above listen
# (create_app connects them): the catalogue refreshes its products' search text,
# which holds the producer's name and locality.
profile_changed = _signals.signal("producer-profile-changed")


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
    tax_id_before = producer.tax_id
    _apply_profile(producer, profile)
    # A tax number given for the first time (a household before its first
    # settlement) is no change of identity; replacing one shown to buyers is.
    tax_id_replaced = tax_id_before is not None and producer.tax_id != tax_id_before
    if producer.status == ProducerStatus.VERIFIED and (
        tax_id_replaced or any(getattr(producer, f) != before[f] for f in IDENTITY_FIELDS)
    ):
        producer.status = ProducerStatus.PENDING
        producer.review_note = None
    db.session.flush()
    profile_changed.send(producer)
    return producer


def _apply_profile(producer: Producer, profile: dict) -> None:
    for field in PROFILE_FIELDS:
        if field in profile:
            setattr(producer, field, profile[field])
    if producer.kind == ProducerKind.HOUSEHOLD and not producer.registration_number:
        producer.registration_number = None


# Nobody becomes a member without consent: the owner invites an address, and
# the holder of that address, signed in, accepts through the e-mailed link.


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite_member(
    producer: Producer, owner: User, email: str, now: datetime
) -> tuple[ProducerInvitation, str]:
    """Open an invitation for ``email``, or renew the open one (new link, new expiry).

    Returns the invitation and the token for the link; only its hash is stored.
    Whether the address has an account makes no difference here.
    """
    email = normalize_email(email)
    if any(m.user.email == email for m in producer.members):
        raise AlreadyMember(email)
    invitation = db.session.scalar(
        select(ProducerInvitation).where(
            ProducerInvitation.producer_id == producer.id,
            ProducerInvitation.email == email,
            ProducerInvitation.status == InvitationStatus.PENDING,
        )
    )
    renewed = invitation is not None
    if invitation is None:
        invitation = ProducerInvitation(producer=producer, email=email)
        db.session.add(invitation)
    token = secrets.token_urlsafe(32)
    invitation.token_hash = hash_token(token)
    invitation.invited_by = owner
    invitation.expires_at = now + INVITATION_VALID_FOR
    db.session.flush()
    audit.record(
        owner, "producer.invite", invitation, producer=producer.id, email=email, renewed=renewed
    )
    return invitation, token


def invitation_for(token: str, user: User, now: datetime) -> ProducerInvitation:
    """The open invitation behind ``token``, addressed to ``user``.

    The address is checked before the state, so someone else holding the link
    learns nothing about the invitation.
    """
    invitation = db.session.scalar(
        select(ProducerInvitation).where(ProducerInvitation.token_hash == hash_token(token))
    )
    if invitation is None:
        raise InvitationNotFound()
    _check_open(invitation, user, now)
    return invitation


def _check_open(invitation: ProducerInvitation, user: User, now: datetime) -> None:
    if normalize_email(user.email) != invitation.email:
        raise NotInvitee()
    if invitation.status != InvitationStatus.PENDING:
        raise InvitationClosed(invitation.status.value)
    if invitation.is_expired(now):
        raise InvitationClosed("expired")


def accept_invitation(invitation: ProducerInvitation, user: User, now: datetime) -> ProducerMember:
    _check_open(invitation, user, now)
    if user.is_staff:
        raise StaffCannotJoin(user.email)
    if membership_of(user) is not None:
        raise AlreadyMember(user.email)
    _close(invitation, InvitationStatus.ACCEPTED, user, now)
    producer = invitation.producer
    member = ProducerMember(user=user, role=MemberRole.MEMBER)
    producer.members.append(member)
    if user.role == Role.CUSTOMER:
        user.role = Role.PRODUCER
    db.session.flush()
    audit.record(
        user, "producer.invitation_accept", invitation, producer=producer.id, member=member.id
    )
    return member


def decline_invitation(invitation: ProducerInvitation, user: User, now: datetime) -> None:
    _check_open(invitation, user, now)
    _close(invitation, InvitationStatus.DECLINED, user, now)
    audit.record(user, "producer.invitation_decline", invitation, producer=invitation.producer_id)


def revoke_invitation(invitation: ProducerInvitation, owner: User, now: datetime) -> None:
    if invitation.status != InvitationStatus.PENDING:
        raise InvitationClosed(invitation.status.value)
    _close(invitation, InvitationStatus.REVOKED, owner, now)
    audit.record(
        owner,
        "producer.invitation_revoke",
        invitation,
        producer=invitation.producer_id,
        email=invitation.email,
    )


def _close(
    invitation: ProducerInvitation, status: InvitationStatus, user: User, now: datetime
) -> None:
    """Close a pending invitation once: of two requests at the same moment
    (accept and revoke, or a double click), the second finds it closed."""
    result = db.session.execute(
        update(ProducerInvitation)
        .where(
            ProducerInvitation.id == invitation.id,
            ProducerInvitation.status == InvitationStatus.PENDING,
        )
        .values(status=status, closed_by_id=user.id, closed_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(invitation)
    if result.rowcount != 1:
        raise InvitationClosed(invitation.status.value)


def pending_invitations(producer: Producer):
    return (
        select(ProducerInvitation)
        .where(
            ProducerInvitation.producer_id == producer.id,
            ProducerInvitation.status == InvitationStatus.PENDING,
        )
        .order_by(ProducerInvitation.created_at, ProducerInvitation.id)
    )


def remove_member(producer: Producer, member: ProducerMember, actor: User) -> None:
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
    audit.record(actor, "producer.member_remove", producer, user=user.id)


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
