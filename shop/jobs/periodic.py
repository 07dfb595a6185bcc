"""The periodic jobs: what cron used to run, now fired by Celery beat (the flask
commands remain as the cron alternative).

Each run first claims its period with a unique (job, period) row, committed
before the work starts. A second beat process, a second cron node, or a rerun
later in the same period finds the row and does nothing: a lock would not do,
since the second runner may start after the first has released it. A run that
failed, or that died while running (older than JOB_STALE_AFTER), may be claimed
again in the same period. The clock is a parameter, so tests move through periods.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from celery.schedules import crontab
from flask import current_app
from sqlalchemy import and_, or_, update

from shop.clock import VN_TZ, utcnow
from shop.extensions import db
from shop.jobs.models import JobRun, JobRunStatus
from shop.jobs.services import dialect_insert, prune

log = logging.getLogger(__name__)

RUN_TASK = "shop.jobs.run_periodic"


def every_minutes(n: int) -> Callable[[datetime], str]:
    """Periods of ``n`` minutes in UTC: "2026-11-28T06:10Z"."""

    def period(now: datetime) -> str:
        t = now.astimezone(UTC)
        return t.replace(minute=t.minute - t.minute % n, second=0, microsecond=0).strftime(
            "%Y-%m-%dT%H:%MZ"
        )

    return period


def day_in_vietnam(now: datetime) -> str:
    return now.astimezone(VN_TZ).date().isoformat()


def month_in_vietnam(now: datetime) -> str:
    return now.astimezone(VN_TZ).strftime("%Y-%m")


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    period: Callable[[datetime], str]  # the period ``now`` falls in
    run: Callable[[datetime], str]  # the work; owns its transactions; returns a summary
    schedule: crontab  # when beat fires it, in Vietnam time (firing more often is harmless)
    options: dict = field(default_factory=dict)  # Celery options for beat's message


def prune_job(now: datetime) -> str:
    messages, claims = prune(now)
    return f"Outbox rows pruned: {messages}, job claims pruned: {claims}"


# Filled by create_app (shop/schedule.py lists the jobs): the areas own their
# work, this module only claims periods and runs what it is given.
_jobs: dict[str, PeriodicJob] = {}


def register_periodic(job: PeriodicJob) -> None:
    _jobs[job.name] = job


def jobs() -> dict[str, PeriodicJob]:
    return _jobs


def beat_schedule(sweep_every: float, period_seconds: int = 0) -> dict:
    """Celery beat's schedule: every periodic job, and the outbox sweeper. With
    ``period_seconds`` (JOBS_PERIOD_SECONDS: proofs and staging only) every job's
    period is that many seconds and beat fires it four times a period."""
    fast = period_seconds / 4 if period_seconds else None
    schedule = {
        name: {
            "task": RUN_TASK,
            "schedule": fast or job.schedule,
            "args": (name,),
            "options": {"expires": fast} if fast else job.options,
        }
        for name, job in jobs().items()
    }
    schedule["outbox.sweep"] = {
        "task": "shop.jobs.sweep",
        "schedule": sweep_every,
        "options": {"expires": sweep_every},
    }
    return schedule


# -- claims --------------------------------------------------------------------


def claim(name: str, period: str, now: datetime) -> int | None:
    """Take the (job, period) row and commit. Returns its id, or None when
    another run has it (running, or done)."""
    run_id = db.session.scalar(
        dialect_insert(JobRun)
        .values(job=name, period=period, status=JobRunStatus.RUNNING, attempts=1, started_at=now)
        .on_conflict_do_nothing(index_elements=["job", "period"])
        .returning(JobRun.id)
    )
    if run_id is None:
        stale = now - timedelta(seconds=current_app.config["JOB_STALE_AFTER"])
        run_id = db.session.scalar(
            update(JobRun)
            .where(
                JobRun.job == name,
                JobRun.period == period,
                or_(
                    JobRun.status == JobRunStatus.FAILED,
                    and_(JobRun.status == JobRunStatus.RUNNING, JobRun.started_at < stale),
                ),
            )
            .values(
                status=JobRunStatus.RUNNING,
                attempts=JobRun.attempts + 1,
                started_at=now,
                finished_at=None,
                error=None,
            )
            .returning(JobRun.id)
        )
    db.session.commit()
    return run_id


def _finish(run_id: int, status: JobRunStatus, *, summary=None, error=None) -> None:
    db.session.execute(
        update(JobRun)
        .where(JobRun.id == run_id)
        .values(status=status, finished_at=utcnow(), summary=summary, error=error)
    )
    db.session.commit()


def period_of(job: PeriodicJob, now: datetime) -> str:
    """The job's period; all jobs share short periods of JOBS_PERIOD_SECONDS when
    it is set (a proof that moves through periods in real time: make cluster-test)."""
    seconds = current_app.config.get("JOBS_PERIOD_SECONDS") or 0
    if seconds:
        start = int(now.timestamp()) // seconds * seconds
        return datetime.fromtimestamp(start, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return job.period(now)


@dataclass(frozen=True)
class RunResult:
    job: str
    period: str
    ran: bool
    summary: str = ""


def run_job(
    name: str,
    now: datetime | None = None,
    *,
    force: bool = False,
    table: dict[str, PeriodicJob] | None = None,
) -> RunResult:
    """Claim this period of job ``name``, then run it; a claimed period is
    skipped. ``force`` runs without a claim (an operator's deliberate rerun;
    every job is safe to repeat). A failing job is recorded and re-raised."""
    job = (table or jobs())[name]
    now = now or utcnow()
    period = period_of(job, now)
    if force:
        return RunResult(name, period, True, job.run(now))
    run_id = claim(name, period, now)
    if run_id is None:
        log.info("periodic job %s: period %s is claimed already, skipped", name, period)
        return RunResult(name, period, False)
    try:
        summary = job.run(now)
    except Exception as exc:
        db.session.rollback()
        _finish(run_id, JobRunStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    _finish(run_id, JobRunStatus.DONE, summary=summary[:2000])
    return RunResult(name, period, True, summary)


def skipped_message(result: RunResult) -> str:
    return (
        f"{result.job}: period {result.period} was run already (by this or another node); "
        "nothing done. --force runs it again."
    )
