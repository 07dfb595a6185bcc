"""/staff/outbox: staff see what waits and what died, and send a dead row again."""

from sqlalchemy import select

from shop.extensions import db
from shop.jobs.models import OutboxMessage, OutboxStatus
from shop.jobs.periodic import run_job
from shop.mail import outbox, send_mail
from tests.conftest import _free_port
from tests.helpers_http import assert_redirect, assert_signed_in


def _dead_mail(app) -> OutboxMessage:
    """An e-mail whose only attempt met a closed SMTP port."""
    app.config.update(
        MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=_free_port(), MAIL_USE_TLS=False
    )
    app.config["OUTBOX_MAX_ATTEMPTS"] = 1
    send_mail("an@example.vn", "Đơn hàng DH2611000001", "Nội dung", key="staff-page:1")
    db.session.commit()
    app.config.update(MAIL_BACKEND="memory", OUTBOX_MAX_ATTEMPTS=20)
    return db.session.scalar(select(OutboxMessage))


def test_only_staff_see_the_outbox(app, client, auth, make_user):
    assert_redirect(client.get("/staff/outbox"), "/login", query={"next": "/staff/outbox"})
    make_user(email="c@example.vn")
    assert_signed_in(auth.login("c@example.vn"))
    assert client.get("/staff/outbox").status_code == 403
    assert client.post("/staff/outbox/1/retry").status_code == 403


def test_staff_see_a_dead_mail_and_send_it_again(app, client, auth, staff):
    message = _dead_mail(app)
    assert message.status == OutboxStatus.DEAD
    run_job("orders.expire")
    assert_signed_in(auth.login(staff.email))

    page = client.get("/staff/outbox")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "an@example.vn: Đơn hàng DH2611000001" in html
    assert "ConnectionRefusedError" in html
    assert "orders.expire" in html

    response = client.post(f"/staff/outbox/{message.id}/retry")
    assert_redirect(response, "/staff/outbox", 303)
    db.session.refresh(message)
    assert (message.status, message.attempts) == (OutboxStatus.SENT, 1)
    assert [m["To"] for m in outbox()] == ["an@example.vn"]

    # Sent already: a second click sends nothing more.
    response = client.post(f"/staff/outbox/{message.id}/retry")
    assert_redirect(response, "/staff/outbox", 303)
    assert len(outbox()) == 1
