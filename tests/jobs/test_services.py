"""The outbox: written in the caller's transaction, handed over only after its
commit, one row per key, retried with backoff, dead after its attempts, one
delivery at a time per row."""

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text, update

from shop.clock import utcnow
from shop.extensions import db
from shop.jobs.models import OutboxMessage, OutboxStatus
from shop.jobs.services import (
    PermanentFailure,
    backlog,
    deliver,
    enqueue,
    prune,
    register_handler,
    requeue,
    sweep,
)
from shop.mail import outbox, send_mail
from tests.conftest import _free_port, is_postgres


def _rows() -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .order_by(OutboxMessage.id)
            .execution_options(populate_existing=True)
        )
    )


class Probe(list):
    """A handler for kind "probe" that records its payloads; set ``fail`` to an
    exception to make it raise instead."""

    fail: Exception | None = None

    def __call__(self, payload: dict) -> None:
        if self.fail is not None:
            raise self.fail
        self.append(payload)


@pytest.fixture
def calls():
    probe = Probe()
    register_handler("probe", probe)
    return probe


def test_the_same_key_twice_makes_one_row(app, calls):
    first = enqueue("probe", {"n": 1}, "probe:1")
    assert enqueue("probe", {"n": 2}, "probe:1") is None
    db.session.commit()
    assert enqueue("probe", {"n": 3}, "probe:1") is None  # a later transaction too
    db.session.commit()
    assert [(m.id, m.payload, m.status) for m in _rows()] == [(first, {"n": 1}, OutboxStatus.SENT)]
    assert calls == [{"n": 1}]


def test_each_recipient_gets_each_mail_once(app):
    for _ in range(3):
        send_mail("an@example.vn", "Chào", "Nội dung", key="welcome:7")
        send_mail("AN@example.vn", "Chào", "Nội dung", key="welcome:7")
        send_mail("binh@example.vn", "Chào", "Nội dung", key="welcome:7")
        db.session.commit()
    assert sorted(m["To"] for m in outbox()) == ["an@example.vn", "binh@example.vn"]
    ids = {m["Message-ID"] for m in outbox()}
    assert len(ids) == 2
    assert all(i.endswith("@ocop.local>") for i in ids)


def test_a_rollback_hands_nothing_over(app, calls):
    enqueue("probe", {"n": 1}, "probe:rolled-back")
    send_mail("an@example.vn", "Chào", "Nội dung", key="rolled-back")
    db.session.rollback()
    assert _rows() == []
    db.session.commit()  # the next transaction of the session has nothing to hand over
    assert calls == []
    assert outbox() == []


def test_a_rolled_back_savepoint_takes_its_row_and_nothing_breaks(app, calls):
    enqueue("probe", {"n": 1}, "probe:kept")
    savepoint = db.session.begin_nested()
    enqueue("probe", {"n": 2}, "probe:undone")
    savepoint.rollback()
    db.session.commit()
    assert calls == [{"n": 1}]
    assert [m.dedupe_key for m in _rows()] == ["probe:kept"]


def test_a_released_savepoint_hands_nothing_over_before_the_commit(app, calls):
    enqueue("probe", {"n": 1}, "probe:before-savepoint")
    with db.session.begin_nested():
        enqueue("probe", {"n": 2}, "probe:in-savepoint")
    assert calls == []
    db.session.commit()
    assert calls == [{"n": 1}, {"n": 2}]


def test_delivery_runs_after_the_commit_never_inside_the_transaction(app):
    """The handler looks from another connection: the row that asked for it,
    written in the caller's transaction, is committed already."""
    seen_from_outside = []

    def look(payload: dict) -> None:
        with db.engine.connect() as other:
            seen_from_outside.append(
                other.scalar(
                    text("SELECT count(*) FROM outbox_messages WHERE dedupe_key = :k"),
                    {"k": payload["key"]},
                )
            )

    register_handler("look", look)
    enqueue("look", {"key": "look:1"}, "look:1")
    db.session.flush()
    assert seen_from_outside == []  # nothing before the commit
    db.session.commit()
    assert seen_from_outside == [1]


def test_an_unreachable_broker_leaves_the_rows_to_the_sweeper(app, database_url):
    from shop import create_app

    shop = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "CELERY_BROKER_URL": f"redis://127.0.0.1:{_free_port()}/0",  # nobody listens
        }
    )
    with shop.app_context():
        send_mail("an@example.vn", "Chào", "Nội dung", key="broker-down:1")
        send_mail("binh@example.vn", "Chào", "Nội dung", key="broker-down:1")
        db.session.commit()  # the change is committed; the hand-over fails quietly
        assert [(m.status, m.attempts) for m in _rows()] == [(OutboxStatus.PENDING, 0)] * 2
        shop.config["CELERY_BROKER_URL"] = ""  # now cron's `flask jobs sweep`, in-process
        assert sweep(utcnow() + timedelta(minutes=5)) == 2
        assert sorted(m["To"] for m in outbox()) == ["an@example.vn", "binh@example.vn"]
        db.session.remove()
        db.engine.dispose()


