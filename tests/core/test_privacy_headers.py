"""Personal pages are not cached, the guest key leaves no Referer, and no log keeps it.

The staff and producer areas are walked over the URL map, as the access matrix
does, so a new page there is checked without being listed here.
"""

import http.client
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from shop import create_app
from shop.auth.models import Role
from shop.certification.models import Certificate
from shop.core.privacy import RedactKeyFilter, install_log_filter, redact_secrets
from shop.extensions import db
from shop.orders.models import Order, PaymentMethod
from tests.orders.helpers import checkout_form, order_for

NO_STORE = "private, no-store"
ROOT = Path(__file__).resolve().parents[2]


def assert_private(response, what: str) -> None:
    assert response.status_code == 200, f"{what} -> {response.status_code}"
    assert response.headers.get("Cache-Control") == NO_STORE, what


def assert_cacheable(response, what: str) -> None:
    assert response.status_code == 200, f"{what} -> {response.status_code}"
    assert "no-store" not in response.headers.get("Cache-Control", ""), what


def login(auth, email: str) -> None:
    response = auth.login(email)
    assert response.status_code == 302, f"login {email} -> {response.status_code}"


def _get_pages(app, prefix: str) -> list[str]:
    """Every GET page under ``prefix`` that needs no argument."""
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(prefix) and "GET" in rule.methods and not rule.arguments
    )


@pytest.fixture
def shop_data(make_user, make_producer, make_listed):
    owner = make_user(email="htx@example.vn")
    producer = make_producer(owner=owner)
    tea = make_listed("Chè Shan Tuyết", producer=producer, price=120_000, stock=20)
    customer = make_user(email="khach@example.vn")
    own = order_for({tea: 1}, user=customer)
    transfer = order_for({tea: 1}, method=PaymentMethod.VIETQR)  # a guest's
    return {"tea": tea, "own": own, "transfer": transfer}


# -- the hook order ---------------------------------------------------------------------


def test_flask_runs_the_last_registered_after_request_hook_first():
    """Why privacy.register comes before register_security in create_app."""
    app = Flask(__name__)
    ran = []

    @app.after_request
    def registered_first(response):
        ran.append("first")
        return response

    @app.after_request
    def registered_second(response):
        ran.append("second")
        return response

    app.add_url_rule("/", "index", lambda: "ok")
    assert app.test_client().get("/").status_code == 200
    assert ran == ["second", "first"]


# -- guests, customers, producers, staff ---------------------------------------------


def test_guest_cart_checkout_and_order_link_are_private(client, shop_data):
    tea = shop_data["tea"]
    added = client.post("/cart/add", data={"product_id": tea.id, "quantity": 2})
    assert added.status_code == 303
    assert added.headers["Cache-Control"] == NO_STORE
    for path in ("/cart", "/cart.json", "/checkout"):
        assert_private(client.get(path), path)
    total = client.get("/cart.json").get_json()["total_price"]

    placed = client.post("/checkout", data=checkout_form(total))
    assert placed.status_code == 303
    assert placed.headers["Cache-Control"] == NO_STORE
    order = db.session.scalar(select(Order).order_by(Order.id.desc()))
    assert f"/orders/{order.number}?key={order.access_key}" in placed.location

    page = client.get(placed.location)
    assert_private(page, "the order page by its guest link")
    assert page.headers["Referrer-Policy"] == "no-referrer"


def test_guest_transfer_qr_is_private_and_sends_no_referrer(client, shop_data):
    order = shop_data["transfer"]
    for path in (f"/orders/{order.number}", f"/orders/{order.number}/vietqr.png"):
        response = client.get(path, query_string={"key": order.access_key})
        assert_private(response, path)
        assert response.headers["Referrer-Policy"] == "no-referrer", path


def test_customer_pages_are_private(client, auth, shop_data):
    login(auth, "khach@example.vn")
    own = shop_data["own"]
    for path in ("/account/orders", "/account/password", f"/orders/{own.number}"):
        response = client.get(path)
        assert_private(response, path)
        # No key in the address: nothing for a Referer to carry away.
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin", path


def test_every_producer_page_is_private(app, client, auth, shop_data):
    login(auth, "htx@example.vn")
    shipment = shop_data["own"].shipments[0]
    pages = [p for p in _get_pages(app, "/producer/") if p != "/producer/register"]
    assert "/producer/shipments" in pages
    for path in [*pages, f"/producer/shipments/{shipment.id}"]:
        assert_private(client.get(path), path)
    # A member asking to register is sent to the dashboard: the answer is private too.
    again = client.get("/producer/register")
    assert again.status_code == 302
    assert again.headers["Cache-Control"] == NO_STORE


def test_every_staff_page_and_export_is_private(app, client, auth, make_user, shop_data):
    admin = make_user(email="admin@example.vn", role=Role.ADMIN)  # the audit log too
    login(auth, admin.email)
    pages = _get_pages(app, "/staff/")
    assert {"/staff/orders", "/staff/certificates.csv", "/staff/settlements.csv"} <= set(pages)
    for path in [
        *pages,
        f"/staff/orders/{shop_data['own'].number}",
        "/staff/reports/producers.csv",
    ]:
        response = client.get(path)
        assert_private(response, path)
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin", path


def test_public_catalogue_pages_may_be_cached(client, shop_data):
    tea = shop_data["tea"]
    code = db.session.scalar(
        select(Certificate.verification_code).where(Certificate.product_id == tea.id)
    )
    for path in (
        "/",
        "/products",
        f"/products/{tea.slug}",
        f"/producers/{tea.producer.slug}",
        f"/verify/{code}",
    ):
        response = client.get(path)
        assert_cacheable(response, path)
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin", path


