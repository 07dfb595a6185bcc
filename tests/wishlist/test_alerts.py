"""Back-in-stock alerts: asking, confirming by e-mail (double opt-in), the
periodic job, unsubscribing."""

import re
import time
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from itsdangerous import TimestampSigner
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


def _ask(client, product, email="khach@example.vn"):
    """The form on the product page: only a confirmation e-mail comes of it."""
    return client.post("/stock-alerts", data={"product_id": product.id, "email": email})


def _confirmation_mails(to: str) -> list:
    return [m for m in outbox() if m["To"] == to.lower() and m["Subject"].startswith("Xác nhận")]


def _confirm_path(mail) -> str:
    """The confirmation link of an e-mail, as a path of this app."""
    url = re.search(r"http\S+/stock-alerts/confirm/\S+", mail.get_content()).group(0)
    return urlsplit(url).path


def _alert_mails() -> list:
    """The back-in-stock e-mails (not the confirmations)."""
    return [m for m in outbox() if m["Subject"].startswith("Đã có hàng")]


def _subscribe(client, product, email="khach@example.vn"):
    """Ask, then follow the link of the confirmation e-mail: the alert starts."""
    response = _ask(client, product, email)
    mails = _confirmation_mails(email.strip())
    if mails:
        confirmed = client.post(_confirm_path(mails[-1]))
        assert confirmed.status_code == 200
    return response


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
    assert _alert_mails() == []  # still sold out

    _restock(sold_out)
    assert notify_back_in_stock(NOW) == "Back-in-stock e-mails queued: 2"
    mails = _alert_mails()
    assert sorted(m["To"] for m in mails) == ["a@example.vn", "b@example.vn"]
    assert all("Mật ong bạc hà" in m["Subject"] for m in mails)
    body = mails[0].get_content()
    assert f"/products/{sold_out.slug}" in body
    assert "/unsubscribe" in body
    assert all(a.notified_at is not None for a in _alerts())

    assert notify_back_in_stock(NOW) == "Back-in-stock e-mails queued: 0"
    assert len(_alert_mails()) == 2


def test_job_in_small_batches_sends_each_once(app, client, sold_out):
    _subscribe_all(client, sold_out, [f"k{i}@example.vn" for i in range(5)])
    _restock(sold_out)
    notify_back_in_stock(NOW, batch=2)
    assert sorted(m["To"] for m in _alert_mails()) == [f"k{i}@example.vn" for i in range(5)]


def test_nothing_sent_for_an_expired_certificate(app, client, sold_out):
    _subscribe(client, sold_out)
    _restock(sold_out)
    # Valid three years from 15/09/2025: long expired by 2030.
    assert notify_back_in_stock(datetime(2030, 1, 1, tzinfo=UTC)).endswith(": 0")
    assert _alert_mails() == []
    assert _alerts()[0].notified_at is None  # still waiting for a valid listing


def test_nothing_sent_for_an_unlisted_product(app, client, sold_out):
    from shop.catalog.services import unpublish_product

    _subscribe(client, sold_out)
    _restock(sold_out)
    unpublish_product(sold_out)
    db.session.commit()
    notify_back_in_stock(NOW)
    assert _alert_mails() == []


def test_the_periodic_job_and_its_command(app, client, runner, sold_out):
    _subscribe(client, sold_out)
    _restock(sold_out)
    assert run_job("wishlist.back_in_stock", NOW).ran
    assert not run_job("wishlist.back_in_stock", NOW).ran  # this period is claimed
    assert len(_alert_mails()) == 1
    result = runner.invoke(args=["wishlist", "notify", "--force"])
    assert result.exit_code == 0, result.output
    assert "queued: 0" in result.output
    assert len(_alert_mails()) == 1


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


# --- Double opt-in ----------------------------------------------------------------------


def test_asking_stores_nothing_and_mails_a_confirmation_link(client, sold_out):
    response = _ask(client, sold_out, " Khach@Example.VN ")
    assert_redirect(response, f"/products/{sold_out.slug}", 303)
    assert _alerts() == []  # no alert, no address kept, until the link is followed
    [mail] = outbox()
    assert mail["To"] == "khach@example.vn"
    assert mail["Subject"] == "Xác nhận báo khi có hàng: Mật ong bạc hà"
    body = mail.get_content()
    assert "trong 7 ngày" in body
    assert "không lưu địa chỉ của bạn" in body
    path = _confirm_path(mail)

    # Opening the link (a mail scanner does) changes nothing; the button confirms.
    page = client.get(path)
    assert page.status_code == 200
    assert "khach@example.vn" in page.text
    assert "Mật ong bạc hà" in page.text
    assert _alerts() == []
    done = client.post(path)
    assert done.status_code == 200
    assert "Đã xác nhận" in done.text
    alerts = _alerts()
    assert [(a.email, a.product_id, a.user_id) for a in alerts] == [
        ("khach@example.vn", sold_out.id, None)
    ]
    # A second click starts nothing more.
    again = client.post(path)
    assert again.status_code == 200
    assert "đã đăng ký nhận báo" in again.text
    assert len(_alerts()) == 1


