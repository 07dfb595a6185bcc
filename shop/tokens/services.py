"""Token use cases: create, revoke, list, and find the token behind a bearer
header. They flush; the caller commits."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select, update

from shop.audit.services import record
from shop.auth.models import User
from shop.extensions import db
from shop.producers.models import MemberRole, Producer, ProducerMember
from shop.tokens import rules
from shop.tokens.exceptions import AlreadyRevoked, NoScope, NotOwner
from shop.tokens.models import ApiToken


def _check_owner(producer: Producer, user: User) -> None:
    owner = db.session.scalar(
        select(ProducerMember.id).where(
            ProducerMember.producer_id == producer.id,
            ProducerMember.user_id == user.id,
            ProducerMember.role == MemberRole.OWNER,
        )
    )
    if owner is None:
        raise NotOwner(user.id)


def create_token(
    producer: Producer,
    owner: User,
    name: str,
    scopes,
    now: datetime,
    lifetime_days: int | None = rules.DEFAULT_LIFETIME,
) -> tuple[ApiToken, str]:
    """A new token of ``producer``; returns it and its secret, which is never
    stored and never shown again."""
    _check_owner(producer, owner)
    chosen = frozenset(rules.Scope(s) for s in scopes)
    if not chosen:
        raise NoScope
    secret = rules.new_secret()
    token = ApiToken(
        producer_id=producer.id,
        name=name.strip()[: rules.MAX_NAME],
        token_hash=rules.hash_token(secret),
        hint=rules.hint_of(secret),
        scopes_text=rules.join_scopes(chosen),
        created_by_id=owner.id,
        created_at=now,
        expires_at=rules.expiry_for(now, lifetime_days),
    )
    db.session.add(token)
    db.session.flush()
    record(owner, "api_token.create", token, name=token.name, scopes=token.scopes_text)
    return token, secret


def revoke_token(token: ApiToken, owner: User, now: datetime) -> None:
    _check_owner(token.producer, owner)
    if token.revoked_at is not None:
        raise AlreadyRevoked(token.id)
    token.revoked_at = now
    token.revoked_by_id = owner.id
    db.session.flush()
    record(owner, "api_token.revoke", token, name=token.name)


def tokens_of(producer: Producer):
    return (
        select(ApiToken)
        .where(ApiToken.producer_id == producer.id)
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.id.desc())
    )


@dataclass(frozen=True)
class Refusal:
    """Why no token: ``missing`` (no bearer header) or ``invalid`` (wrong, revoked,
    expired, or its owner no longer an owner): RFC 6750's two 401 answers."""

    reason: str


def authenticate(header: str | None, now: datetime) -> ApiToken | Refusal:
    """The active token of a bearer header. A token acts with its creator's
    authority: once the creator is no longer an owner of the producer (removed,
    made a member) or the account is closed, the token stops working too."""
    secret = rules.bearer_token(header)
    if secret is None:
        return Refusal("missing")
    if not rules.well_formed(secret):
        return Refusal("invalid")
    token = db.session.scalar(
        select(ApiToken)
        .join(
            ProducerMember,
            (ProducerMember.user_id == ApiToken.created_by_id)
            & (ProducerMember.producer_id == ApiToken.producer_id)
            & (ProducerMember.role == MemberRole.OWNER),
        )
        .join(User, User.id == ApiToken.created_by_id)
        .where(
            ApiToken.token_hash == rules.hash_token(secret),
            ApiToken.revoked_at.is_(None),
            User.is_active_account.is_(True),
        )
    )
    if token is None or not token.is_active(now):
        return Refusal("invalid")
    return token


def touch(token: ApiToken, now: datetime) -> None:
    """Record the use, at most once per TOUCH_EVERY (a conditional UPDATE: the
    calls of one minute do not queue for the token's row lock)."""
    db.session.execute(
        update(ApiToken)
        .where(
            ApiToken.id == token.id,
            or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at < now - rules.TOUCH_EVERY),
        )
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
