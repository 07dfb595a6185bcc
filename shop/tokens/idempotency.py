"""The keys of idempotent writes (the ``Idempotency-Key`` header, as Stripe and
the IETF draft draft-ietf-httpapi-idempotency-key-header use it), per token.

A write claims its key by inserting a row in its own transaction, before the
work; the answer is written into that row before the one commit. So:
- the same key and the same request later replays the kept answer;
- the same key with another request is refused (KeyReused: a 422);
- a duplicate sent while the first still runs waits on the unique constraint
  (PostgreSQL), then finds the first's answer and replays it; if the first
  rolled back, the duplicate runs instead. Only a key still held after that
  (a third party, an unlucky moment) is KeyBusy (a 409: try again).
Only successful answers are kept: a refused write changed nothing, so a retry
under the same key is judged afresh. Rows older than 24 hours are ignored, and
deleted by the periodic job ``api.idempotency_prune``.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from shop.dbtypes import rows_affected
from shop.extensions import db
from shop.tokens.models import IdempotencyKey
from shop.tokens.rules import KEY_KEPT_FOR


class KeyReused(Exception):
    """The key was used for another request (method, path or body)."""


class KeyBusy(Exception):
    """Another request holds the key right now."""


@dataclass(frozen=True)
class Replay:
    status_code: int
    content_type: str
    body: str


def _kept(token_id: int, key: str, now: datetime) -> IdempotencyKey | None:
    return db.session.scalar(
        select(IdempotencyKey).where(
            IdempotencyKey.token_id == token_id,
            IdempotencyKey.key == key,
            IdempotencyKey.created_at >= now - KEY_KEPT_FOR,
        )
    )


def _replay(row: IdempotencyKey, fingerprint: str) -> Replay:
    if row.fingerprint != fingerprint:
        raise KeyReused(row.key)
    return Replay(row.status_code, row.content_type, row.body)


def claim(token_id: int, key: str, fingerprint: str, now: datetime) -> IdempotencyKey | Replay:
    """The new row holding ``key`` for this request, or the kept answer to replay.
    Raises KeyReused or KeyBusy. May roll back (on a lost race), so call it first."""
    kept = _kept(token_id, key, now)
    if kept is not None:
        return _replay(kept, fingerprint)
    # A row past its 24 hours that the job has not pruned yet: the key is free again.
    db.session.execute(
        delete(IdempotencyKey)
        .where(
            IdempotencyKey.token_id == token_id,
            IdempotencyKey.key == key,
            IdempotencyKey.created_at < now - KEY_KEPT_FOR,
        )
        # "fetch": the deleted row leaves the session too (its id may come back).
        .execution_options(synchronize_session="fetch")
    )
    row = IdempotencyKey(
        token_id=token_id,
        key=key,
        fingerprint=fingerprint,
        status_code=0,
        content_type="",
        body="",
        created_at=now,
    )
    db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError:
        # A duplicate committed first (PostgreSQL made us wait for it).
        db.session.rollback()
        kept = _kept(token_id, key, now)
        if kept is None:
            raise KeyBusy(key) from None
        return _replay(kept, fingerprint)
    return row


def keep(row: IdempotencyKey, status_code: int, content_type: str, body: str) -> None:
    """The answer to replay; committed with the work."""
    row.status_code = status_code
    row.content_type = content_type
    row.body = body
    db.session.flush()


def prune_keys(now: datetime) -> int:
    """Delete the keys past their 24 hours; returns how many."""
    return rows_affected(
        db.session.execute(
            delete(IdempotencyKey)
            .where(IdempotencyKey.created_at < now - KEY_KEPT_FOR)
            .execution_options(synchronize_session=False)
        )
    )