def test_an_unconfirmed_request_gets_no_alert(app, client, sold_out):
    _ask(client, sold_out, "chua@example.vn")
    _restock(sold_out)
    assert notify_back_in_stock(NOW) == "Back-in-stock e-mails queued: 0"
    assert [m["Subject"] for m in outbox()] == ["Xác nhận báo khi có hàng: Mật ong bạc hà"]


def test_a_signed_in_buyer_confirms_too_and_the_alert_names_the_account(
    client, auth, make_user, sold_out
):
    user = make_user(email="an@example.vn")
    assert_redirect(auth.login(user.email), "/")
    assert_redirect(_ask(client, sold_out, user.email), f"/products/{sold_out.slug}", 303)
    assert _alerts() == []
    [mail] = _confirmation_mails(user.email)
    # The link works wherever it is opened: signed out, on another device.
    auth.logout()
    assert client.post(_confirm_path(mail)).status_code == 200
    assert [(a.email, a.user_id) for a in _alerts()] == [("an@example.vn", user.id)]


def test_one_confirmation_mail_per_address_and_day(client, sold_out):
    for _ in range(3):
        assert _ask(client, sold_out, "khach@example.vn").status_code == 303
    assert len(outbox()) == 1
    assert _ask(client, sold_out, "khac@example.vn").status_code == 303
    assert sorted(m["To"] for m in outbox()) == ["khac@example.vn", "khach@example.vn"]


def test_the_link_expires(app, client, sold_out, monkeypatch):
    # Signed eight days ago; it is good for seven.
    signed_at = int(time.time()) - 8 * 86400
    with monkeypatch.context() as m:
        m.setattr(TimestampSigner, "get_timestamp", lambda self: signed_at)
        _ask(client, sold_out)
    path = _confirm_path(outbox()[0])
    for response in (client.get(path), client.post(path)):
        assert response.status_code == 410
        assert "đã hết hạn" in response.text
        assert f'href="/products/{sold_out.slug}"' in response.text  # ask again there
    assert _alerts() == []


def test_a_forged_or_foreign_token_is_404(app, client, sold_out):
    from shop.auth.services import make_reset_token

    _ask(client, sold_out)
    path = _confirm_path(outbox()[0])
    forged = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    reset = f"/stock-alerts/confirm/{make_reset_token(sold_out.producer.members[0].user)}"
    for bad in (forged, reset, "/stock-alerts/confirm/x", "/stock-alerts/confirm/" + "a" * 1200):
        assert client.get(bad).status_code == 404, bad
        assert client.post(bad).status_code == 404, bad
    assert _alerts() == []


def test_confirming_after_the_product_came_back_starts_nothing(client, sold_out):
    _ask(client, sold_out)
    _restock(sold_out)
    response = client.post(_confirm_path(outbox()[0]))
    assert response.status_code == 200
    assert "đang có hàng" in response.text
    assert _alerts() == []


def test_every_alert_mail_carries_its_unsubscribe_link_and_header(app, client, sold_out):
    _subscribe_all(client, sold_out, ["a@example.vn", "b@example.vn"])
    _restock(sold_out)
    notify_back_in_stock(NOW)
    alerts = {a.email: a.token for a in _alerts()}
    mails = [m for m in outbox() if m["Subject"].startswith("Đã có hàng")]
    assert len(mails) == 2
    for mail in mails:
        link = f"/stock-alerts/{alerts[mail['To']]}/unsubscribe"
        assert link in mail.get_content()
        assert mail["List-Unsubscribe"] == f"<http://127.0.0.1:5000{link}>"
        assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # The mail client's one-click unsubscribe (RFC 8058) posts to that address.
    token = alerts["a@example.vn"]
    response = client.post(
        f"/stock-alerts/{token}/unsubscribe", data={"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    assert [a.email for a in _alerts()] == ["b@example.vn"]


def test_the_links_with_a_token_stay_out_of_referers_and_caches(client, sold_out):
    _subscribe(client, sold_out)
    confirm = _confirm_path(_confirmation_mails("khach@example.vn")[0])
    unsubscribe = f"/stock-alerts/{_alerts()[0].token}/unsubscribe"
    for path in (confirm, unsubscribe):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Referrer-Policy"] == "no-referrer", path
        assert response.headers["Cache-Control"] == "private, no-store", path
