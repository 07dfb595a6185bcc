"""Periodic jobs claim their period first: two beats (or two cron nodes) never
run a job twice for one period, even when the second comes after the first has
finished; the clock is a parameter, so the test walks through periods."""

import dataclasses
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from shop.clock import utcnow
from shop.extensions import db
from shop.jobs.models import JobRun, JobRunStatus, OutboxMessage
from shop.jobs.periodic import (
    PeriodicJob,
    day_in_vietnam,
    every_minutes,
    jobs,
    month_in_vietnam,
    run_job,
)
from shop.orders.models import Order, OrderStatus, PaymentMethod
from tests.conftest import is_postgres
from tests.orders.helpers import order_for

T = datetime(2026, 12, 1, 2, 3, tzinfo=UTC)  # 09:03 in Vietnam


def test_periods():
    assert every_minutes(10)(T) == "2026-12-01T02:00Z"
    assert every_minutes(10)(T + timedelta(minutes=7)) == "2026-12-01T02:10Z"
    assert every_minutes(15)(T + timedelta(minutes=12)) == "2026-12-01T02:15Z"
    late = datetime(2026, 11, 30, 17, 30, tzinfo=UTC)  # 00:30 on 1 December in Vietnam
    assert day_in_vietnam(late) == "2026-12-01"
    assert month_in_vietnam(late) == "2026-12"


def test_beat_fires_every_job_and_the_sweeper(app):
    schedule = app.extensions["celery"].conf.beat_schedule
    assert {e["args"][0] for e in schedule.values() if e["task"] == "shop.jobs.run_periodic"} == {
        "orders.expire",
        "payments.reconcile",
        "ocop.daily",
        "settlements.generate",
        "jobs.prune",
        "wishlist.back_in_stock",
        "api.idempotency_prune",
        "centres.expire_pickups",
    }
    assert schedule["outbox.sweep"]["task"] == "shop.jobs.sweep"


class Counting:
    """A job's work that counts its runs per period, shared by every runner."""

    def __init__(self, job: PeriodicJob, fail_first: bool = False):
        self.job, self.fail_first = job, fail_first
        self.runs: Counter = Counter()
        self._lock = threading.Lock()

    def __call__(self, now: datetime) -> str:
        with self._lock:
            self.runs[self.job.period(now)] += 1
            if self.fail_first and self.runs[self.job.period(now)] == 1:
                raise RuntimeError("first run fails")
        return self.job.run(now)


def counting_table(**options) -> tuple[dict, dict]:
    table, counters = {}, {}
    for name, job in jobs().items():
        counters[name] = Counting(job, **options)
        table[name] = dataclasses.replace(job, run=counters[name])
    return table, counters


def _runs() -> list[tuple[str, str, JobRunStatus, int]]:
    return [
        (r.job, r.period, r.status, r.attempts)
        for r in db.session.scalars(
            select(JobRun)
            .order_by(JobRun.job, JobRun.period)
            .execution_options(populate_existing=True)
        )
    ]


def test_a_job_runs_once_per_period_and_a_later_runner_finds_the_claim(app):
    table, counters = counting_table()
    assert run_job("orders.expire", T, table=table).ran
    # Another node in the same period, after the first has finished: skipped.
    second = run_job("orders.expire", T + timedelta(minutes=5), table=table)
    assert (second.ran, second.period) == (False, "2026-12-01T02:00Z")
    assert run_job("orders.expire", T + timedelta(minutes=10), table=table).ran
    assert counters["orders.expire"].runs == {"2026-12-01T02:00Z": 1, "2026-12-01T02:10Z": 1}
    assert [(j, p, s) for j, p, s, _ in _runs()] == [
        ("orders.expire", "2026-12-01T02:00Z", JobRunStatus.DONE),
        ("orders.expire", "2026-12-01T02:10Z", JobRunStatus.DONE),
    ]


def test_a_failed_run_is_claimed_again_in_its_period(app):
    table, counters = counting_table(fail_first=True)
    with pytest.raises(RuntimeError, match="first run fails"):
        run_job("ocop.daily", T, table=table)
    assert _runs() == [("ocop.daily", "2026-12-01", JobRunStatus.FAILED, 1)]
    assert run_job("ocop.daily", T + timedelta(hours=1), table=table).ran
    assert not run_job("ocop.daily", T + timedelta(hours=2), table=table).ran
    assert _runs() == [("ocop.daily", "2026-12-01", JobRunStatus.DONE, 2)]
    assert counters["ocop.daily"].runs == {"2026-12-01": 2}


def test_a_run_that_died_is_taken_over_once_stale(app):
    table, _counters = counting_table()
    db.session.add(JobRun(job="settlements.generate", period="2026-12", started_at=T))
    db.session.commit()
    assert not run_job("settlements.generate", T + timedelta(minutes=30), table=table).ran
    assert run_job("settlements.generate", T + timedelta(hours=2), table=table).ran
    assert _runs() == [("settlements.generate", "2026-12", JobRunStatus.DONE, 2)]


