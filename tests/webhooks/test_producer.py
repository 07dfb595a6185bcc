"""The owner's pages: add an endpoint (secret shown once), edit, rotate, delete,
see each delivery and send it again; nobody else's endpoint or delivery exists."""

import re

import pytest
from sqlalchemy import func, select

from shop.auth.models import Role
from shop.extensions import db
from shop.producers.models import MemberRole, ProducerMember
from shop.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from tests.orders.helpers import order_for


def endpoint_count() -> int:
    return db.session.scalar(select(func.count()).select_from(WebhookEndpoint))


def secret_on(html: str) -> str:
    match = re.search(r'<code id="webhook-secret">(whsec_[A-Za-z0-9_-]+)</code>', html)
    assert match, "no secret on the page"
    return match.group(1)


@pytest.fixture
def owner(make_user, make_producer):
    user = make_user(email="chu@htx-a.vn")
    producer = make_producer(owner=user, legal_name="HTX Chè A")
    return user, producer


@pytest.fixture
def rival(make_user, make_producer):
    user = make_user(email="chu@htx-b.vn")
    producer = make_producer(owner=user, legal_name="HTX Mật ong B")
    return user, producer


def test_the_owner_adds_an_endpoint_and_sees_its_secret_once(client, auth, owner, receiver):
    user, producer = owner
    auth.login(user.email)
    page = client.get("/producer/webhooks")
    assert page.status_code == 200
    assert "Thêm điểm nhận" in page.get_data(as_text=True)

    response = client.post(
        "/producer/webhooks",
        data={
            "url": receiver.url(),
            "description": "Phần mềm kho",
            "events": ["order.created", "order.cancelled"],
        },
    )
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    secret = secret_on(response.get_data(as_text=True))
    endpoint = db.session.scalar(select(WebhookEndpoint))
    assert (endpoint.producer_id, endpoint.url, endpoint.secret) == (
        producer.id,
        receiver.url(),
        secret,
    )
    assert endpoint.events == ["order.created", "order.cancelled"]
    assert endpoint.enabled

    for path in ("/producer/webhooks", f"/producer/webhooks/{endpoint.id}"):
        again = client.get(path)
        assert again.status_code == 200
        assert secret not in again.get_data(as_text=True)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "Địa chỉ chỉ gồm ký tự ASCII"),
        ("http://htx-che.vn/hook", "https://"),
        ("https://10.0.0.5/hook", "địa chỉ IP nội bộ"),
        ("https://169.254.169.254/latest", "địa chỉ IP nội bộ"),
        ("", "Hãy nhập địa chỉ nhận webhook."),
    ],
)
def test_a_bad_address_is_a_form_error(client, auth, owner, url, message):
    auth.login(owner[0].email)
    response = client.post("/producer/webhooks", data={"url": url, "events": ["order.created"]})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert endpoint_count() == 0


def test_events_must_be_chosen_from_the_list(client, auth, owner):
    auth.login(owner[0].email)
    for events in ([], ["order.shipped"]):
        response = client.post(
            "/producer/webhooks", data={"url": "https://htx-che.vn/hook", "events": events}
        )
        assert response.status_code == 400
    assert endpoint_count() == 0


def test_loopback_is_refused_when_the_config_does_not_allow_it(app, client, auth, owner):
    app.config["WEBHOOK_ALLOW_LOOPBACK"] = False
    auth.login(owner[0].email)
    response = client.post(
        "/producer/webhooks",
        data={"url": "http://127.0.0.1:9000/hook", "events": ["order.created"]},
    )
    assert response.status_code == 400
    assert "localhost" in response.get_data(as_text=True)


def test_a_member_who_is_not_the_owner_gets_403(client, auth, owner, make_user, make_endpoint):
    _user, producer = owner
    endpoint, _ = make_endpoint(producer, "https://htx-che.vn/hook")
    member = make_user(email="nhanvien@htx-a.vn")
    producer.members.append(ProducerMember(user=member, role=MemberRole.MEMBER))
    member.role = Role.PRODUCER
    db.session.commit()
    auth.login(member.email)
    assert client.get("/producer/webhooks").status_code == 403
    assert client.get(f"/producer/webhooks/{endpoint.id}").status_code == 403
    response = client.post(
        "/producer/webhooks", data={"url": "https://x.vn/h", "events": ["order.created"]}
    )
    assert response.status_code == 403
    assert client.post(f"/producer/webhooks/{endpoint.id}/rotate").status_code == 403


def test_a_customer_is_sent_to_register_and_a_visitor_to_sign_in(client, auth, make_user):
    assert client.get("/producer/webhooks").status_code == 302
    auth.login(make_user().email)
    response = client.get("/producer/webhooks")
    assert response.status_code == 302
    assert "/producer/register" in response.headers["Location"]


