"""Fixtures in the flaskr shape: app, client, runner, login helpers, factories.

The database is chosen by DATABASE_URL: a throw-away SQLite file by default, the
PostgreSQL server when it names one (CI). The schema is built once per session by
the migrations (never by create_all); each test then starts from empty tables
(the reference tables of localities and the product taxonomy stay).
"""

import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from config import _database_url
from shop import create_app
from shop.extensions import cache, db, limiter
from tests import factories


@pytest.fixture(autouse=True)
def no_server_errors(request):
    """Fail any test during which any app of this process answered a 5xx or met
    an unhandled exception (test client and live servers alike), unless the test
    is marked ``allow_5xx``: a test must never pass over a server error."""
    from flask import got_request_exception, request_finished

    seen: list[str] = []

    def finished(sender, response, **extra):
        if response.status_code >= 500:
            from flask import request as req

            seen.append(f"{response.status_code} {req.method} {req.path}")

    def exception(sender, exception, **extra):
        from flask import request as req

        seen.append(f"unhandled {type(exception).__name__} on {req.method} {req.path}")

    request_finished.connect(finished)
    got_request_exception.connect(exception)
    yield seen
    request_finished.disconnect(finished)
    got_request_exception.disconnect(exception)
    if seen and request.node.get_closest_marker("allow_5xx") is None:
        pytest.fail("server errors during the test: " + "; ".join(seen[:10]), pytrace=False)


REFERENCE_TABLES = {"provinces", "wards", "industries", "product_sets", "alembic_version"}
PASSWORD = factories.PASSWORD


def _test_database_url(tmp_dir: Path) -> str:
    if os.environ.get("DATABASE_URL"):
        url = _database_url()
        name = make_url(url).database or ""
        if url.startswith("postgresql") and not re.search(r"test", name):
            raise RuntimeError(f"refusing to run tests on database {name!r}: its name lacks 'test'")
        return url
    return f"sqlite:///{tmp_dir / 'test.db'}"


def is_postgres(app) -> bool:
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")


def _xdist_worker() -> str | None:
    """The pytest-xdist worker running this process ("gw0", "gw1", ...), None when
    the suite runs in one process (``-n 0``, ``-p no:xdist``)."""
    return os.environ.get("PYTEST_XDIST_WORKER")


def _server_database(url: str, statement: str) -> None:
    """CREATE or DROP DATABASE, run on the server's ``postgres`` database
    (neither may run inside a transaction nor on the database itself)."""
    engine = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(statement))
    finally:
        engine.dispose()


