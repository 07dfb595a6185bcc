"""A real Celery worker process (``celery -A shop.worker worker``) against a
real broker delivers what a commit handed over, to a real SMTP server, and
retries through Celery while SMTP is down. Skipped, saying why, when the broker
is not running on this machine."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from shop import create_app
from shop.extensions import db
from shop.jobs.models import OutboxMessage, OutboxStatus
from shop.mail import send_mail

ROOT = Path(__file__).resolve().parents[2]
REDIS = "redis://127.0.0.1:6379/7"  # a database of its own: nothing else's queue
RABBITMQ = "amqp://guest:guest@127.0.0.1:5672//"


def _unreachable(url: str) -> str | None:
    from kombu import Connection

    try:
        with Connection(url, connect_timeout=1) as connection:
            connection.ensure_connection(max_retries=1)
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


@pytest.fixture(params=[REDIS, RABBITMQ], ids=["redis", "rabbitmq"])
def broker_url(request):
    problem = _unreachable(request.param)
    if problem:
        pytest.skip(f"broker {request.param} is not reachable ({problem})")
    return request.param


@pytest.fixture
def queue(broker_url):
    """A queue of this test alone: parallel test processes (pytest-xdist) and other
    runs on the same broker never take each other's tasks."""
    from kombu import Connection

    name = f"ocop-test-{uuid.uuid4().hex[:12]}"
    yield name
    with Connection(broker_url, connect_timeout=2) as connection:
        channel = connection.default_channel
        if broker_url.startswith("redis"):  # the queue's list and Kombu's binding sets
            for key in channel.client.scan_iter(match=f"*{name}*"):
                channel.client.delete(key)
        else:
            channel.queue_delete(name)
            channel.exchange_delete(name)


@pytest.fixture
def broker_app(app, database_url, broker_url, queue, smtp_config):
    """The shop with a broker: commits hand outbox rows to the worker."""
    shop = create_app(
        {"SQLALCHEMY_DATABASE_URI": database_url, "CELERY_BROKER_URL": broker_url, **smtp_config}
    )
    shop.extensions["celery"].conf.task_default_queue = queue
    with shop.app_context():
        yield shop
        db.session.remove()
        db.engine.dispose()


class Worker:
    def __init__(self, process: subprocess.Popen, log: Path):
        self.process, self.log = process, log

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture
def worker(broker_app, database_url, broker_url, queue, smtp_sink, tmp_path):
    env = {
        **os.environ,
        "SHOP_ENV": "development",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker_url,
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_sink.port),
        "MAIL_USE_TLS": "0",
        "MAIL_TIMEOUT": "2",
        "OUTBOX_RETRY_BASE": "1",  # Celery's retries 1 s, 2 s, 4 s apart
    }
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - our interpreter, Celery's own CLI
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "shop.worker",
                "worker",
                "--queues",
                queue,
                "--pool",
                "solo",
                "--loglevel",
                "INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--hostname",
                f"test-{uuid.uuid4().hex[:8]}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        yield Worker(process, log)
        process.terminate()
        process.wait(timeout=20)
    print(log.read_text(errors="replace")[-4000:])  # shown when the test fails


def _wait_for(condition, what: str, worker: Worker, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        assert worker.process.poll() is None, "the worker exited"
        time.sleep(0.1)
    pytest.fail(f"waited {seconds}s for {what}")


def _row(message_id: int) -> OutboxMessage:
    row = db.session.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .execution_options(populate_existing=True)
    )
    db.session.rollback()  # no read transaction held open against the worker (SQLite)
    return row


def test_the_worker_delivers_what_a_commit_handed_over(broker_app, worker, smtp_sink):
    message_id = send_mail("an@example.vn", "Chào An", "Thư qua worker", key="worker:1")
    db.session.commit()
    _wait_for(lambda: smtp_sink.received(), "the e-mail at the SMTP server", worker)
    _wait_for(lambda: _row(message_id).status == OutboxStatus.SENT, "the row sent", worker)
    (received,) = smtp_sink.received()
    assert (received["To"], received["Subject"]) == ("an@example.vn", "Chào An")
    assert received["Message-ID"] == _row(message_id).payload["message_id"]
    assert _row(message_id).attempts == 1
    # Delivered by the worker process, not by this one after its commit.
    assert "Task shop.jobs.deliver[" in worker.output()
    assert "succeeded" in worker.output()


@pytest.mark.parametrize("broker_url", [REDIS], ids=["redis"], indirect=True)
def test_the_worker_retries_through_celery_until_smtp_is_back(broker_app, worker, smtp_sink):
    smtp_sink.stop()
    message_id = send_mail("an@example.vn", "Chào An", "Thư chờ SMTP", key="worker:retry")
    db.session.commit()
    _wait_for(lambda: _row(message_id).attempts >= 2, "two failed attempts", worker)
    assert _row(message_id).status == OutboxStatus.PENDING
    smtp_sink.start()
    # No sweeper runs here: Celery's own retry delivers it.
    _wait_for(lambda: smtp_sink.received(), "the e-mail after SMTP came back", worker)
    _wait_for(lambda: _row(message_id).status == OutboxStatus.SENT, "the row sent", worker)
    time.sleep(1)
    assert len(smtp_sink.received()) == 1