def test_a_failure_backs_off_exponentially_and_goes_dead(app, calls):
    app.config.update(OUTBOX_MAX_ATTEMPTS=3, OUTBOX_RETRY_BASE=30, OUTBOX_SWEEP_GRACE=120)
    calls.fail = ConnectionError("down")
    start = utcnow()
    message_id = enqueue("probe", {"n": 1}, "probe:flaky")
    db.session.commit()  # attempt 1, right after the commit
    (row,) = _rows()
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 1)
    assert row.last_error == "ConnectionError: down"
    waited = row.next_attempt_at.replace(tzinfo=None) - start.replace(tzinfo=None)
    assert timedelta(seconds=29) < waited < timedelta(seconds=40)

    # Due, but not yet past the sweeper's grace: left to the task that has it.
    assert sweep(start + timedelta(seconds=60)) == 0
    t2 = start + timedelta(seconds=200)
    assert sweep(t2) == 1  # attempt 2, then 60 s
    (row,) = _rows()
    assert row.attempts == 2
    assert row.next_attempt_at.replace(tzinfo=None) == (t2 + timedelta(seconds=60)).replace(
        tzinfo=None
    )
    assert sweep(t2 + timedelta(seconds=400)) == 1  # attempt 3: the last
    (row,) = _rows()
    assert (row.status, row.attempts) == (OutboxStatus.DEAD, 3)
    assert sweep(t2 + timedelta(days=3)) == 0
    assert backlog().dead == 1

    # Staff fix the cause and send it again: a fresh set of attempts.
    calls.fail = None
    assert requeue(message_id)
    db.session.commit()
    (row,) = _rows()
    assert (row.status, row.attempts) == (OutboxStatus.SENT, 1)
    assert calls == [{"n": 1}]
    assert not requeue(message_id)  # only a dead row


def test_a_permanent_failure_is_dead_at_once(app, calls):
    calls.fail = PermanentFailure("no such mailbox")
    enqueue("probe", {"n": 1}, "probe:refused")
    db.session.commit()
    (row,) = _rows()
    assert (row.status, row.attempts) == (OutboxStatus.DEAD, 1)


def test_a_kind_without_a_handler_is_dead(app):
    enqueue("nobody-handles-this", {}, "orphan:1")
    db.session.commit()
    (row,) = _rows()
    assert row.status == OutboxStatus.DEAD
    assert "no handler" in row.last_error


def test_a_sent_row_is_never_delivered_again(app, calls):
    message_id = enqueue("probe", {"n": 1}, "probe:once")
    db.session.commit()
    assert deliver(message_id).status == "skipped"
    assert deliver(message_id + 1000).status == "skipped"
    assert calls == [{"n": 1}]


def test_prune_forgets_old_sent_rows_only(app, calls):
    enqueue("probe", {"n": 1}, "probe:old")
    db.session.commit()
    calls.fail = ConnectionError("down")
    enqueue("probe", {"n": 2}, "probe:waiting")
    db.session.commit()
    assert prune(utcnow() + timedelta(days=29)) == (0, 0)
    assert prune(utcnow() + timedelta(days=31)) == (1, 0)
    assert [m.dedupe_key for m in _rows()] == ["probe:waiting"]


@pytest.mark.postgres
def test_two_workers_never_deliver_one_row_at_once(app, database_url):
    if not is_postgres(app):
        pytest.skip("row locks need PostgreSQL (SQLite has no FOR UPDATE SKIP LOCKED)")
    from shop import create_app

    started, calls = threading.Event(), []

    def slow(payload: dict) -> None:
        if payload["n"] == 0:
            raise ConnectionError("the first attempt, at the commit, fails")
        calls.append(payload)
        started.set()
        time.sleep(1)

    register_handler("slow", slow)
    message_id = enqueue("slow", {"n": 0}, "slow:1")
    db.session.commit()
    db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id == message_id).values(payload={"n": 1})
    )
    db.session.commit()
    outcomes = []

    # Built here, not in the threads: create_app is not made to run in two at once.
    apps = [create_app({"SQLALCHEMY_DATABASE_URI": database_url}) for _ in range(2)]

    def worker(wait_first: bool) -> None:
        worker_app = apps[1 if wait_first else 0]
        with worker_app.app_context():
            if wait_first:
                started.wait(10)
            outcomes.append(deliver(message_id).status)
            db.session.remove()
            db.engine.dispose()

    threads = [threading.Thread(target=worker, args=(i == 1,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["sent", "skipped"]
    assert calls == [{"n": 1}]
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