def test_one_producer_never_reaches_anothers_endpoints_or_deliveries(
    client, auth, owner, rival, make_endpoint, make_listed, receiver
):
    _user, producer = owner
    endpoint, secret = make_endpoint(producer, receiver.url())
    order_for({make_listed(producer=producer): 1})
    delivery = db.session.scalar(select(WebhookDelivery))
    assert delivery is not None

    auth.login(rival[0].email)
    listing = client.get("/producer/webhooks")
    assert listing.status_code == 200
    html = listing.get_data(as_text=True)
    assert receiver.url() not in html
    assert delivery.event_id not in html
    base = f"/producer/webhooks/{endpoint.id}"
    assert client.get(base).status_code == 404
    assert (
        client.post(base, data={"url": "https://evil.vn/h", "events": ["order.created"]})
    ).status_code == 404
    assert client.post(f"{base}/rotate").status_code == 404
    assert client.post(f"{base}/delete").status_code == 404
    assert client.get(f"/producer/webhooks/deliveries/{delivery.id}").status_code == 404
    assert client.post(f"/producer/webhooks/deliveries/{delivery.id}/resend").status_code == 404

    db.session.expire_all()
    kept = db.session.get(WebhookEndpoint, endpoint.id)
    assert (kept.url, kept.secret) == (receiver.url(), secret)
    assert len(receiver.requests()) == 1  # the resend did not happen


def test_the_owner_edits_disables_rotates_and_deletes(client, auth, owner, make_endpoint):
    user, producer = owner
    endpoint, secret = make_endpoint(producer, "https://htx-che.vn/hook")
    auth.login(user.email)
    base = f"/producer/webhooks/{endpoint.id}"

    response = client.post(
        base,
        data={"url": "https://kho.htx-che.vn/ocop", "events": ["order.cancelled"], "enabled": ""},
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(base)
    db.session.expire_all()
    endpoint = db.session.get(WebhookEndpoint, endpoint.id)
    assert endpoint.url == "https://kho.htx-che.vn/ocop"
    assert endpoint.events == ["order.cancelled"]
    assert endpoint.enabled is False

    bad = client.post(base, data={"url": "https://192.168.1.2/x", "events": ["order.created"]})
    assert bad.status_code == 400

    rotated = client.post(f"{base}/rotate")
    assert rotated.status_code == 200
    new = secret_on(rotated.get_data(as_text=True))
    db.session.expire_all()
    endpoint = db.session.get(WebhookEndpoint, endpoint.id)
    assert (endpoint.secret, endpoint.previous_secret) == (new, secret)
    assert new != secret

    deleted = client.post(f"{base}/delete")
    assert deleted.status_code == 303
    assert endpoint_count() == 0


def test_a_delivery_page_shows_the_outcome_and_sends_again(
    client, auth, owner, make_endpoint, make_listed, receiver
):
    user, producer = owner
    make_endpoint(producer, receiver.url())
    receiver.answers = [(500, "Kho đang bảo trì"), (200, "đã nhận")]
    app_order = order_for({make_listed(producer=producer): 1})
    delivery = db.session.scalar(select(WebhookDelivery))

    auth.login(user.email)
    page = client.get(f"/producer/webhooks/deliveries/{delivery.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Kho đang bảo trì" in html
    assert "500" in html
    assert app_order.number in html
    assert "Gửi lại" not in html  # still pending: its retries are on their way

    index = client.get("/producer/webhooks")
    assert "Đơn hàng mới" in index.get_data(as_text=True)

    # Given up, then sent again by hand.
    delivery.status = DeliveryStatus.FAILED
    db.session.commit()
    assert "Gửi lại" in client.get(f"/producer/webhooks/deliveries/{delivery.id}").get_data(
        as_text=True
    )
    response = client.post(f"/producer/webhooks/deliveries/{delivery.id}/resend")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/producer/webhooks/deliveries/{delivery.id}")
    got = receiver.requests()
    assert len(got) == 2
    assert got[0].headers["OCOP-Event-Id"] == got[1].headers["OCOP-Event-Id"]
    assert got[1].headers["OCOP-Delivery-Attempt"] == "1"
    db.session.expire_all()
    delivery = db.session.get(WebhookDelivery, delivery.id)
    assert (delivery.status, delivery.round, delivery.attempts, delivery.response_status) == (
        DeliveryStatus.SUCCEEDED,
        2,
        1,
        200,
    )
    page = client.get(f"/producer/webhooks/deliveries/{delivery.id}").get_data(as_text=True)
    assert "đã nhận" in page


def test_a_pending_delivery_cannot_be_sent_twice(client, auth, owner, make_endpoint, make_listed):
    from tests.peers import closed_port

    user, producer = owner
    make_endpoint(producer, f"http://127.0.0.1:{closed_port()}/hook")
    order_for({make_listed(producer=producer): 1})
    delivery = db.session.scalar(select(WebhookDelivery))
    assert delivery.status is DeliveryStatus.PENDING
    auth.login(user.email)
    response = client.post(f"/producer/webhooks/deliveries/{delivery.id}/resend")
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(WebhookDelivery, delivery.id).round == 1


def test_the_number_of_endpoints_is_bounded(app, client, auth, owner, make_endpoint):
    app.config["WEBHOOK_MAX_ENDPOINTS"] = 2
    user, producer = owner
    make_endpoint(producer, "https://a.htx-che.vn/hook")
    make_endpoint(producer, "https://b.htx-che.vn/hook")
    auth.login(user.email)
    response = client.post(
        "/producer/webhooks", data={"url": "https://c.htx-che.vn/h", "events": ["order.created"]}
    )
    assert response.status_code == 400
    assert "tối đa 2" in response.get_data(as_text=True)
    assert endpoint_count() == 2
