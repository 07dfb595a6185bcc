import pytest

from config import DEMO_OPERATOR, ProductionConfig
from shop import create_app
from shop.i18n import format_date_vn
from shop.money import format_vnd, parse_vnd


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


@pytest.mark.allow_5xx
def test_healthz_503_when_database_does_not_answer(tmp_path):
    # A SQLite path inside a missing folder cannot be opened.
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/x.db"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unavailable"


def test_security_headers_on_every_page(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    script_src = next(p for p in csp.split(";") if p.strip().startswith("script-src"))
    assert "unsafe-inline" not in script_src
    assert "'nonce-" in script_src
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in response.headers


def test_csp_nonce_changes_per_request(client):
    first = client.get("/").headers["Content-Security-Policy"]
    second = client.get("/").headers["Content-Security-Policy"]
    assert first != second


def test_production_refuses_to_start_without_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgresql://x@localhost/db")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        ProductionConfig.validate()
    monkeypatch.setenv("SECRET_KEY", "dev-only-secret-key-not-for-production")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        ProductionConfig.validate()
    monkeypatch.setenv("SECRET_KEY", "x" * 48)
    monkeypatch.delenv("REDIS_URL", raising=False)
    with pytest.raises(RuntimeError, match="REDIS_URL"):  # limits and cache shared by nodes
        ProductionConfig.validate()
    monkeypatch.setenv("REDIS_URL", "redis://cache.internal:6379/0")
    for name in ("STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(RuntimeError, match="STRIPE_SECRET_KEY"):
        ProductionConfig.validate()
    monkeypatch.setenv("STRIPE_SECRET_KEY", "sk_live_x")
    monkeypatch.setenv("STRIPE_PUBLISHABLE_KEY", "pk_live_x")
    with pytest.raises(RuntimeError, match="STRIPE_WEBHOOK_SECRET"):
        ProductionConfig.validate()
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", "whsec_x")
    for name in OPERATOR_KEYS:
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(RuntimeError, match="OPERATOR_NAME"):  # Decree 85/2021
        ProductionConfig.validate()
    monkeypatch.setenv("OPERATOR_NAME", DEMO_OPERATOR["OPERATOR_NAME"])
    with pytest.raises(RuntimeError, match="OPERATOR_NAME"):  # the demo identity is no identity
        ProductionConfig.validate()
    _set_operator(monkeypatch)
    ProductionConfig.validate()


OPERATOR_KEYS = tuple(DEMO_OPERATOR)


def _set_operator(monkeypatch):
    for name in OPERATOR_KEYS:
        monkeypatch.setenv(name, f"real {name.lower()}")


def test_production_app_sets_secure_cookies_and_hsts(monkeypatch, database_url):
    monkeypatch.setenv("SHOP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "s" * 48)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("REDIS_URL", "redis://cache.internal:6379/0")
    for name in ("STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET"):
        monkeypatch.setenv(name, "x_live_x")
    _set_operator(monkeypatch)
    app = create_app()
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    response = app.test_client().get("/login")
    assert "max-age=" in response.headers["Strict-Transport-Security"]


def test_production_app_refuses_demo_secret(monkeypatch):
    monkeypatch.setenv("SHOP_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError):
        create_app()


@pytest.mark.parametrize(
    ("amount", "text"),
    [(0, "0 ₫"), (1000, "1.000 ₫"), (125000, "125.000 ₫"), (100_000_000, "100.000.000 ₫")],
)
def test_format_vnd(amount, text):
    assert format_vnd(amount) == text


def test_format_vnd_refuses_floats():
    with pytest.raises(TypeError):
        format_vnd(125000.0)


@pytest.mark.parametrize("text", ["125.000", "125 000 ₫", "125000", "125.000đ"])
def test_parse_vnd(text):
    assert parse_vnd(text) == 125000


@pytest.mark.parametrize(
    "text", ["12,5", "1e5", "-3", "abc", "", "１２", "12.5", "1.25.000", "125.00"]
)
def test_parse_vnd_rejects(text):
    with pytest.raises(ValueError, match="not a whole number of đồng"):
        parse_vnd(text)


def test_dates_are_dd_mm_yyyy():
    from datetime import UTC, date, datetime

    assert format_date_vn(date(2026, 2, 3)) == "03/02/2026"
    # 20:00 UTC is already the next day in Vietnam (UTC+7).
    assert format_date_vn(datetime(2026, 2, 3, 20, 0, tzinfo=UTC)) == "04/02/2026"


def test_vietnamese_by_default_english_under_en(client):
    assert "Đăng nhập" in client.get("/login").get_data(as_text=True)
    # The old switch (a form) sends the visitor to the page's English address.
    response = client.post("/language", data={"lang": "en", "next": "/login"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/en/login"
    page = client.get("/en/login").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Log in" in page
    assert '<html lang="vi">' in client.get("/login").get_data(as_text=True)


def test_language_switch_ignores_offsite_next(client):
    response = client.post("/language", data={"lang": "en", "next": "https://evil.example/"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/en/"


def test_request_body_is_capped(client, app):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post("/login", data={"email": "a@b.vn", "password": "x" * 4096})
    assert response.status_code == 413
    assert "quá lớn" in response.get_data(as_text=True)


def test_unknown_page_is_a_readable_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Không tìm thấy" in response.get_data(as_text=True)


def test_api_errors_are_json(client):
    response = client.get("/api/v1/nothing")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == 404


def test_accept_language_does_not_override_vietnamese(client):
    page = client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert '<html lang="vi">' in page.get_data(as_text=True)


@pytest.mark.parametrize(
    "path", ["/localities/99999999999999999999999/wards.json", "/producer/products/9999999999"]
)
def test_huge_ids_are_404_not_500(client, path):
    assert client.get(path).status_code in (404, 302)


def test_nul_bytes_are_a_400(client):
    response = client.post("/register", data={"full_name": "a\x00b", "email": "x@example.vn"})
    assert response.status_code == 400
    assert client.get("/login?next=%00").status_code == 400


@pytest.mark.allow_5xx
def test_unexpected_error_page_is_readable_and_logged(app, caplog):
    """The one test of the error page itself: the re-raise of tests is off."""
    app.config["RERAISE_UNHANDLED"] = False

    @app.get("/_boom")
    def boom():
        raise RuntimeError("boom")

    response = app.test_client().get("/_boom")
    assert response.status_code == 500
    assert "Đã có lỗi xảy ra" in response.get_data(as_text=True)
    assert "RuntimeError" not in response.get_data(as_text=True)  # no traceback
    assert any("unhandled error on GET /_boom" in r.message for r in caplog.records)
    json = app.test_client().get("/_boom", headers={"Accept": "application/json"})
    assert json.status_code == 500
    assert json.get_json()["error"]["code"] == 500


def test_an_unhandled_error_reaches_the_test(app, no_server_errors):
    """Under TESTING the catch-all handler re-raises, so a test cannot pass over it."""

    @app.get("/_boom")
    def boom():
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        app.test_client().get("/_boom")
    assert no_server_errors == ["unhandled RuntimeError on GET /_boom"]
    no_server_errors.clear()


def test_the_guard_sees_a_5xx_answer(app, no_server_errors):
    """The autouse guard records a 5xx even when no exception is raised."""

    @app.get("/_unavailable")
    def unavailable():
        return "down", 503

    assert app.test_client().get("/_unavailable").status_code == 503
    assert no_server_errors == ["503 GET /_unavailable"]
    no_server_errors.clear()  # expected here; the guard would fail the test otherwise