def _unpaid_order(make_listed):
    order = order_for({make_listed(stock=3): 1}, method=PaymentMethod.VIETQR)
    order.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    return order


def two_periods(app) -> list[datetime]:
    """Two moments in different periods of every job (a month apart); the claims
    of the first outlive the second's pruning."""
    app.config["OUTBOX_KEEP_DAYS"] = 90
    first = utcnow() + timedelta(days=1)
    return [first, first + timedelta(days=32)]


def _check_each_job_ran_once_per_period(counters, periods, order) -> None:
    for name, counter in counters.items():
        expected = {jobs()[name].period(now) for now in periods}
        assert counter.runs == dict.fromkeys(expected, 1), name
    assert len(_runs()) == len(counters) * len(periods)
    assert {status for _, _, status, _ in _runs()} == {JobRunStatus.DONE}
    # The real work behind it happened once too: one expiry, one e-mail about it.
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == OrderStatus.CANCELLED
    cancelled = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.dedupe_key.like("mail:order-cancelled:%"))
    ).all()
    assert len(cancelled) == 1


def test_two_beats_in_turn_run_each_job_once_per_period(app, make_listed):
    order = _unpaid_order(make_listed)
    table, counters = counting_table()
    periods = two_periods(app)
    for now in periods:
        for _beat_process in range(2):
            for name in table:
                run_job(name, now, table=table)
    _check_each_job_ran_once_per_period(counters, periods, order)


@pytest.mark.postgres
def test_two_beats_at_once_run_each_job_once_per_period(app, make_listed, database_url):
    if not is_postgres(app):
        pytest.skip("parallel writers need PostgreSQL (SQLite serialises them)")
    from shop import create_app

    order = _unpaid_order(make_listed)
    table, counters = counting_table()
    periods = two_periods(app)
    barrier = threading.Barrier(2)
    errors = []

    # Two processes' apps, built here: create_app is not made to run in two threads
    # at once (werkzeug compiles the URL rules with ast, which CPython 3.11 does not
    # guard against concurrent use).
    apps = [
        create_app({"SQLALCHEMY_DATABASE_URI": database_url, "OUTBOX_KEEP_DAYS": 90})
        for _ in range(2)
    ]

    def beat(beat_app) -> None:
        try:
            with beat_app.app_context():
                for now in periods:
                    barrier.wait(30)  # both beats fire at the same moment
                    for name in table:
                        run_job(name, now, table=table)
                db.session.remove()
                db.engine.dispose()
        except Exception as exc:
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=beat, args=(beat_app,)) for beat_app in apps]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    _check_each_job_ran_once_per_period(counters, periods, order)


def test_the_cron_commands_claim_their_period(runner, app):
    first = runner.invoke(args=["jobs", "run", "payments.reconcile"])
    assert first.exit_code == 0, first.output
    assert "Open card payments checked: 0" in first.output
    again = runner.invoke(args=["payments", "reconcile"])
    assert "was run already" in again.output
    assert "Expiry notices sent: 0" in runner.invoke(args=["ocop", "daily"]).output
    assert "was run already" in runner.invoke(args=["ocop", "daily"]).output
    generated = runner.invoke(args=["settlements", "generate"])
    assert generated.exit_code == 0, generated.output
    assert generated.output.startswith("Settlements ")
    assert "was run already" in runner.invoke(args=["settlements", "generate"]).output
    status = runner.invoke(args=["jobs", "status"])
    assert "Outbox: 0 pending, 0 dead, 0 sent" in status.output
    assert "ocop.daily: " in status.output
    assert "jobs.prune: never run" in status.output
    assert "Outbox rows handed over: 0" in runner.invoke(args=["jobs", "sweep"]).output


def test_short_periods_for_proofs(app):
    """JOBS_PERIOD_SECONDS gives every job periods of that many seconds, and beat
    fires each four times a period (make cluster-test moves through two of them)."""
    from datetime import UTC, datetime

    from shop.jobs.periodic import beat_schedule, jobs, period_of

    app.config["JOBS_PERIOD_SECONDS"] = 20
    job = jobs()["settlements.generate"]
    start = datetime(2026, 11, 29, 3, 0, 0, tzinfo=UTC)
    assert period_of(job, start) == period_of(job, start.replace(second=19))
    assert period_of(job, start.replace(second=20)) != period_of(job, start)
    schedule = beat_schedule(60, 20)
    assert schedule["settlements.generate"]["schedule"] == 5
    assert schedule["outbox.sweep"]["schedule"] == 60
    app.config["JOBS_PERIOD_SECONDS"] = 0
    assert period_of(job, start) == "2026-11"
