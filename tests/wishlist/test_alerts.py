"""Back-in-stock alerts: subscribing, the periodic job, unsubscribing."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from shop.extensions import db
from shop.jobs.periodic import run_job
from shop.mail import outbox
from shop.wishlist.models import StockAlert
from shop.wishlist.tasks import notify_back_in_stock
from tests.helpers_http import assert_redirect

NOW = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)


def _alerts():
    return db.session.scalars(select(StockAlert).order_by(StockAlert.id)).all()


def _subscribe(client, product, email="khach@example.vn"):
    return client.post("/stock-alerts", data={"product_id": product.id, "email": email})


@pytest.fixture
def sold_out(make_listed):
    return make_listed(name="Mật ong bạc hà", stock=0)


def _restock(product, stock=5):
    product.stock = stock
    db.session.commit()


def test_product_page_offers_the_form_only_when_sold_out(client, make_listed, sold_out):
    page = client.get(f"/products/{sold_out.slug}")
    assert page.status_code == 200
    assert "Báo cho tôi khi có hàng" in page.text
    assert 'action="/stock-alerts"' in page.text
    in_stock = make_listed()
    page = client.get(f"/products/{in_stock.slug}")
    assert page.status_code == 200
    assert 'action="/stock-alerts"' not in page.text


def test_guest_subscribes_once(client, sold_out):
    assert_redirect(_subscribe(client, sold_out), f"/products/{sold_out.slug}", 303)
    assert_redirect(
        _subscribe(client, sold_out, " Khach@Example.VN "), f"/products/{sold_out.slug}", 303
    )
    alerts = _alerts()
    assert [(a.email, a.product_id, a.notified_at) for a in alerts] == [
        ("khach@example.vn", sold_out.id, None)
    ]
    assert len(alerts[0].token) >= 40


@pytest.mark.parametrize("email", ["", "not-an-email", "a@" + "x" * 260 + ".vn"])
def test_invalid_email_is_a_form_error(client, sold_out, email):
    response = _subscribe(client, sold_out, email)
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.text
    assert _alerts() == []


def test_no_alert_for_a_product_in_stock(client, make_listed):
    product = make_listed()
    assert_redirect(_subscribe(client, product), f"/products/{product.slug}", 303)
    assert _alerts() == []


def test_signed_in_subscription_names_the_account(client, auth, make_user, sold_out):
    user = make_user(email="an@example.vn")
    assert_redirect(auth.login(user.email), "/")
    assert_redirect(_subscribe(client, sold_out, user.email), f"/products/{sold_out.slug}", 303)
    assert [(a.email, a.user_id) for a in _alerts()] == [("an@example.vn", user.id)]


def test_subscriptions_are_rate_limited(app, client, sold_out):
    app.config["STOCK_ALERT_RATE_LIMIT"] = "2 per minute"
    assert _subscribe(client, sold_out, "a@example.vn").status_code == 303
    assert _subscribe(client, sold_out, "b@example.vn").status_code == 303
    assert _subscribe(client, sold_out, "c@example.vn").status_code == 429
    assert len(_alerts()) == 2


def test_a_post_from_another_site_is_refused(app, client, sold_out):
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(
        "/stock-alerts",
        data={"product_id": sold_out.id, "email": "a@example.vn"},
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert response.status_code == 403
    assert _alerts() == []


def _subscribe_all(client, product, emails):
    for email in emails:
        assert _subscribe(client, product, email).status_code == 303


def test_job_sends_one_email_per_alert_when_back_in_stock(app, client, sold_out):
    _subscribe_all(client, sold_out, ["a@example.vn", "b@example.vn"])
    notify_back_in_stock(NOW)
    assert outbox() == []  # still sold out

    _restock(sold_out)
    assert notify_back_in_stock(NOW) == "Back-in-stock e-mails queued: 2"
    mails = outbox()
    assert sorted(m["To"] for m in mails) == ["a@example.vn", "b@example.vn"]
    assert all("Mật ong bạc hà" in m["Subject"] for m in mails)
    body = mails[0].get_content()
    assert f"/products/{sold_out.slug}" in body
    assert "/unsubscribe" in body
    assert all(a.notified_at is not None for a in _alerts())

    assert notify_back_in_stock(NOW) == "Back-in-stock e-mails queued: 0"
    assert len(outbox()) == 2


def test_job_in_small_batches_sends_each_once(app, client, sold_out):
    _subscribe_all(client, sold_out, [f"k{i}@example.vn" for i in range(5)])
    _restock(sold_out)
    notify_back_in_stock(NOW, batch=2)
    assert sorted(m["To"] for m in outbox()) == [f"k{i}@example.vn" for i in range(5)]


def test_nothing_sent_for_an_expired_certificate(app, client, sold_out):
    _subscribe(client, sold_out)
    _restock(sold_out)
    # Valid three years from 15/09/2025: long expired by 2030.
    assert notify_back_in_stock(datetime(2030, 1, 1, tzinfo=UTC)).endswith(": 0")
    assert outbox() == []
    assert _alerts()[0].notified_at is None  # still waiting for a valid listing


def test_nothing_sent_for_an_unlisted_product(app, client, sold_out):
    from shop.catalog.services import unpublish_product

    _subscribe(client, sold_out)
    _restock(sold_out)
    unpublish_product(sold_out)
    db.session.commit()
    notify_back_in_stock(NOW)
    assert outbox() == []


def test_the_periodic_job_and_its_command(app, client, runner, sold_out):
    _subscribe(client, sold_out)
    _restock(sold_out)
    assert run_job("wishlist.back_in_stock", NOW).ran
    assert not run_job("wishlist.back_in_stock", NOW).ran  # this period is claimed
    assert len(outbox()) == 1
    result = runner.invoke(args=["wishlist", "notify", "--force"])
    assert result.exit_code == 0, result.output
    assert "queued: 0" in result.output
    assert len(outbox()) == 1


def test_a_new_alert_after_the_email(app, client, sold_out):
    _subscribe(client, sold_out)
    _restock(sold_out)
    notify_back_in_stock(NOW)
    _restock(sold_out, 0)
    assert _subscribe(client, sold_out).status_code == 303
    assert len(_alerts()) == 2


def test_unsubscribe_link(client, sold_out):
    _subscribe(client, sold_out)
    token = _alerts()[0].token
    page = client.get(f"/stock-alerts/{token}/unsubscribe")
    assert page.status_code == 200
    assert _alerts() != []  # opening the link changes nothing
    done = client.post(f"/stock-alerts/{token}/unsubscribe")
    assert done.status_code == 200
    assert _alerts() == []
    assert client.post(f"/stock-alerts/{token}/unsubscribe").status_code == 404


def test_wrong_token_is_404(client, sold_out):
    _subscribe(client, sold_out)
    assert client.get("/stock-alerts/wrong/unsubscribe").status_code == 404
    assert client.post("/stock-alerts/wrong/unsubscribe").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(StockAlert)) == 1


def test_job_is_scheduled():
    from shop.schedule import periodic_jobs

    names = [job.name for job in periodic_jobs()]
    assert names.count("wishlist.back_in_stock") == 1
