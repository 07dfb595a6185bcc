"""Background jobs: Celery in the shape of Flask's documentation, the
transactional outbox (services.py) and the periodic jobs (periodic.py).

With CELERY_BROKER_URL (default: REDIS_URL) the outbox hands rows to a worker
(``celery -A shop.worker worker``) and beat fires the periodic jobs
(``celery -A shop.worker beat``). Without a broker nothing else needs to
run: outbox rows are delivered in-process right after the commit that wrote
them, and cron runs the flask commands.
"""

from pathlib import Path

from celery import Celery, Task
from flask import Flask


def celery_init_app(app: Flask) -> Celery:
    """One Celery app per Flask app; every task runs inside an app context."""

    class FlaskTask(Task):
        def __call__(self, *args: object, **kwargs: object) -> object:
            with app.app_context():
                return self.run(*args, **kwargs)

    from shop.jobs import tasks  # noqa: F401 - registers the shared tasks
    from shop.jobs.periodic import beat_schedule
    from shop.jobs.services import install_session_hooks

    broker = app.config["CELERY_BROKER_URL"] or None
    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object(
        {
            "broker_url": broker,
            # Without a broker a stray .delay() runs here and now instead of
            # waiting for a RabbitMQ nobody started; the outbox never relies on it.
            "task_always_eager": broker is None,
            "task_ignore_result": True,
            # A worker that dies mid-task leaves the message for another one;
            # delivery is idempotent by the row's status.
            "task_acks_late": True,
            "task_reject_on_worker_lost": True,
            "worker_prefetch_multiplier": 1,
            "broker_connection_retry_on_startup": True,
            # Publishing happens after a commit, in a request: a broker that is
            # down costs a short wait, and the sweeper hands the row over later.
            "broker_connection_timeout": app.config["CELERY_BROKER_TIMEOUT"],
            "task_publish_retry_policy": {
                "max_retries": 1,
                "interval_start": 0,
                "interval_step": 0.2,
                "interval_max": 0.2,
            },
            "broker_transport_options": _transport_options(app, broker),
            "timezone": app.config["BABEL_DEFAULT_TIMEZONE"],  # crontabs in Vietnam time
            "enable_utc": True,
            "beat_schedule": beat_schedule(
                app.config["OUTBOX_SWEEP_EVERY"], app.config["JOBS_PERIOD_SECONDS"]
            ),
            "beat_schedule_filename": str(Path(app.instance_path) / "celerybeat-schedule"),
        }
    )
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    install_session_hooks()
    return celery_app


def _transport_options(app: Flask, broker: str | None) -> dict:
    if not broker or not broker.startswith(("redis://", "rediss://")):
        return {}
    timeout = app.config["CELERY_BROKER_TIMEOUT"]
    return {
        "socket_connect_timeout": timeout,
        "socket_timeout": timeout * 2,
        # Longer than any retry countdown, or Redis would hand a waiting retry
        # to a second worker (harmless, but wasted).
        "visibility_timeout": app.config["OUTBOX_RETRY_MAX"] * 4,
    }
