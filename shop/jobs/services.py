"""The transactional outbox.

An effect that must follow a change (an e-mail, a producer notice, a thumbnail)
is written by ``enqueue`` as a row in the transaction that makes the change. A
rollback takes the row with it; a second enqueue of the same key is a no-op.
After the commit, the session hook hands that transaction's rows to the Celery
worker, or, with no broker configured, delivers them in this process, still
after the commit. ``deliver`` runs the row's handler under a row lock and marks
it sent only when the handler returned: delivery is at least once, so handlers
make a repeat harmless (an e-mail keeps its Message-ID). A failure is retried
with exponential backoff, a row that keeps failing goes dead for staff to see
(/staff/outbox), and ``sweep`` hands over again every pending row whose time
has come, so a lost broker message or an SMTP outage is recovered.
"""

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from shop.clock import utcnow
from shop.dbtypes import rows_affected
from shop.extensions import db
from shop.jobs.models import JobRun, JobRunStatus, OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)

DELIVER_TASK = "shop.jobs.deliver"

# The ids enqueued in the session's current transaction, and those of a
# transaction just committed, handed over once it has ended.
_PENDING = "outbox_pending_ids"
_COMMITTED = "outbox_committed_ids"

Handler = Callable[[dict], object]  # what it returns is not used
_handlers: dict[str, Handler] = {}


class PermanentFailure(Exception):
    """Raised by a handler when trying again cannot help (an address refused for
    good): the row goes dead at once instead of being retried."""


def register_handler(kind: str, handler: Handler) -> None:
    """Name the function that carries out rows of ``kind``. It receives the JSON
    payload, runs in an app context after the commit, may run more than once for
    one row (at least once), and raises to have the row retried."""
    _handlers[kind] = handler


def handler_for(kind: str) -> Handler | None:
    return _handlers.get(kind)


def dialect_insert(model):
    """INSERT with ON CONFLICT DO NOTHING, in the dialect of the session's database."""
    if db.session.get_bind().dialect.name == "postgresql":
        return pg_insert(model)
    return sqlite_insert(model)


def enqueue(kind: str, payload: dict, key: str) -> int | None:
    """Write the effect in the caller's transaction (never commits). Returns its
    id, or None when a row with this key exists already (the effect is on its
    way or done)."""
    if len(key) > 255:
        raise ValueError("outbox keys are at most 255 characters")
    now = utcnow()
    values = {
        "kind": kind,
        "dedupe_key": key,
        "payload": payload,
        "status": OutboxStatus.PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
        "updated_at": now,
    }
    message_id = db.session.scalar(
        dialect_insert(OutboxMessage)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(OutboxMessage.id)
    )
    if message_id is not None:
        db.session.info.setdefault(_PENDING, []).append(message_id)
    return message_id


def requeue(message_id: int, now: datetime | None = None) -> bool:
    """Give a dead row a fresh set of attempts (staff, once the cause is fixed).
    Handed over after the caller's commit. Returns False when it was not dead."""
    now = now or utcnow()
    done = rows_affected(
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.DEAD)
            .values(status=OutboxStatus.PENDING, attempts=0, next_attempt_at=now, updated_at=now)
        )
    )
    if done:
        db.session.info.setdefault(_PENDING, []).append(message_id)
        kind = db.session.scalar(select(OutboxMessage.kind).where(OutboxMessage.id == message_id))
        resume(kind)
    return bool(done)


def resume(kind: str | None) -> None:
    """A person asked for a row of ``kind``: deliver it in-process after the commit,
    even during a pause after a failure (see ``hand_over``)."""
    current_app.extensions.get("outbox_paused", {}).pop(kind, None)


# -- after the commit ----------------------------------------------------------


def _after_commit(session) -> None:
    # Also called when a savepoint is released: the transaction goes on.
    if not session.in_nested_transaction():
        ids = session.info.pop(_PENDING, None)
        if ids:
            session.info[_COMMITTED] = ids


def _after_transaction_end(session, transaction) -> None:
    if transaction.parent is not None:  # a savepoint
        return
    # Rolled back or closed: the rows are gone, nothing to hand over.
    session.info.pop(_PENDING, None)
    ids = session.info.pop(_COMMITTED, None)
    if ids:
        # Committed; by now the session's connection is back in the pool, so an
        # in-process delivery never holds two connections of a small pool.
        hand_over(ids)


def install_session_hooks() -> None:
    """Listen on the Flask-SQLAlchemy session class, once per process."""
    from sqlalchemy import event

    if not event.contains(db.session, "after_commit", _after_commit):
        event.listen(db.session, "after_commit", _after_commit)
        event.listen(db.session, "after_transaction_end", _after_transaction_end)


def uses_broker(app: Flask) -> bool:
    return bool(app.config.get("CELERY_BROKER_URL"))


