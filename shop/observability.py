"""What a running shop shows its operators: logs, request ids, metrics, error reports.

- **Request id.** Each request has one: ``X-Request-ID`` from the proxy when it is a
  sane token (nginx sends ``$request_id``), else a new random one. It is echoed in the
  response and written in every log line and Sentry event of the request.
- **Logs.** With ``LOG_FORMAT=json`` (the production default) every log record is one
  JSON object per line on stderr: ``time``, ``level``, ``logger``, ``message``, and
  during a request ``request_id``, ``method``, ``path``; the line that ends a request
  (logger ``shop.request``) adds ``endpoint``, ``status`` and ``duration_ms``. The
  guest-key redaction of ``shop/core/privacy.py`` applies to every line.
- **Metrics** at ``/metrics`` (Prometheus text format, prometheus_client): request
  latency per Flask endpoint (never the raw path: one label value per route, not one
  per product), orders placed by payment method, payments by method and outcome, and,
  read from the database at scrape time, the outbox backlog and job failures. Under
  gunicorn with ``PROMETHEUS_MULTIPROC_DIR`` set the workers' counts are added up
  (``deploy/gunicorn.conf.py`` wipes the folder at start and marks dead workers).
  ``/metrics`` answers only ``METRICS_ALLOW_IPS`` or ``Authorization: Bearer
  METRICS_TOKEN``; anyone else gets the ordinary 404.
- **Sentry** when ``SENTRY_DSN`` is set (sentry-sdk is imported only then), with the
  request id as a tag and guest keys redacted from the event.
"""

import hmac
import ipaddress
import json
import logging
import os
import re
import secrets
import time
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from flask import Flask, Response, abort, current_app, g, has_request_context, request
from flask.logging import default_handler
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily

from shop.core.privacy import RedactKeyFilter, redact_secrets

request_log = logging.getLogger("shop.request")

REQUEST_ID_HEADER = "X-Request-ID"
# A proxy's id is kept when it is a plain token: nginx's $request_id (32 hex digits),
# a UUID, a load balancer's trace id. Anything else (spaces, quotes, control
# characters, a novel) is replaced, so it cannot forge or break a log line.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:=+/-]{0,127}")
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

REQUEST_SECONDS = Histogram(
    "ocop_http_request_duration_seconds",
    "Time from the start of a request to its response, by Flask endpoint.",
    ["endpoint", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
REQUESTS = Counter(
    "ocop_http_requests",
    "Responses by Flask endpoint and status code.",
    ["endpoint", "method", "status"],
)
ORDERS_PLACED = Counter(
    "ocop_orders_placed", "Orders placed (committed), by payment method.", ["payment_method"]
)
PAYMENTS = Counter(
    "ocop_payments",
    "Money events by payment method and outcome: settled (card), recorded (bank "
    "transfer), refund_succeeded, refund_failed, refund_pending.",
    ["method", "outcome"],
)


def _never_fails(count):
    """A metric that cannot be written (a full disk under PROMETHEUS_MULTIPROC_DIR)
    is logged, never raised: it runs after an order or a payment is committed."""

    def wrapper(*args, **kwargs):
        try:
            count(*args, **kwargs)
        except Exception:
            logging.getLogger(__name__).exception("metrics: %s failed", count.__name__)

    return wrapper


def register(app: Flask) -> None:
    """Call first in ``create_app``: the request id then exists for every other
    hook, and the closing hook, run last, times the whole request."""
    configure_logging(app.config["LOG_FORMAT"], app.config["LOG_LEVEL"])
    if app.config["LOG_FORMAT"] == "json":
        app.logger.removeHandler(default_handler)  # the root handler writes JSON
    if app.config["SENTRY_DSN"]:
        init_sentry(app.config)
    app.before_request(_start_request)
    app.after_request(_finish_request)
    app.add_url_rule("/metrics", "metrics", metrics_view)
    _listen_to_commits()


# -- request id and the request's log line ------------------------------------------


def current_request_id() -> str | None:
    return g.get("request_id") if has_request_context() else None


def _start_request() -> None:
    g.request_started = time.perf_counter()
    offered = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = offered if _SANE_REQUEST_ID.fullmatch(offered) else secrets.token_hex(16)


def _finish_request(response: Response) -> Response:
    request_id = g.get("request_id") or secrets.token_hex(16)
    response.headers[REQUEST_ID_HEADER] = request_id
    seconds = time.perf_counter() - g.get("request_started", time.perf_counter())
    endpoint = request.endpoint or "none"  # none: no route matched (404, 405)
    method = request.method if request.method in _METHODS else "other"
    _observe(endpoint, method, response.status_code, seconds)
    if request_log.isEnabledFor(logging.INFO):
        request_log.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "endpoint": endpoint,
                "status": response.status_code,
                "duration_ms": round(seconds * 1000, 1),
            },
        )
    return response


