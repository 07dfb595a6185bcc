"""Dependencies that misbehave (issue 10): a database that hangs is a quick 503, a
Redis that is down or hung costs nothing but the cache, /readyz names each one,
and a path or query that is not NUL-free UTF-8 is a 400.

The peers are real sockets: a "dead" service is a closed loopback port, a "hung"
one a loopback socket that accepts connections and never answers.
"""

import gc
import http.client
import logging
import os
import secrets
import threading
import time
import warnings
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote_to_bytes

import pytest
import redis
from sqlalchemy import select, text

from shop import create_app
from shop.core.resilience import TolerantRedisCache, postgres_timeouts
from shop.extensions import cache, db, limiter
from shop.orders.models import Order
from tests import peers
from tests.conftest import is_postgres
from tests.orders.helpers import checkout_form

UNAVAILABLE = "Dịch vụ tạm thời gián đoạn"
TOLERANT_CACHE = "shop.core.resilience.TolerantRedisCache"
# A functional bound (a buyer gets an answer, a worker is freed), not a benchmark.
DB_OUTAGE_BOUND = 8.0  # seconds, with a 2 s connect timeout


@pytest.fixture
def hung_port():
    server = peers.HungServer()
    yield server
    server.close()


@pytest.fixture
def closed_port():
    """A loopback port nothing listens on (connections are refused at once)."""
    return peers.closed_port()


@pytest.fixture(autouse=True)
def limiter_starts_on_its_storage():
    """Flask-Limiter keeps "storage is down" on its one object, which every app of
    the process shares: an outage seen here must not send later apps to memory."""
    limiter._storage_dead = False
    yield
    limiter._storage_dead = False


@pytest.fixture
def warnings_logged(caplog):
    """The warnings of the shop and of Flask-Limiter. Alembic's fileConfig (run by
    the schema fixture) disables every logger that exists by then."""
    loggers = [logging.getLogger("shop"), limiter.logger]
    were = [logger.disabled for logger in loggers]
    for logger in loggers:
        logger.disabled = False
    caplog.set_level(logging.WARNING)
    yield caplog
    for logger, was in zip(loggers, were, strict=True):
        logger.disabled = was


@pytest.fixture
def make_app(app, database_url, tmp_path):
    """Another app on the test database, configured by the test; the ``app``
    fixture's context stays for factories and for emptying the tables."""
    built = []

    def make(**config):
        other = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": database_url,
                "WTF_CSRF_ENABLED": False,
                "UPLOAD_FOLDER": str(tmp_path / "uploads"),
                "MAIL_FILE_DIR": str(tmp_path / "mail"),
                "SERVER_NAME": None,
                **config,
            }
        )
        built.append(other)
        return other

    yield make
    for other in built:
        with other.app_context():
            db.engine.dispose()
            client = getattr(other.extensions["cache"][cache], "_write_client", None)
            if client is not None:
                client.close()
    # A request cut short by an outage on purpose (a hung peer, an exhausted pool) may
    # leave a driver connection that only the garbage collector closes. Collect it here,
    # where it was made, instead of letting its ResourceWarning fail whichever test the
    # collector happens to run in next.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


def redis_config(url: str, **extra) -> dict:
    """What REDIS_URL=url sets up in production (the test config turns it off)."""
    return {
        "REDIS_URL": url,
        "RATELIMIT_STORAGE_URI": url,
        "CACHE_TYPE": TOLERANT_CACHE,
        "CACHE_REDIS_URL": url,
        **extra,
    }


# -- PostgreSQL: bounded waits and a 503 ------------------------------------------------


def test_postgres_engines_get_the_configured_timeouts():
    config = {"DB_CONNECT_TIMEOUT": 2, "DB_STATEMENT_TIMEOUT_MS": 1500, "DB_POOL_TIMEOUT": 4}
    options = {"url": "postgresql+psycopg://shop@db.internal/shop"}
    postgres_timeouts(options, config)
    assert options["connect_args"] == {
        "connect_timeout": 2,
        "options": "-c statement_timeout=1500",
    }
    assert options["pool_timeout"] == 4

    explicit = {
        "url": "postgresql+psycopg://shop@db/shop?connect_timeout=9&options=-c%20work_mem%3D8MB",
        "pool_timeout": 1,
    }
    postgres_timeouts(explicit, config)
    assert explicit["connect_args"] == {}  # the URL's own settings win
    assert explicit["pool_timeout"] == 1

    no_statement_timeout = {"url": "postgresql+psycopg://shop@pgbouncer/shop"}
    postgres_timeouts(no_statement_timeout, {**config, "DB_STATEMENT_TIMEOUT_MS": 0})
    assert "options" not in no_statement_timeout["connect_args"]

    sqlite = {"url": "sqlite:///x.db"}
    postgres_timeouts(sqlite, config)
    assert sqlite == {"url": "sqlite:///x.db"}