@contextmanager
def _worker_database(url: str, worker: str | None) -> Iterator[str]:
    """The database this process tests on. Parallel workers each get a PostgreSQL
    database of their own, ``<name>_<worker>``, created on the same server and
    dropped at the end; SQLite files already live in each worker's own tmp dir."""
    if worker is None or not url.startswith("postgresql"):
        yield url
        return
    own = make_url(url)
    own = own.set(database=f"{own.database}_{worker}")
    name = own.database
    engine = create_engine(own.set(database="postgres"))
    with engine.connect() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
    engine.dispose()
    if not exists:
        _server_database(url, f'CREATE DATABASE "{name}"')
    try:
        yield own.render_as_string(hide_password=False)
    finally:
        _server_database(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    base = _test_database_url(tmp_path_factory.mktemp("db"))
    with _worker_database(base, _xdist_worker()) as url:
        _migrate(url)
        yield url


def _migrate(url: str) -> None:
    """The schema by the migrations, on an empty database, and the localities."""
    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        from shop.localities.services import load_localities

        load_localities()
        db.session.commit()
        db.engine.dispose()


class FreshContextClient(FlaskClient):
    """Each request gets its own app context, as it would in a server.

    The ``app`` fixture keeps a context pushed for factories and assertions; a
    request sharing it would share ``g`` (Flask-Login's cached user, Babel's
    locale) and the database session with the test and with earlier requests.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def app(database_url, tmp_path):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "WTF_CSRF_ENABLED": False,
            "UPLOAD_FOLDER": str(tmp_path / "uploads"),
            "MAIL_FILE_DIR": str(tmp_path / "mail"),
            "SERVER_NAME": None,
        }
    )
    app.test_client_class = FreshContextClient
    with app.app_context():
        limiter.reset()
        yield app
        db.session.remove()
        _empty_tables()
        db.engine.dispose()


def _empty_tables() -> None:
    tables = [t for t in reversed(db.metadata.sorted_tables) if t.name not in REFERENCE_TABLES]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(t.name for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


@pytest.fixture
def count_queries(app):
    """The SQL statements run while the test goes on (to catch N+1 queries)."""
    from sqlalchemy import event

    statements = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    yield statements
    event.remove(db.engine, "before_cursor_execute", before)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, email, password=PASSWORD, **extra):
        return self._client.post("/login", data={"email": email, "password": password, **extra})

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def make_user(app):
    return factories.make_user


@pytest.fixture
def make_producer(app):
    return factories.make_producer


@pytest.fixture
def make_product(app):
    return factories.make_product


@pytest.fixture
def make_listed(app):
    return factories.make_listed


@pytest.fixture
def make_certificate(app):
    return factories.make_certificate


@pytest.fixture
def staff(app):
    from shop.auth.models import Role

    return factories.make_user(email="staff@example.vn", role=Role.STAFF)


class LiveServer(str):
    """The base URL, with the served app (its mail outbox, its config) attached."""

    def __new__(cls, url: str, app):
        self = super().__new__(cls, url)
        self.app = app
        return self


@pytest.fixture
def live_server(app, database_url):
    """The app served by a real threaded server (browsers, webhooks, races)."""
    server_app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "UPLOAD_FOLDER": app.config["UPLOAD_FOLDER"],
            "WTF_CSRF_ENABLED": True,  # the browser goes through the real forms
            # 200 racing buyers share 15 pooled connections: on a loaded machine (CI
            # beside other work) a wait of 10 s for one can run out; the races test the
            # stock, not the pool's latency.
            "SQLALCHEMY_ENGINE_OPTIONS": {
                **app.config["SQLALCHEMY_ENGINE_OPTIONS"],
                "pool_timeout": 60,
            },
            **{k: v for k, v in app.config.items() if k.startswith(("STRIPE_", "RATELIMIT_"))},
        }
    )
    server = make_server("127.0.0.1", 0, server_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(f"http://127.0.0.1:{server.server_port}", server_app)
    server.shutdown()
    thread.join(timeout=5)
    with server_app.app_context():
        from shop.extensions import db

        db.engine.dispose()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def localstripe():
    """localstripe (PyPI), a fake but stateful Stripe server, on a free port."""
    import requests

    port = _free_port()
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and a fixed module
        [sys.executable, "-m", "localstripe", "--port", str(port), "--from-scratch"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            requests.get(f"{url}/js.stripe.com/v3/", timeout=1)
            break
        except requests.ConnectionError:
            if process.poll() is not None:
                raise RuntimeError("localstripe did not start") from None
            time.sleep(0.1)
    yield url
    process.terminate()
    process.wait(timeout=10)


WEBHOOK_SECRET = "whsec_test_ocop"


@pytest.fixture
def stripe_app(app, localstripe):
    """The app talking to localstripe; its data is flushed for each test."""
    import requests

    requests.delete(f"{localstripe}/_config/data", timeout=5)
    app.config.update(
        STRIPE_API_BASE=localstripe,
        STRIPE_JS_URL=f"{localstripe}/js.stripe.com/v3/",
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
    )
    app.extensions.pop("stripe_client", None)
    return app


@pytest.fixture
def cached_app(app):
    """The app with a real cache (tests use NullCache otherwise)."""
    app.config.update(CACHE_TYPE="SimpleCache", CACHE_DEFAULT_TIMEOUT=300)
    cache.init_app(app)
    yield app
    cache.clear()