@_never_fails
def _observe(endpoint: str, method: str, status: int, seconds: float) -> None:
    REQUEST_SECONDS.labels(endpoint, method).observe(seconds)
    REQUESTS.labels(endpoint, method, str(status)).inc()


# -- JSON logs -------------------------------------------------------------------------


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line; guest keys redacted."""

    EXTRA = ("endpoint", "status", "duration_ms")

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact_secrets(record.getMessage()),
        }
        if has_request_context():
            entry["request_id"] = g.get("request_id")
            entry["method"] = request.method
            entry["path"] = request.path
        for name in self.EXTRA:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.exc_info:
            entry["exception"] = redact_secrets(self.formatException(record.exc_info))
        if record.stack_info:
            entry["stack"] = redact_secrets(self.formatStack(record.stack_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


class JsonHandler(logging.StreamHandler):
    """The root handler in JSON mode. Its own redaction filter applies to records
    of every logger (a logger's filters do not see what its children propagate)."""

    def __init__(self, stream=None):
        super().__init__(stream)
        self.setFormatter(JsonFormatter())
        self.addFilter(RedactKeyFilter())


def configure_logging(log_format: str, level: str = "INFO") -> None:
    """JSON lines on the root logger, once per process (apps are built many times)."""
    if log_format != "json":
        return
    root = logging.getLogger()
    if not any(isinstance(handler, JsonHandler) for handler in root.handlers):
        root.addHandler(JsonHandler())
    root.setLevel(level.upper())


# -- metrics ---------------------------------------------------------------------------


@_never_fails
def order_placed(payment_method) -> None:
    """Count an order once its transaction is committed."""
    ORDERS_PLACED.labels(str(payment_method)).inc()


def payment(method, outcome: str) -> None:
    """Count a money event when the transaction that records it commits; a rollback
    drops it (the services flush, their caller commits)."""
    from shop.extensions import db

    db.session.info.setdefault(_PENDING_PAYMENTS, []).append((str(method), outcome))


_PENDING_PAYMENTS = "metrics_pending_payments"


@_never_fails
def _count_committed(session) -> None:
    for labels in session.info.pop(_PENDING_PAYMENTS, ()):
        PAYMENTS.labels(*labels).inc()


def _drop_uncommitted(session) -> None:
    session.info.pop(_PENDING_PAYMENTS, None)


def _listen_to_commits() -> None:
    from sqlalchemy import event

    from shop.extensions import db

    if not event.contains(db.session, "after_commit", _count_committed):
        event.listen(db.session, "after_commit", _count_committed)
        event.listen(db.session, "after_rollback", _drop_uncommitted)


class _DefaultRegistry:
    """The process's own registry, for one scrape (single-process servers)."""

    def collect(self):
        return REGISTRY.collect()


class BacklogCollector:
    """Outbox and periodic-job figures, counted in the database at scrape time, so
    every node reports the same shared numbers. The tables belong to shop/jobs;
    a database without them (an older schema) reports nothing."""

    def collect(self):
        from sqlalchemy import func, select
        from sqlalchemy.exc import SQLAlchemyError

        from shop.extensions import db

        try:
            from shop.jobs.models import JobRun, JobRunStatus, OutboxMessage, OutboxStatus
        except ImportError:
            return
        try:
            with db.engine.connect() as connection:
                counts = dict(
                    connection.execute(
                        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
                    ).all()
                )
                retrying = connection.scalar(
                    select(func.count()).where(
                        OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.attempts > 0
                    )
                )
                oldest = connection.scalar(
                    select(func.min(OutboxMessage.created_at)).where(
                        OutboxMessage.status == OutboxStatus.PENDING
                    )
                )
                failed_jobs = connection.execute(
                    select(JobRun.job, func.count())
                    .where(JobRun.status == JobRunStatus.FAILED)
                    .group_by(JobRun.job)
                ).all()
        except SQLAlchemyError as error:
            current_app.logger.warning("metrics: outbox figures unavailable: %s", error)
            return
        yield GaugeMetricFamily(
            "ocop_outbox_backlog",
            "Outbox effects (e-mails, notices) waiting for delivery.",
            value=counts.get(OutboxStatus.PENDING, 0),
        )
        yield GaugeMetricFamily(
            "ocop_outbox_retrying",
            "Waiting outbox effects whose delivery has failed at least once.",
            value=retrying or 0,
        )
        yield GaugeMetricFamily(
            "ocop_outbox_dead",
            "Outbox effects given up after their last attempt (staff look at /staff/outbox).",
            value=counts.get(OutboxStatus.DEAD, 0),
        )
        age = 0.0
        if oldest is not None:
            if oldest.tzinfo is None:  # SQLite hands back naive UTC
                oldest = oldest.replace(tzinfo=UTC)
            age = max((datetime.now(UTC) - oldest).total_seconds(), 0.0)
        yield GaugeMetricFamily(
            "ocop_outbox_oldest_pending_seconds",
            "Age of the oldest waiting outbox effect (0 when none waits).",
            value=age,
        )
        failures = GaugeMetricFamily(
            "ocop_job_failures",
            "Periodic job runs whose last attempt failed, by job.",
            labels=["job"],
        )
        for job, count in failed_jobs:
            failures.add_metric([job], count)
        yield failures


def scrape() -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_DefaultRegistry())
    registry.register(BacklogCollector())
    for attempt in range(3):
        try:
            return generate_latest(registry)
        except FileNotFoundError:  # a dead worker's file folded away mid-scrape (gunicorn)
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


