"""The outbox of after-commit effects, and the claims of periodic jobs."""

import enum
from datetime import datetime

from sqlalchemy import JSON, DateTime, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shop.clock import utcnow
from shop.dbtypes import str_enum
from shop.extensions import Model


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for its first delivery, or for a retry
    SENT = "sent"  # the handler succeeded: never delivered again
    DEAD = "dead"  # gave up after OUTBOX_MAX_ATTEMPTS (or a permanent refusal): staff look


class OutboxMessage(Model):
    """One effect to run after the commit of the transaction that wrote it (an
    e-mail, a notice). Written in that transaction, so a rollback leaves none;
    the unique key makes a second enqueue of the same effect a no-op."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        # The sweeper's question: which pending rows are due?
        Index("ix_outbox_messages_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    dedupe_key: Mapped[str] = mapped_column(String(255), unique=True)
    payload: Mapped[dict] = mapped_column(JSON)
    status: Mapped[OutboxStatus] = mapped_column(
        str_enum(OutboxStatus), default=OutboxStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class JobRunStatus(enum.StrEnum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"  # a later run in the same period may claim it again


class JobRun(Model):
    """A periodic job's claim on one period ("orders.expire" at 2026-11-28T06:10Z).

    The unique (job, period) row is taken and committed before the job runs, so
    a second beat or cron node that comes later in the same period, even after
    the first has finished, finds it and does nothing."""

    __tablename__ = "job_runs"
    __table_args__ = (UniqueConstraint("job", "period", name="uq_job_runs_job_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(80))
    period: Mapped[str] = mapped_column(String(40))
    status: Mapped[JobRunStatus] = mapped_column(
        str_enum(JobRunStatus), default=JobRunStatus.RUNNING
    )
    attempts: Mapped[int] = mapped_column(default=1)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    summary: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