@pytest.fixture
def hung_database_app(hung_port):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"postgresql+psycopg://x@127.0.0.1:{hung_port.port}/test",
            "DB_CONNECT_TIMEOUT": 2,
        }
    )
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.mark.allow_5xx
def test_a_hung_database_is_a_quick_503_page(hung_database_app, warnings_logged):
    client = hung_database_app.test_client()
    start = time.monotonic()
    response = client.get("/")
    elapsed = time.monotonic() - start
    assert response.status_code == 503
    assert elapsed < DB_OUTAGE_BOUND, f"503 after {elapsed:.1f} s"
    assert response.headers["Retry-After"] == "30"
    page = response.get_data(as_text=True)
    assert UNAVAILABLE in page
    assert "ConnectionTimeout" not in page  # no technical detail for buyers
    assert any("database unavailable on GET /" in r.message for r in warnings_logged.records)


@pytest.mark.allow_5xx
def test_a_hung_database_is_a_json_503_for_the_api(hung_database_app):
    response = hung_database_app.test_client().get("/api/v1/verify/ABC123")
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == 503
    assert UNAVAILABLE in response.get_json()["error"]["message"]


@pytest.mark.allow_5xx
def test_the_outage_page_does_not_ask_the_database_again(hung_database_app, hung_port):
    """A signed-in buyer: loading the user fails, and the page must not load it
    again (base.html would, after another connect timeout)."""
    client = hung_database_app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "1"
    response = client.get("/cart")
    assert response.status_code == 503
    assert UNAVAILABLE in response.get_data(as_text=True)
    assert len(hung_port.accepted) == 1


@pytest.mark.allow_5xx
def test_readyz_is_503_when_the_database_hangs(hung_database_app):
    start = time.monotonic()
    response = hung_database_app.test_client().get("/readyz")
    elapsed = time.monotonic() - start
    assert response.status_code == 503
    assert elapsed < DB_OUTAGE_BOUND, f"503 after {elapsed:.1f} s"
    assert response.get_json() == {
        "status": "error",
        "database": "unavailable",
        "redis": "not configured",
        "stripe": "not checked",
        "broker": "not configured",
        "storage": "ok",
    }


@pytest.mark.allow_5xx
def test_no_pooled_connection_in_time_is_a_503(make_app, make_listed):
    """Precedence over the catch-all, which re-raises under tests: a 503, not an error."""
    make_listed()
    other = make_app(
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 1, "max_overflow": 0, "pool_timeout": 0.2}
    )
    with other.app_context():
        held = db.engine.connect()  # the pool's only connection
    try:
        response = other.test_client().get("/products")
    finally:
        held.close()
    assert response.status_code == 503
    assert UNAVAILABLE in response.get_data(as_text=True)
    assert other.test_client().get("/products").status_code == 200  # back once it is free


@pytest.mark.postgres
@pytest.mark.allow_5xx
def test_a_statement_past_the_timeout_is_cancelled_and_a_503(app, make_app):
    if not is_postgres(app):
        pytest.skip("the statement timeout is PostgreSQL's (DATABASE_URL=postgresql://...)")
    other = make_app(DB_STATEMENT_TIMEOUT_MS=300)

    @other.get("/_slow")
    def slow():
        db.session.execute(text("SELECT pg_sleep(5)"))
        return "done"

    with other.app_context():
        assert db.session.scalar(text("SHOW statement_timeout")) == "300ms"
        db.session.remove()
    start = time.monotonic()
    response = other.test_client().get("/_slow")
    assert response.status_code == 503
    assert time.monotonic() - start < 3
    assert other.test_client().get("/readyz").status_code == 200  # the next request is fine


@pytest.mark.postgres
def test_the_connect_timeout_reaches_postgres(app, make_app):
    if not is_postgres(app):
        pytest.skip("needs the PostgreSQL server (DATABASE_URL=postgresql://...)")
    other = make_app(DB_CONNECT_TIMEOUT=3)
    with other.app_context():
        connection = db.session.connection().connection.driver_connection
        assert connection.info.get_parameters()["connect_timeout"] == "3"


# -- Redis: an outage never breaks selling ------------------------------------------


