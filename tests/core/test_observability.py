"""Logs, request ids, /metrics, Sentry's scrubbing and /readyz's broker and storage
(issue 11). Metric values are read as deltas: prometheus_client's registry is one
per process and outlives each test's app."""

import io
import json
import logging
import re
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from prometheus_client import REGISTRY

from shop import create_app, observability
from shop.core import readiness
from shop.extensions import db
from shop.orders.models import PaymentMethod
from tests.helpers_http import assert_redirect
from tests.orders.helpers import checkout_form, order_for

ROOT = Path(__file__).resolve().parents[2]
HEX_ID = re.compile(r"[0-9a-f]{32}")


def sample(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture
def json_lines():
    """The JSON lines of the shop's loggers while the test runs (a StringIO handler)."""
    stream = io.StringIO()
    handler = observability.JsonHandler(stream)
    loggers = [logging.getLogger("shop"), logging.getLogger("shop.request")]
    saved = [(logger.level, logger.disabled) for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.disabled = False  # Alembic's fileConfig disables the loggers it finds
    loggers[1].propagate = False  # once, through this handler

    def lines() -> list[dict]:
        return [json.loads(line) for line in stream.getvalue().splitlines()]

    yield lines
    loggers[1].propagate = True
    for logger, (level, disabled) in zip(loggers, saved, strict=True):
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.disabled = disabled


# -- request id and JSON logs --------------------------------------------------------


def test_a_sane_request_id_is_kept_and_echoed(client, json_lines):
    response = client.get("/healthz", headers={"X-Request-ID": "edge-7f3a9c2e.1"})
    assert response.status_code == 200
    assert response.headers["X-Request-ID"] == "edge-7f3a9c2e.1"
    (line,) = [entry for entry in json_lines() if entry["logger"] == "shop.request"]
    assert line["request_id"] == "edge-7f3a9c2e.1"


@pytest.mark.parametrize("offered", [None, "", "two words", 'x"y', "é" * 8, "a" * 200, "-start"])
def test_a_missing_or_odd_request_id_is_replaced(client, offered):
    headers = {} if offered is None else {"X-Request-ID": offered}
    response = client.get("/healthz", headers=headers)
    assert response.status_code == 200
    assert HEX_ID.fullmatch(response.headers["X-Request-ID"])


def test_every_request_gets_its_own_id(client):
    first = client.get("/healthz").headers["X-Request-ID"]
    assert first != client.get("/healthz").headers["X-Request-ID"]


def test_a_request_ends_with_one_json_line(app, client, json_lines):
    @app.get("/_test/log")
    def noisy():
        app.logger.warning("stock low for %s", "chè")
        return "ok"

    response = client.get("/_test/log?page=2", headers={"X-Request-ID": "abc123"})
    assert response.status_code == 200
    warning, done = json_lines()
    assert set(done) == {
        "time",
        "level",
        "logger",
        "message",
        "request_id",
        "method",
        "path",
        "endpoint",
        "status",
        "duration_ms",
    }
    assert (done["level"], done["logger"], done["method"], done["path"]) == (
        "INFO",
        "shop.request",
        "GET",
        "/_test/log",
    )
    assert (done["status"], done["endpoint"], done["request_id"]) == (200, "noisy", "abc123")
    assert isinstance(done["duration_ms"], float)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", done["time"])
    # Any record written during the request carries its id, in plain UTF-8.
    assert (warning["level"], warning["message"], warning["request_id"]) == (
        "WARNING",
        "stock low for chè",
        "abc123",
    )


def test_json_lines_never_hold_a_guest_key(app, client, json_lines):
    @app.get("/_test/leak")
    def leak():
        app.logger.warning("opened /orders/DH1?key=s3cr3t-guest-key from %s", "a link")
        try:
            raise ValueError("bad link /orders/DH1?lang=vi&key=s3cr3t-guest-key")
        except ValueError:
            app.logger.exception("failed")
        return "ok"

    assert client.get("/_test/leak").status_code == 200
    text = json.dumps(json_lines())
    assert "s3cr3t-guest-key" not in text
    assert text.count("key=[redacted]") >= 2  # the message, the exception (and its source)


def test_json_mode_puts_one_handler_on_the_root_logger(database_url):
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        for _ in range(2):  # apps are built many times in one process
            create_app({"SQLALCHEMY_DATABASE_URI": database_url, "LOG_FORMAT": "json"})
        ours = [h for h in root.handlers if isinstance(h, observability.JsonHandler)]
        assert len(ours) == 1
        assert root.level == logging.INFO
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


# -- /metrics ------------------------------------------------------------------------


def test_metrics_answer_loopback(client):
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    assert response.headers["Cache-Control"] == "no-store"
    assert "# TYPE ocop_http_request_duration_seconds histogram" in response.get_data(as_text=True)


def test_metrics_are_a_404_for_anyone_else(app, client):
    outside = {"REMOTE_ADDR": "203.0.113.9"}
    assert client.get("/metrics", environ_base=outside).status_code == 404
    app.config["METRICS_TOKEN"] = "scrape-token-0123456789"
    bearer = {"Authorization": "Bearer scrape-token-0123456789"}
    assert client.get("/metrics", environ_base=outside, headers=bearer).status_code == 200
    wrong = {"Authorization": "Bearer scrape-token-01234567890"}
    assert client.get("/metrics", environ_base=outside, headers=wrong).status_code == 404
    basic = {"Authorization": "Basic scrape-token-0123456789"}
    assert client.get("/metrics", environ_base=outside, headers=basic).status_code == 404


def test_metrics_allow_configured_networks(app, client):
    app.config["METRICS_ALLOW_IPS"] = "10.0.0.0/8, 192.0.2.7"
    for address, status in [
        ("10.1.2.3", 200),
        ("192.0.2.7", 200),
        ("192.0.2.8", 404),
        ("127.0.0.1", 404),
        ("::ffff:10.1.2.3", 200),
    ]:
        response = client.get("/metrics", environ_base={"REMOTE_ADDR": address})
        assert response.status_code == status, address


def test_metrics_behind_a_proxy_need_both_addresses(database_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TRUSTED_PROXIES": 1})
    client = app.test_client()
    # A visitor through the proxy on this machine: the peer is loopback, the client not.
    through_proxy = client.get(
        "/metrics",
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
        headers={"X-Forwarded-For": "203.0.113.9"},
    )
    assert through_proxy.status_code == 404
    # Someone reaching the node directly with a forged header.
    forged = client.get(
        "/metrics",
        environ_base={"REMOTE_ADDR": "203.0.113.9"},
        headers={"X-Forwarded-For": "127.0.0.1"},
    )
    assert forged.status_code == 404
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 200
    with app.app_context():
        db.engine.dispose()


def test_latency_is_labelled_by_endpoint_not_path(client, make_listed):
    tea = make_listed("Chè Shan Tuyết", price=120_000)
    honey = make_listed("Mật ong bạc hà", price=250_000)
    before = sample(
        "ocop_http_request_duration_seconds_count",
        endpoint="storefront.product_detail",
        method="GET",
    )
    for product in (tea, honey):
        assert client.get(f"/products/{product.slug}").status_code == 200
    after = sample(
        "ocop_http_request_duration_seconds_count",
        endpoint="storefront.product_detail",
        method="GET",
    )
    assert after - before == 2
    unmatched = sample("ocop_http_requests_total", endpoint="none", method="GET", status="404")
    assert client.get("/no/such/page").status_code == 404
    assert (
        sample("ocop_http_requests_total", endpoint="none", method="GET", status="404")
        == unmatched + 1
    )
    text = client.get("/metrics").get_data(as_text=True)
    assert 'endpoint="storefront.product_detail"' in text
    assert tea.slug not in text
    assert "/products/" not in text
    assert 'le="0.05"' in text


def test_a_checkout_counts_one_order_by_payment_method(client, make_listed):
    tea = make_listed("Chè Shan Tuyết", price=120_000, stock=5)
    response = client.post("/cart/add", data={"product_id": tea.id, "quantity": 2})
    assert_redirect(response, "/cart", 303)
    total = client.get("/cart.json").get_json()["total_price"]
    before = sample("ocop_orders_placed_total", payment_method="vietqr")
    cod_before = sample("ocop_orders_placed_total", payment_method="cod")
    form = checkout_form(total, method="vietqr")
    response = client.post("/checkout", data=form)
    assert response.status_code == 303
    again = client.post("/checkout", data=form)  # the same token: the same order, not a new one
    assert again.status_code == 303
    assert sample("ocop_orders_placed_total", payment_method="vietqr") == before + 1
    assert sample("ocop_orders_placed_total", payment_method="cod") == cod_before
    text = client.get("/metrics").get_data(as_text=True)
    assert 'ocop_orders_placed_total{payment_method="vietqr"}' in text


def test_payments_count_only_what_is_committed(app, make_listed, staff):
    from shop.payments.services import record_transfer, request_refund

    tea = make_listed("Chè Shan Tuyết", price=120_000, stock=5)
    order = order_for({tea: 1}, method=PaymentMethod.VIETQR)
    recorded = {"method": "vietqr", "outcome": "recorded"}
    before = sample("ocop_payments_total", **recorded)
    record_transfer(order.id, 10_000, "FT-ROLLED-BACK", staff)
    db.session.rollback()
    assert sample("ocop_payments_total", **recorded) == before
    record_transfer(order.id, order.total_vnd, "FT26110001", staff)
    db.session.commit()
    assert sample("ocop_payments_total", **recorded) == before + 1

    refunded = {"method": "vietqr", "outcome": "refund_succeeded"}
    before = sample("ocop_payments_total", **refunded)
    request_refund(order.id, 50_000, "Hàng vỡ", staff, action_token="t" * 32)
    db.session.commit()
    assert sample("ocop_payments_total", **refunded) == before + 1


def test_outbox_backlog_and_job_failures_are_read_at_scrape_time(client):
    jobs = pytest.importorskip("shop.jobs.models")
    from datetime import timedelta

    from shop.clock import utcnow

    old = utcnow() - timedelta(minutes=10)
    db.session.add_all(
        [
            jobs.OutboxMessage(kind="mail", dedupe_key="a", payload={}, created_at=old),
            jobs.OutboxMessage(kind="mail", dedupe_key="b", payload={}, attempts=2),
            jobs.OutboxMessage(
                kind="mail", dedupe_key="c", payload={}, status=jobs.OutboxStatus.DEAD
            ),
            jobs.OutboxMessage(
                kind="mail", dedupe_key="d", payload={}, status=jobs.OutboxStatus.SENT
            ),
            jobs.JobRun(job="orders.expire", period="p1", status=jobs.JobRunStatus.FAILED),
        ]
    )
    db.session.commit()
    text = client.get("/metrics").get_data(as_text=True)
    assert "ocop_outbox_backlog 2.0" in text
    assert "ocop_outbox_retrying 1.0" in text
    assert "ocop_outbox_dead 1.0" in text
    assert 'ocop_job_failures{job="orders.expire"} 1.0' in text
    age = float(re.search(r"^ocop_outbox_oldest_pending_seconds (\S+)$", text, re.M).group(1))
    assert 590 < age < 700


def test_multiprocess_mode_adds_up_the_workers_files(tmp_path, database_url):
    """As under gunicorn: PROMETHEUS_MULTIPROC_DIR is set before prometheus_client
    is imported, each process writes its own file, a scrape reads them all."""
    script = (
        "from shop import create_app\n"
        "from shop.observability import scrape\n"
        f"app = create_app({{'SQLALCHEMY_DATABASE_URI': {database_url!r}}})\n"
        "client = app.test_client()\n"
        "client.get('/healthz'); client.get('/healthz')\n"
        "with app.app_context():\n"
        "    print(scrape().decode())\n"
    )
    env = {"PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    out = subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert list(tmp_path.glob("*.db"))
    assert re.search(
        r'ocop_http_requests_total\{endpoint="core.healthz",method="GET",status="200"\} 2.0',
        out.stdout,
    )


# -- Sentry --------------------------------------------------------------------------


def test_sentry_events_lose_guest_keys_and_gain_the_request_id(app):
    event = {
        "request": {
            "url": "https://cho-ocop.vn/orders/DH1",
            "query_string": "key=s3cr3t&lang=vi",
            "headers": {"Referer": "https://cho-ocop.vn/orders/DH1?key=s3cr3t"},
        },
        "logentry": {"message": "failed on /orders/DH1?key=s3cr3t"},
        "breadcrumbs": {"values": [{"message": "GET /orders/DH2?lang=vi&key=s3cr3t"}]},
    }
    with app.test_request_context("/orders/DH1", headers={"X-Request-ID": "edge-42abc"}):
        app.preprocess_request()
        scrubbed = observability.scrub_event(event)
    assert "s3cr3t" not in json.dumps(scrubbed)
    assert scrubbed["request"]["query_string"] == "key=[redacted]&lang=vi"
    assert scrubbed["tags"]["request_id"] == "edge-42abc"


def test_sentry_is_not_imported_without_a_dsn(tmp_path, database_url):
    script = (
        "import sys\n"
        "from shop import create_app\n"
        f"create_app({{'SQLALCHEMY_DATABASE_URI': {database_url!r}}})\n"
        "print('sentry_sdk' in sys.modules)\n"
    )
    out = subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


# -- /readyz: broker and object storage ----------------------------------------------


@pytest.fixture
def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OneShotServer:
    """Accepts connections on loopback and answers each with ``reply`` (or nothing)."""

    def __init__(self, reply: bytes | None):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.reply = reply
        self.received: list[bytes] = []
        self.held: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.received.append(conn.recv(8))
            if self.reply is None:
                self.held.append(conn)  # hung: never answers
            else:
                conn.sendall(self.reply)
                conn.close()

    def close(self):
        self.sock.close()
        for conn in self.held:
            conn.close()


def test_broker_check_speaks_amqp_and_redis(app, closed_port):
    assert readiness.check_broker("") == readiness.NOT_CONFIGURED
    rabbit = OneShotServer(b"\x01\x00\x00\x00\x00\x01\xf4")  # a Connection.Start frame
    hung = OneShotServer(None)
    http = OneShotServer(b"HTTP/1.1 400 Bad Request\r\n\r\n")
    try:
        assert readiness.check_broker(f"amqp://guest:guest@127.0.0.1:{rabbit.port}//") == "ok"
        assert rabbit.received == [readiness.AMQP_HEADER]
        assert readiness.check_broker(f"amqp://127.0.0.1:{http.port}//") == "unavailable"
        assert readiness.check_broker(f"amqp://127.0.0.1:{hung.port}//") == "unavailable"
        assert readiness.check_broker(f"redis://127.0.0.1:{hung.port}/0") == "unavailable"
    finally:
        for server in (rabbit, hung, http):
            server.close()
    assert readiness.check_broker(f"amqp://127.0.0.1:{closed_port}//") == "unavailable"
    assert readiness.check_broker(f"redis://127.0.0.1:{closed_port}/0") == "unavailable"
    assert readiness.check_broker("sqs://queue") == readiness.NOT_CHECKED


@pytest.mark.parametrize(
    "url",
    ["redis://127.0.0.1:6379/15", "amqp://guest:guest@127.0.0.1:5672//"],
    ids=["redis", "rabbitmq"],
)
def test_broker_check_against_a_real_broker(app, url):
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    with socket.socket() as s:
        if s.connect_ex(("127.0.0.1", port)) != 0:
            pytest.skip(f"no broker on 127.0.0.1:{port}")
    assert readiness.check_broker(url) == "ok"


def test_readyz_names_the_broker(app, client, closed_port):
    app.config["CELERY_BROKER_URL"] = f"redis://127.0.0.1:{closed_port}/0"
    response = client.get("/readyz")
    assert response.status_code == 200  # the outbox keeps the effects until it is back
    assert (response.get_json()["status"], response.get_json()["broker"]) == (
        "degraded",
        "unavailable",
    )


@pytest.fixture
def s3_server(monkeypatch):
    moto_server = pytest.importorskip("moto.server")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def test_readyz_asks_object_storage_for_its_bucket(database_url, tmp_path, s3_server):
    import boto3

    boto3.client("s3", endpoint_url=s3_server).create_bucket(Bucket="ocop-ready")
    config = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "STORAGE_BACKEND": "s3",
        "S3_ENDPOINT_URL": s3_server,
        "S3_BUCKET": "ocop-ready",
    }
    good = create_app(config)
    assert good.test_client().get("/readyz").get_json()["storage"] == "ok"
    missing = create_app({**config, "S3_BUCKET": "no-such-bucket"})
    answer = missing.test_client().get("/readyz")
    assert (answer.status_code, answer.get_json()["status"]) == (200, "degraded")
    assert answer.get_json()["storage"] == "unavailable"
    for built in (good, missing):
        with built.app_context():
            db.engine.dispose()


# -- static addresses ----------------------------------------------------------------


def test_static_addresses_carry_the_files_digest(app, client):
    from flask import url_for

    from shop.core.static_urls import digest

    with app.test_request_context("/"):
        url = url_for("static", filename="css/shop.css")
        missing = url_for("static", filename="css/none.css")
    version = digest(Path(app.static_folder) / "css" / "shop.css")
    assert re.fullmatch(r"[0-9a-f]{10}", version)
    assert url == f"/static/css/shop.css?v={version}"
    assert missing == "/static/css/none.css"
    response = client.get(url)
    assert response.status_code == 200
    response.close()
    page = client.get("/login").get_data(as_text=True)
    assert f"/static/css/shop.css?v={version}" in page


# -- gunicorn: replaced workers keep their counts ------------------------------------


def test_gunicorn_folds_replaced_workers_into_the_archive(tmp_path, database_url):
    """Workers replaced after max_requests: their counts stay in /metrics, their
    files do not pile up (deploy/gunicorn.conf.py: child_exit)."""
    import os
    import signal
    import time
    import urllib.error
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    metrics_dir = tmp_path / "metrics"
    log = tmp_path / "gunicorn.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SHOP_ENV": "development",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
    }
    with log.open("wb") as output:
        server = subprocess.Popen(  # noqa: S603 - our own interpreter, gunicorn and its config
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--config",
                str(ROOT / "deploy" / "gunicorn.conf.py"),
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--max-requests",
                "8",
                "--max-requests-jitter",
                "0",
            ],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=output,
            start_new_session=True,
        )

    def get(path: str) -> tuple[int, str]:
        # Only a refused connection is asked again (gunicorn not listening yet): a
        # request that timed out on a busy machine may have been counted already.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as r:
                    return r.status, r.read().decode()
            except urllib.error.HTTPError as error:
                return error.code, ""
            except urllib.error.URLError as error:
                if not isinstance(error.reason, ConnectionRefusedError):
                    raise
                if server.poll() is not None:
                    pytest.fail(f"gunicorn exited: {log.read_text()[-2000:]}")
                time.sleep(0.05)
        pytest.fail(f"gunicorn did not answer: {log.read_text()[-2000:]}")

    try:
        for _ in range(40):
            assert get("/healthz")[0] == 200
        status, text = get("/metrics")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    assert status == 200
    healthz = re.search(
        r'^ocop_http_requests_total\{endpoint="core.healthz",method="GET",status="200"\} (\S+)$',
        text,
        re.M,
    )
    assert healthz, text[:2000]
    assert float(healthz.group(1)) == 40.0
    assert (metrics_dir / "counter_archive.db").exists()
    files = sorted(f.name for f in metrics_dir.glob("*.db"))
    # The archive's two files and, at most, the files of the two workers still alive.
    assert len(files) <= 2 + 2 * 2, files
