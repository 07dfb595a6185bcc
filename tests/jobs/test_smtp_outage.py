"""An SMTP outage never fails a checkout: the e-mails wait in the outbox and go
out, each exactly once, when SMTP is back (a real SMTP server on loopback)."""

import socket
from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select

from shop.clock import utcnow
from shop.extensions import db
from shop.jobs.models import OutboxMessage, OutboxStatus
from shop.jobs.services import sweep
from shop.orders.models import Order
from tests.helpers_http import assert_redirect
from tests.orders.helpers import checkout_form

BUYERS = 20


def _place_order(app, product) -> Order:
    client = app.test_client()  # a buyer of its own: its own cart and rate limit
    response = client.post("/cart/add", data={"product_id": product.id, "quantity": 1})
    assert_redirect(response, "/cart", 303)
    total = client.get("/cart.json").get_json()["total_price"]
    response = client.post("/checkout", data=checkout_form(total))
    order = db.session.scalar(select(Order).order_by(Order.id.desc()).limit(1))
    assert_redirect(response, f"/orders/{order.number}", 303, query={"key": order.access_key})
    return order


def _count(*where) -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMessage).where(*where))


def test_orders_placed_while_smtp_is_down_are_mailed_once_when_it_is_back(
    smtp_app, smtp_sink, make_listed
):
    product = make_listed(stock=BUYERS + 1, price=100_000)
    producer_email = product.producer.email
    smtp_sink.stop()

    orders = [_place_order(smtp_app, product) for _ in range(BUYERS)]

    # Every order is placed. Right after the first commit its first e-mail was
    # tried and met a refused connection; from then on the checkouts leave their
    # e-mails to the sweeper instead of each trying a server that just failed.
    assert len({o.number for o in orders}) == BUYERS
    assert smtp_sink.received() == []
    # Each order's row wrote its two e-mails in the worker's transaction, and is done.
    assert _count(OutboxMessage.kind == "order-placed") == BUYERS
    assert (
        _count(OutboxMessage.kind == "order-placed", OutboxMessage.status == OutboxStatus.SENT)
        == BUYERS
    )
    pending = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "mail")).all()
    assert len(pending) == 2 * BUYERS
    assert {m.status for m in pending} == {OutboxStatus.PENDING}
    assert sum(m.attempts for m in pending) == 1
    assert all("ConnectionRefused" in m.last_error for m in pending if m.attempts)

    # Still down: the sweeper hands everything over; the first attempt fails and
    # the rest of the batch waits for the next sweep instead of failing in turn.
    later = utcnow() + timedelta(hours=1)
    assert sweep(later) == 2 * BUYERS
    assert (
        db.session.scalar(
            select(func.sum(OutboxMessage.attempts)).where(OutboxMessage.kind == "mail")
        )
        == 2
    )
    assert smtp_sink.received() == []

    smtp_sink.start()
    # Just handed over: nothing is due again before the sweeper's grace period.
    assert sweep(later + timedelta(seconds=1)) == 0
    assert sweep(later + timedelta(hours=1)) == 2 * BUYERS
    received = smtp_sink.received()
    assert len(received) == 2 * BUYERS
    assert (
        _count(OutboxMessage.kind == "mail", OutboxMessage.status == OutboxStatus.SENT)
        == 2 * BUYERS
    )
    per_recipient = Counter((m["To"], m["Subject"]) for m in received)
    assert set(per_recipient.values()) == {1}
    assert {m["Subject"] for m in received if m["To"] == producer_email} == {
        f"Đơn hàng mới {o.number}" for o in orders
    }
    assert len({m["Message-ID"] for m in received}) == 2 * BUYERS

    # Swept again, and again: nothing more goes out.
    assert sweep(later + timedelta(days=1)) == 0
    assert sweep(later + timedelta(days=2)) == 0
    assert len(smtp_sink.received()) == 2 * BUYERS

    # SMTP works again: the next checkout's e-mails go out right after its commit.
    latest = _place_order(smtp_app, product)
    assert len(smtp_sink.received()) == 2 * BUYERS + 2
    assert smtp_sink.received()[-1]["Subject"].endswith(latest.number)


def test_with_smtp_up_the_mail_goes_out_right_after_the_checkout(smtp_app, smtp_sink, make_listed):
    product = make_listed(stock=1)
    order = _place_order(smtp_app, product)
    subjects = sorted(m["Subject"] for m in smtp_sink.received())
    assert subjects == sorted([f"Đơn hàng {order.number}", f"Đơn hàng mới {order.number}"])
    assert _count(OutboxMessage.kind == "mail", OutboxMessage.status == OutboxStatus.SENT) == 2


def test_a_hung_smtp_server_holds_one_checkout_not_each_one(smtp_app, make_listed):
    """A server that accepts connections and never answers: one delivery waits
    for MAIL_TIMEOUT, the checkouts after it leave their e-mails to the sweeper."""
    with socket.socket() as hung:
        hung.bind(("127.0.0.1", 0))
        hung.listen(16)
        smtp_app.config.update(MAIL_PORT=hung.getsockname()[1], MAIL_TIMEOUT=0.5)
        product = make_listed(stock=3)
        for _ in range(3):
            _place_order(smtp_app, product)
    rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "mail")).all()
    assert len(rows) == 6
    assert sum(m.attempts for m in rows) == 1
    (error,) = [m.last_error for m in rows if m.attempts]
    assert "timed out" in error