def test_a_csv_outside_the_private_areas_is_private_too(app):
    """The rule is the mimetype as well as the place: a CSV is a list of people."""
    app.add_url_rule(
        "/public-test.csv", "public_test_csv", lambda: ("a,b\n", {"Content-Type": "text/csv"})
    )
    response = app.test_client().get("/public-test.csv")
    assert_private(response, "/public-test.csv")


# -- logs -----------------------------------------------------------------------------

SECRET = "Zx9-secret_KEY_value"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("GET /orders/DH1?key=abc HTTP/1.1", "GET /orders/DH1?key=[redacted] HTTP/1.1"),
        ("/orders/DH1?lang=vi&key=abc&x=1", "/orders/DH1?lang=vi&key=[redacted]&x=1"),
        ("/orders/DH1?key=abc#top", "/orders/DH1?key=[redacted]#top"),
        (
            '"http://shop/orders/DH1?key=abc" "Mozilla"',
            '"http://shop/orders/DH1?key=[redacted]" "Mozilla"',
        ),
        (
            "/login?next=%2Forders%2FDH1%3Fkey%3Dabc",
            "/login?next=%2Forders%2FDH1%3Fkey%3D[redacted]",
        ),
        ("/orders/DH1?key=", "/orders/DH1?key=[redacted]"),
        ("/products?access_key=abc&monkey=1", "/products?access_key=abc&monkey=1"),
        ("/products?q=key=abc", "/products?q=key=abc"),
    ],
)
def test_redact_secrets(line, expected):
    assert redact_secrets(line) == expected


def test_filter_rewrites_a_werkzeug_request_line():
    # werkzeug's log_request: the request line (coloured for a 404) as an argument.
    record = logging.LogRecord(
        "werkzeug",
        logging.INFO,
        __file__,
        1,
        '127.0.0.1 - - [01/Jan/2026 10:00:00] "%s" %s %s',
        (f"\x1b[33mGET /orders/DH1?key={SECRET} HTTP/1.1\x1b[0m", "404", "-"),
        None,
    )
    assert RedactKeyFilter().filter(record) is True
    assert SECRET not in record.getMessage()
    assert "GET /orders/DH1?key=[redacted] HTTP/1.1" in record.getMessage()


def test_filter_leaves_other_records_alone():
    record = logging.LogRecord(
        "werkzeug", logging.INFO, __file__, 1, "%s %d%%", ("GET /products", 5), None
    )
    assert RedactKeyFilter().filter(record) is True
    assert record.args == ("GET /products", 5)
    assert record.getMessage() == "GET /products 5%"


def test_the_filter_is_installed_once(app, database_url):
    create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    filters = logging.getLogger("werkzeug").filters
    assert sum(isinstance(f, RedactKeyFilter) for f in filters) == 1
    install_log_filter(logging.getLogger("werkzeug"))
    assert sum(isinstance(f, RedactKeyFilter) for f in filters) == 1


def _get(port: int, path: str, headers: dict | None = None) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers=headers or {})
        return connection.getresponse().status
    finally:
        connection.close()


def test_werkzeug_server_log_never_holds_the_key(live_server, caplog, monkeypatch, shop_data):
    # The session's migrations ran alembic's fileConfig, which disables every
    # logger existing then, werkzeug's included (create_app made it for the filter).
    monkeypatch.setattr(logging.getLogger("werkzeug"), "disabled", False)
    caplog.set_level(logging.INFO, logger="werkzeug")
    order = shop_data["transfer"]
    port = int(live_server.rsplit(":", 1)[1])
    assert _get(port, f"/orders/{order.number}?lang=vi&key={order.access_key}") == 200
    lines = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert any(f"/orders/{order.number}?lang=vi&key=[redacted]" in line for line in lines), lines
    assert not any(order.access_key in line for line in lines)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gunicorn_access_log_never_holds_the_key(database_url, shop_data, tmp_path):
    pytest.importorskip(
        "gunicorn", reason="gunicorn (the bench extra) is not installed: pip install gunicorn"
    )
    order = shop_data["transfer"]
    port = _free_port()
    access_log, error_log = tmp_path / "access.log", tmp_path / "error.log"
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
            "1",
            "--access-logfile",
            str(access_log),
            "--error-logfile",
            str(error_log),
        ],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url, "SHOP_ENV": "development"},
        start_new_session=True,
    )
    try:
        for _ in range(200):
            if server.poll() is not None:
                pytest.fail(f"gunicorn exited: {error_log.read_text()}")
            try:
                _get(port, "/healthz")
                break
            except OSError:
                time.sleep(0.05)
        else:
            pytest.fail(f"gunicorn did not answer: {error_log.read_text()}")
        path = f"/orders/{order.number}?key={order.access_key}"
        referer = f"http://127.0.0.1:{port}{path}"
        assert _get(port, path, {"Referer": referer}) == 200
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)
    log = access_log.read_text()
    assert f"GET /orders/{order.number}?key=[redacted] HTTP/1.1" in log
    assert f'"{referer.replace(order.access_key, "[redacted]")}"' in log  # the Referer field
    assert order.access_key not in log
    assert order.access_key not in error_log.read_text()


def test_pages_with_a_secret_in_their_path_send_no_referer(client):
    for path in ("/password/reset/not-a-real-token", "/producer/invitations/" + "x" * 43):
        response = client.get(path)
        assert response.status_code in (302, 400, 404), path  # no such token
        assert response.headers["Referrer-Policy"] == "no-referrer", path
        assert response.headers["Cache-Control"] == "private, no-store", path