def buy_one(client, product) -> None:
    """Catalogue, product page, cart and a checkout, each answering as usual."""
    assert client.get("/").status_code == 200
    assert client.get("/products").status_code == 200
    assert client.get("/products?q=chè&stars=4").status_code == 200
    assert client.get(f"/products/{product.slug}").status_code == 200
    assert (
        client.post("/cart/add", data={"product_id": product.id, "quantity": 2}).status_code == 303
    )
    assert client.get("/cart").status_code == 200
    total = client.get("/cart.json").get_json()["total_price"]
    response = client.post("/checkout", data=checkout_form(total))
    assert response.status_code == 303
    assert "/orders/DH" in response.headers["Location"]
    assert client.get(response.headers["Location"]).status_code == 200


def test_a_dead_redis_does_not_stop_selling(make_app, make_listed, closed_port, warnings_logged):
    tea = make_listed("Chè Shan Tuyết", stock=10)
    other = make_app(**redis_config(f"redis://127.0.0.1:{closed_port}/0"))
    buy_one(other.test_client(), tea)
    assert db.session.scalar(select(Order)) is not None
    messages = [r.getMessage() for r in warnings_logged.records]
    assert any("cache: Redis unavailable" in m for m in messages)
    assert any("falling back to in-memory storage" in m for m in messages)


def test_a_hung_redis_does_not_stop_selling(make_app, make_listed, hung_port, warnings_logged):
    tea = make_listed("Chè Shan Tuyết", stock=10)
    other = make_app(**redis_config(f"redis://127.0.0.1:{hung_port.port}/0"))
    start = time.monotonic()
    buy_one(other.test_client(), tea)
    # A functional bound: a few 0.5 s socket timeouts, not one per cache lookup.
    assert time.monotonic() - start < 10
    assert db.session.scalar(select(Order)) is not None
    assert any("cache: Redis unavailable" in r.getMessage() for r in warnings_logged.records)


def test_limits_hold_in_memory_while_redis_is_down(make_app, closed_port):
    other = make_app(
        **redis_config(f"redis://127.0.0.1:{closed_port}/0", CHECKOUT_RATE_LIMIT="2 per minute")
    )
    client = other.test_client()
    statuses = [client.post("/checkout", data={}).status_code for _ in range(3)]
    assert 429 not in statuses[:2]
    assert statuses[2] == 429


def test_the_cache_leaves_a_hung_redis_alone_after_an_error(app, hung_port, warnings_logged):
    client = redis.Redis.from_url(
        f"redis://127.0.0.1:{hung_port.port}/0", socket_connect_timeout=0.3, socket_timeout=0.3
    )
    tolerant = TolerantRedisCache(client, key_prefix="t:", retry_after=60)
    try:
        assert tolerant.get("a") is None  # one socket timeout
        assert tolerant.set("a", 1) is False  # paused: no second wait
        assert tolerant.get_many("a", "b") == [None, None]
        assert tolerant.get_dict("a") == {"a": None}
        assert tolerant.has("a") is False
        assert tolerant.delete("a") is False
        assert tolerant.inc("n") is None
    finally:
        client.close()
    assert len(hung_port.accepted) == 1
    warnings = [r for r in warnings_logged.records if "cache: Redis" in r.getMessage()]
    assert len(warnings) == 1
    assert warnings[0].levelno == logging.WARNING


REDIS_TEST_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


@pytest.fixture
def real_redis():
    """The Redis server, under key prefixes of this test alone (removed afterwards)."""
    client = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        client.close()
        pytest.skip(f"no Redis at {REDIS_TEST_URL} (set TEST_REDIS_URL)")
    prefix = f"ocop-test-{secrets.token_hex(6)}"
    yield client, prefix
    for key in client.scan_iter(match=f"*{prefix}*"):
        client.delete(key)
    client.close()


def test_caching_and_limits_use_a_working_redis(make_app, make_listed, real_redis):
    client, prefix = real_redis
    make_listed("Chè Shan Tuyết")
    other = make_app(
        **redis_config(
            REDIS_TEST_URL,
            CACHE_KEY_PREFIX=f"{prefix}:",
            RATELIMIT_KEY_PREFIX=prefix,
            CHECKOUT_RATE_LIMIT="2 per minute",
        )
    )
    browser = other.test_client()
    assert browser.get("/products").status_code == 200
    cached = sorted(k.decode() for k in client.scan_iter(match=f"{prefix}:*"))
    assert any(k.startswith(f"{prefix}:catalog-summary:") for k in cached)
    assert any(k.startswith(f"{prefix}:catalog-filters:") for k in cached)
    with other.app_context():
        summary_key = next(k for k in cached if "catalog-summary" in k)[len(prefix) + 1 :]
        assert cache.get(summary_key).total == 1

    statuses = [browser.post("/checkout", data={}).status_code for _ in range(3)]
    assert statuses[-1] == 429
    assert 429 not in statuses[:-1]
    assert any(b"checkout-session" in k for k in client.scan_iter(match=f"*{prefix}*"))
    assert browser.get("/readyz").get_json()["redis"] == "ok"