@lru_cache(maxsize=8)
def _networks(allowed: str) -> tuple:
    return tuple(
        ipaddress.ip_network(part.strip(), strict=False)
        for part in allowed.replace(" ", ",").split(",")
        if part.strip()
    )


def _address_allowed(address: str | None, networks: tuple) -> bool:
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in network for network in networks)


def metrics_allowed() -> bool:
    config = current_app.config
    token = config["METRICS_TOKEN"]
    scheme, _, offered = request.headers.get("Authorization", "").partition(" ")
    if token and scheme.lower() == "bearer" and hmac.compare_digest(offered.strip(), token):
        return True
    networks = _networks(config["METRICS_ALLOW_IPS"])
    # The peer that connected and, behind ProxyFix, the client it names must both be
    # allowed: a forged X-Forwarded-For cannot open it, nor can a visitor through nginx.
    peer = request.environ.get("werkzeug.proxy_fix.orig", {}).get("REMOTE_ADDR")
    addresses = {request.remote_addr, peer or request.remote_addr}
    return all(_address_allowed(address, networks) for address in addresses)


def metrics_view() -> Response:
    if not metrics_allowed():
        abort(404)
    response = Response(scrape(), headers={"Content-Type": CONTENT_TYPE_LATEST})
    response.headers["Cache-Control"] = "no-store"
    return response


# -- Sentry ----------------------------------------------------------------------------

_sentry_dsn: str | None = None


def init_sentry(config) -> None:
    """Once per process and DSN. No personal data by default (send_default_pii off)."""
    global _sentry_dsn
    if _sentry_dsn == config["SENTRY_DSN"]:
        return
    import sentry_sdk
    from sentry_sdk.integrations.flask import FlaskIntegration

    sentry_sdk.init(
        dsn=config["SENTRY_DSN"],
        environment=config["SENTRY_ENVIRONMENT"] or config["ENV_NAME"],
        release=config["SENTRY_RELEASE"] or None,
        traces_sample_rate=config["SENTRY_TRACES_SAMPLE_RATE"],
        send_default_pii=False,
        integrations=[FlaskIntegration()],
        before_send=scrub_event,
        before_breadcrumb=lambda crumb, hint: _redacted(crumb),
    )
    _sentry_dsn = config["SENTRY_DSN"]


def scrub_event(event: Any, hint: Any = None) -> Any:
    """The Sentry event (a dict; typed Any for sentry-sdk's TypedDict) with every
    guest key redacted (URL, query string, Referer, log messages) and the request
    id as a tag."""
    event = _redacted(event)
    query = (event.get("request") or {}).get("query_string")
    if isinstance(query, str):  # "key=…&page=2": no "?" before the first parameter
        event["request"]["query_string"] = redact_secrets("?" + query)[1:]
    request_id = current_request_id()
    if request_id:
        event.setdefault("tags", {})["request_id"] = request_id
    return event


def _redacted(value):
    if isinstance(value, str):
        return redact_secrets(value)
    if isinstance(value, dict):
        return {key: _redacted(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_redacted(item) for item in value]
    return value
