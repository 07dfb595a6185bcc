from sqlalchemy import select

from shop.audit.models import AuditEntry
from shop.auth.models import User
from shop.extensions import db


def record(actor: User | None, action: str, target, reason: str | None = None, **data):
    """Add an audit entry for ``target`` (any model with an ``id``); flushes."""
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        action=action,
        target_type=type(target).__tablename__,
        target_id=target.id,
        reason=reason,
        data={k: str(v) for k, v in data.items()},
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def latest_entries():
    return select(AuditEntry).order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