# -- /readyz ---------------------------------------------------------------------------


def test_readyz_reports_each_dependency(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ok",
        "database": "ok",
        "redis": "not configured",
        "stripe": "not checked",
        "broker": "not configured",
        "storage": "ok",
    }


def test_readyz_is_degraded_but_200_without_redis(make_app, closed_port):
    other = make_app(**redis_config(f"redis://127.0.0.1:{closed_port}/0"))
    response = other.test_client().get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "degraded",
        "database": "ok",
        "redis": "unavailable",
        "stripe": "not checked",
        "broker": "not configured",
        "storage": "ok",
    }


class _AnyAnswer(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def http_peer():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _AnyAnswer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_readyz_checks_stripe_only_when_asked(app, client, http_peer, closed_port, hung_port):
    app.config["STRIPE_API_BASE"] = http_peer
    assert client.get("/readyz").get_json()["stripe"] == "not checked"
    answer = client.get("/readyz?stripe=1")
    assert answer.status_code == 200
    assert answer.get_json()["stripe"] == "ok"  # any HTTP answer: reachable

    app.config["STRIPE_API_BASE"] = f"http://127.0.0.1:{closed_port}"
    answer = client.get("/readyz?stripe=1")
    assert (answer.status_code, answer.get_json()["status"]) == (200, "degraded")
    assert answer.get_json()["stripe"] == "unavailable"

    app.config["STRIPE_API_BASE"] = f"http://127.0.0.1:{hung_port.port}"
    app.config["READYZ_CHECK_STRIPE"] = True
    start = time.monotonic()
    answer = client.get("/readyz")
    assert answer.get_json()["stripe"] == "unavailable"
    assert time.monotonic() - start < 5  # the 2 s timeout, not the prober's


# -- Paths and query strings that are not NUL-free UTF-8 ------------------------------

ROUTES = ["/", "/p/{}", "/products/{}", "/static/{}", "/orders/{}", "/api/v1/verify/{}", "/x/{}"]
BAD = ["%00", "%C0%AF", "%FF", "ch%E8"]


def _path_info(path: str) -> str:
    """PATH_INFO as gunicorn hands it over: percent-decoded bytes, as latin-1."""
    return unquote_to_bytes(path).decode("latin-1")


@pytest.mark.parametrize("bad", BAD)
@pytest.mark.parametrize("route", ROUTES)
def test_a_bad_byte_in_the_path_is_a_400(client, route, bad):
    path = route.format(bad) if "{}" in route else route + bad
    # The test client keeps the byte in RAW_URI (its PATH_INFO has U+FFFD instead,
    # as Werkzeug's server does); a server like gunicorn keeps it in PATH_INFO.
    for response in (
        client.get(path),
        client.get("/", environ_overrides={"PATH_INFO": _path_info(path)}),
    ):
        assert response.status_code == 400
        if path.startswith("/api/"):
            assert response.get_json()["error"]["code"] == 400


@pytest.mark.parametrize("query", ["q=%FF", "q=%C0%AF", "q=ch%E8", "page=1&q=%00"])
def test_a_bad_byte_in_the_query_string_is_a_400(client, query):
    assert client.get(f"/products?{query}").status_code == 400


def test_vietnamese_in_paths_and_queries_is_welcome(client, make_listed):
    tea = make_listed("Chè Shan Tuyết")
    assert client.get("/products?q=Ch%C3%A8").status_code == 200
    assert client.get("/products?q=Chè+Shan").status_code == 200
    assert client.get(f"/products/{tea.slug}").status_code == 200
    assert client.get("/products/ch%C3%A8-kh%C3%B4ng-c%C3%B3").status_code == 404


@pytest.mark.parametrize(
    ("target", "status"),
    [
        ("/products/%FF", 400),
        ("/static/%C0%AF", 400),
        ("/orders/DH%00", 400),
        ("/products?q=%FF", 400),
        ("/products/ch%C3%A8", 404),
    ],
)
def test_a_real_server_sends_bad_bytes_to_the_same_400(live_server, target, status):
    """What Werkzeug's server (like gunicorn) puts in PATH_INFO, end to end."""
    host, port = live_server.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.request("GET", target)
        assert connection.getresponse().status == status
    finally:
        connection.close()
