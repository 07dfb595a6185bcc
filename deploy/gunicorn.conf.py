"""Gunicorn in production: ``gunicorn -c deploy/gunicorn.conf.py`` (the Dockerfile's
command). Command-line flags override what is set here; so do these variables:

    GUNICORN_BIND        127.0.0.1:8000 (the image: 0.0.0.0:8000); several, comma separated
    WEB_CONCURRENCY      worker processes; default two per core the process may use
    GUNICORN_THREADS     threads per worker (gthread); default 4
    GUNICORN_TIMEOUT     35 s; GUNICORN_GRACEFUL_TIMEOUT 35 s; GUNICORN_KEEPALIVE 75 s
    GUNICORN_MAX_REQUESTS  10000 (+ up to 10 % jitter), then a worker is replaced
    GUNICORN_ACCESS_LOG  unset: no access log of gunicorn's own (the app writes one
                         JSON line per request, with its request id); "-" for stdout
    FORWARDED_ALLOW_IPS  proxies whose X-Forwarded-Proto is believed (127.0.0.1,::1)
    PROMETHEUS_MULTIPROC_DIR  the workers' metrics files (emptied at start); default:
                         a new private folder under the system's temporary directory

Workers and threads: gthread, two processes per core, four threads each. The threads
let a process serve other buyers while one request waits on PostgreSQL, Redis, SMTP
or Stripe (up to STRIPE_REQUEST_BUDGET, 9 s), where a sync worker would sit idle for
that whole wait, and they keep nginx's upstream connections alive between requests
(sync workers close every connection). Two processes per core, not one: Python runs
one thread of a process at a time, and a checkout makes some thirty round trips to
PostgreSQL and Redis, each of which hands the lock over; with one process per core
bench/checkout left a fifth of the 2 cores idle (34 orders/s), with two it used them
all (45 orders/s; the same CPU per order as 5 sync workers). Each thread may hold
one pooled database connection: nodes × workers × threads must stay under
PostgreSQL's max_connections (or PgBouncer's pool).

Timeouts follow the app's own bounds: a database connect waits at most 5 s, a
statement 30 s (DB_STATEMENT_TIMEOUT_MS), a pooled connection 10 s, all Stripe calls
of a request 9 s. ``timeout`` (35 s) is above the longest request those allow, so
gunicorn only kills a worker that is wedged beyond any of them; ``graceful_timeout``
gives requests in flight the same time to finish on a reload (SIGHUP) or a stop
(SIGTERM; compose's stop_grace_period is longer still).

The access log never holds an order's guest key: an order link is
``/orders/<number>?key=<secret>`` and anyone with the secret sees the buyer's
name, phone and address, so ``key=`` is written ``key=[redacted]`` in the
request line, the query string, the Referer and every other field, and in the
error log. With LOG_FORMAT=json (the production default) gunicorn's own lines are
JSON too.
"""

import os
import tempfile
from pathlib import Path

from gunicorn.glogging import Logger

from shop.core.privacy import install_log_filter, redact_secrets


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the cores this container may use
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


wsgi_app = "wsgi:app"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
worker_class = "gthread"
workers = _env_int("WEB_CONCURRENCY", 2 * _cores())
threads = _env_int("GUNICORN_THREADS", 4)
timeout = _env_int("GUNICORN_TIMEOUT", 35)
graceful_timeout = _env_int("GUNICORN_GRACEFUL_TIMEOUT", 35)
# Longer than nginx's upstream keepalive_timeout (60 s): nginx closes an idle
# connection first, so it never reuses one that gunicorn is closing (a 502).
keepalive = _env_int("GUNICORN_KEEPALIVE", 75)
# Replace each worker after this many requests, staggered so they do not all restart
# at once: a slow leak in a library costs memory for hours, not for weeks. Not much
# sooner: a new worker spends about a second of CPU building the app.
max_requests = _env_int("GUNICORN_MAX_REQUESTS", 10000)
max_requests_jitter = max_requests // 10
# Each worker builds its own app after the fork: no database connection or Redis
# socket is shared between processes, and SIGHUP loads new code.
preload_app = False
# The heartbeat file in memory: a container's overlay disk can stall it (gunicorn
# makes it with mkstemp, private to the worker).
SHM = Path("/dev/shm")  # noqa: S108
worker_tmp_dir = str(SHM) if SHM.is_dir() else None
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
proc_name = "ocop-web"

accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"  # stderr, for the service manager's journal or the container's log
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")


def _json_logs() -> bool:
    fmt = os.environ.get("LOG_FORMAT") or (
        "json" if os.environ.get("SHOP_ENV") == "production" else "text"
    )
    return fmt == "json"


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {k: redact_secrets(v) if isinstance(v, str) else v for k, v in atoms.items()}

    def setup(self, cfg):
        super().setup(cfg)
        # "Error handling request /orders/...?key=..." goes to the error log.
        install_log_filter(self.error_log)
        if _json_logs():
            from shop.observability import JsonFormatter

            for handler in (*self.error_log.handlers, *self.access_log.handlers):
                handler.setFormatter(JsonFormatter())


logger_class = RedactingLogger


# -- Prometheus multiprocess mode -------------------------------------------------------
# Each worker writes its metrics to files in PROMETHEUS_MULTIPROC_DIR and /metrics adds
# them up (shop/observability.py); without it a scrape would see one worker's counts.
# So it is always on under gunicorn: a fresh private folder unless the variable names
# one (set here, before any worker imports prometheus_client; a reload keeps it).
# Files of an earlier run in a named folder would be added too: it is emptied when
# the master starts.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="ocop-metrics-")


def on_starting(server):
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        path = Path(folder)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):  # prometheus_client's files, nothing else
            stale.unlink()


def child_exit(server, worker):
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
        fold_dead_worker(Path(folder), worker.pid)


def fold_dead_worker(folder: Path, pid: int) -> None:
    """Add a dead worker's counts to one archive file per type, then remove its files.

    Each worker writes files of its own, and max_requests replaces workers all day:
    without this the folder would gain two files per replaced worker and every scrape
    would read them all. Counters and histograms only add up, so their sums survive;
    a scrape that lands between the two steps sees the worker's counts twice or not
    at all for that instant. Runs in the master, the archive's only writer.
    """
    from prometheus_client.mmap_dict import MmapedDict

    for kind in ("counter", "histogram", "summary"):
        dead = folder / f"{kind}_{pid}.db"
        if not dead.exists():
            continue
        archive = MmapedDict(str(folder / f"{kind}_archive.db"))
        try:
            for key, value, timestamp, _ in MmapedDict.read_all_values_from_file(str(dead)):
                total, _ = archive.read_value(key)
                archive.write_value(key, total + value, timestamp)
        finally:
            archive.close()
        dead.unlink()