def hand_over(ids: Iterable[int], now: datetime | None = None, *, sweeping: bool = False) -> None:
    """Send rows to the worker, or deliver them here when there is no broker.
    Runs after a commit: nothing here may fail the caller, whose change is
    already committed; a row that is not handed over waits for the sweeper."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    ids = list(ids)
    if uses_broker(app):
        celery = app.extensions["celery"]
        for message_id in ids:
            try:
                celery.send_task(DELIVER_TASK, args=[message_id])
            except Exception as exc:
                log.warning(
                    "outbox: broker unreachable (%s: %s), messages %s wait for the sweeper",
                    type(exc).__name__,
                    exc,
                    ids[ids.index(message_id) :],
                )
                return
        return
    # In-process, in a context of its own: a session of its own, so the
    # caller's session (committed, its objects expired) is left as it was.
    # Once a kind has failed (SMTP down or hung), the rest of the batch, and the
    # requests of the next OUTBOX_INLINE_PAUSE seconds, leave it to the sweeper
    # rather than each wait for the same timeout; the sweeper always tries.
    paused = app.extensions.setdefault("outbox_paused", {})  # kind -> monotonic deadline
    failed_kinds: set[str] = set()
    with app.app_context():
        for message_id in ids:
            try:
                kind = db.session.scalar(
                    select(OutboxMessage.kind).where(OutboxMessage.id == message_id)
                )
                if kind is None:  # gone with a rolled-back savepoint
                    continue
                if kind in failed_kinds or (
                    not sweeping and paused.get(kind, 0.0) > time.monotonic()
                ):
                    continue
                status = deliver(message_id, now).status
                if status == "retry":
                    failed_kinds.add(kind)
                    paused[kind] = time.monotonic() + app.config["OUTBOX_INLINE_PAUSE"]
                elif status == "sent":
                    paused.pop(kind, None)
            except Exception:
                db.session.rollback()
                log.exception("outbox: delivering message %s failed", message_id)


# -- delivery ------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    status: str  # "sent", "retry", "dead" or "skipped" (done already, or being done)
    retry_in: float | None = None  # seconds, when status is "retry"


def backoff_seconds(attempts: int) -> float:
    """30 s, 60 s, 2 min, 4 min, ... up to OUTBOX_RETRY_MAX after ``attempts`` failures."""
    config = current_app.config
    return float(
        min(config["OUTBOX_RETRY_BASE"] * 2 ** max(attempts - 1, 0), config["OUTBOX_RETRY_MAX"])
    )


def deliver(message_id: int, now: datetime | None = None) -> Outcome:
    """Run one pending row's handler; commits. The row stays locked (FOR UPDATE
    SKIP LOCKED on PostgreSQL) until the outcome is written, so two workers
    never deliver it at once: the second one skips it."""
    now = now or utcnow()
    message = db.session.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.PENDING)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    if message is None:
        db.session.rollback()
        return Outcome("skipped")
    message.attempts += 1
    message.updated_at = now
    handler = handler_for(message.kind)
    try:
        if handler is None:
            raise PermanentFailure(f"no handler for outbox kind {message.kind!r}")
        handler(message.payload)
    except Exception as exc:
        message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        permanent = isinstance(exc, PermanentFailure)
        if permanent or message.attempts >= current_app.config["OUTBOX_MAX_ATTEMPTS"]:
            message.status = OutboxStatus.DEAD
            db.session.commit()
            log.error(
                "outbox: message %s (%s) is dead after %s attempts: %s",
                message_id,
                message.kind,
                message.attempts,
                message.last_error,
            )
            return Outcome("dead")
        delay = backoff_seconds(message.attempts)
        message.next_attempt_at = now + timedelta(seconds=delay)
        db.session.commit()
        log.warning(
            "outbox: message %s (%s) attempt %s failed, next in %ss: %s",
            message_id,
            message.kind,
            message.attempts,
            int(delay),
            message.last_error,
        )
        return Outcome("retry", delay)
    message.status = OutboxStatus.SENT
    message.sent_at = now
    message.last_error = None
    db.session.commit()
    return Outcome("sent")


def sweep(now: datetime | None = None, *, limit: int = 500) -> int:
    """Hand over again the pending rows whose retry is due, or whose task was
    lost, a grace period after they were due (a queued task has had its chance).
    Safe to run twice at once. Commits. Returns how many were handed over."""
    now = now or utcnow()
    grace = timedelta(seconds=current_app.config["OUTBOX_SWEEP_GRACE"])
    ids = list(
        db.session.scalars(
            select(OutboxMessage.id)
            .where(
                OutboxMessage.status == OutboxStatus.PENDING,
                OutboxMessage.next_attempt_at <= now - grace,
            )
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    if not ids:
        db.session.rollback()
        return 0
    # Not due again before another grace period: the next sweep leaves them to
    # the delivery handed over now.
    db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id.in_(ids)).values(next_attempt_at=now)
    )
    db.session.commit()
    hand_over(ids, now, sweeping=True)
    return len(ids)


# -- reading -------------------------------------------------------------------


@dataclass(frozen=True)
class Backlog:
    pending: int
    dead: int
    sent: int
    oldest_pending_at: datetime | None


def backlog() -> Backlog:
    counts = dict(
        db.session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        ).all()
    )
    oldest = db.session.scalar(
        select(func.min(OutboxMessage.created_at)).where(
            OutboxMessage.status == OutboxStatus.PENDING
        )
    )
    return Backlog(
        pending=counts.get(OutboxStatus.PENDING, 0),
        dead=counts.get(OutboxStatus.DEAD, 0),
        sent=counts.get(OutboxStatus.SENT, 0),
        oldest_pending_at=oldest,
    )


def prune(now: datetime | None = None) -> tuple[int, int]:
    """Forget sent rows and finished job claims older than OUTBOX_KEEP_DAYS
    (their keys have done their work). Commits. Returns (messages, claims)."""
    now = now or utcnow()
    cutoff = now - timedelta(days=current_app.config["OUTBOX_KEEP_DAYS"])
    messages = rows_affected(
        db.session.execute(
            delete(OutboxMessage).where(
                OutboxMessage.status == OutboxStatus.SENT, OutboxMessage.sent_at < cutoff
            )
        )
    )
    claims = rows_affected(
        db.session.execute(
            delete(JobRun).where(JobRun.status == JobRunStatus.DONE, JobRun.started_at < cutoff)
        )
    )
    db.session.commit()
    return messages, claims
