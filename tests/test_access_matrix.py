"""Who may reach what, checked over the whole URL map rather than route by route.

A new route under /producer or /staff is covered automatically; one with an
argument this test does not know fails until the test learns it.
"""

from itertools import product

import pytest

from shop.auth.models import Role
from shop.certification.models import Certificate
from tests.helpers_http import assert_redirect, assert_signed_in

PRODUCER_PREFIX = "/producer"
STAFF_PREFIX = "/staff"
CENTRE_PREFIX = "/centre"  # a sales centre's own staff (tests/centres covers the 403s)


def _rules(app, prefix):
    return [
        r for r in app.url_map.iter_rules() if r.rule == prefix or r.rule.startswith(prefix + "/")
    ]


def _paths(rule, args):
    """Every URL of the rule: list-valued arguments (e.g. actions) give one URL each."""
    names = sorted(rule.arguments)
    values = [args[n] if isinstance(args[n], list) else [args[n]] for n in names]
    paths = []
    for combo in product(*values):
        try:
            paths.append(rule.build(dict(zip(names, combo, strict=True)))[1])
        except ValueError:  # an action of another route, refused by this one's converter
            continue
    return paths


def _methods(rule):
    return sorted(m for m in rule.methods if m in {"GET", "POST"})


@pytest.fixture
def two_producers(make_user, make_producer, make_product, make_certificate):
    from shop.extensions import db

    a_owner = make_user(email="a@example.vn")
    b_owner = make_user(email="b@example.vn")
    a = make_producer(owner=a_owner)
    b = make_producer(owner=b_owner)
    b_product = make_product(b)
    b_certificate: Certificate = make_certificate(b_product, verified=False)
    make_product(a)
    from shop.catalog.services import add_photo
    from shop.labels.models import LabelArtwork

    staff_user = make_user(email="artwork-staff@example.vn")
    artwork = LabelArtwork(province_code=None, path="artwork/x.png", uploaded_by=staff_user)
    db.session.add(artwork)
    from datetime import date

    from shop.promotion.models import Campaign

    campaign = Campaign(
        slug="tet", title="Tết", starts_on=date(2026, 1, 1), ends_on=date(2026, 2, 1)
    )
    db.session.add(campaign)
    b_photo = add_photo(
        b_product, path="photos/b.webp", thumb_path="photos/b-t.webp", width=1, height=1
    )
    from shop.orders.models import Order, OrderStatus, PaymentMethod, Shipment

    order = Order(
        number="DH2611000001",
        checkout_token="t" * 43,
        access_key="k" * 43,
        customer_name="Khách",
        phone="0912345678",
        email="khach@example.vn",
        province_code=8,
        ward_code=763,
        street="1 Đường A",
        payment_method=PaymentMethod.COD,
        status=OrderStatus.AWAITING_DELIVERY,
        subtotal_vnd=0,
        shipping_vnd=0,
        total_vnd=0,
    )
    b_shipment = Shipment(order=order, producer_id=b.id, subtotal_vnd=0, shipping_vnd=0)
    from shop.settlements.models import Settlement

    b_settlement = Settlement(
        producer_id=b.id,
        month=date(2026, 10, 1),
        gross_vnd=0,
        refunds_vnd=0,
        commission_vnd=0,
        vat_withheld_vnd=0,
        pit_withheld_vnd=0,
        net_vnd=0,
        commission_bps=500,
        vat_bps=0,
        pit_bps=0,
    )
    from shop.orders.models import OrderLine
    from shop.reviews.models import Review

    b_line = OrderLine(
        order=order,
        shipment=b_shipment,
        product_id=b_product.id,
        producer_id=b.id,
        product_name=b_product.name,
        star_rank=4,
        product_set_id=b_product.product_set_id,
        province_code=8,
        unit_price_vnd=0,
        quantity=1,
        line_total_vnd=0,
    )
    b_review = Review(
        order_line=b_line, product_id=b_product.id, producer_id=b.id, author_name="Khách", rating=5
    )
    from shop.centres.models import Centre

    centre = Centre(
        name="Điểm bán OCOP",
        operator="Trung tâm XTTM",
        province_code=8,
        ward_code=763,
        street="Số 1",
        phone="0912345678",
    )
    db.session.add_all([order, b_shipment, b_settlement, b_line, b_review, centre])
    from shop.clock import utcnow
    from shop.producers.services import invite_member

    b_invitation, _token = invite_member(b, b.members[0].user, "invitee@example.vn", utcnow())
    from shop.legal.services import ComplaintInput, file_complaint

    complaint, _key = file_complaint(
        ComplaintInput("Khách", "khach@example.vn", None, order.number, "Hàng giao thiếu."),
        user=None,
        today=date(2026, 11, 27),
        working_days=3,
    )
    from shop.clock import today_vn
    from shop.rating.defaults import seed_defaults
    from tests.rating.helpers import submitted_application

    seed_defaults(today_vn().year)
    b_application = submitted_application(b_product, today_vn())
    from shop.tokens.services import create_token

    b_api_token, _secret = create_token(b, b.members[0].user, "B", ["orders:read"], utcnow())
    from shop.webhooks.models import EventType, WebhookDelivery, WebhookEndpoint

    b_endpoint = WebhookEndpoint(
        producer_id=b.id, url="https://b.example.vn/hook", events=["order.created"], secret="s"
    )
    b_delivery = WebhookDelivery(
        endpoint=b_endpoint,
        producer_id=b.id,
        event_id="evt_b",
        event_type=EventType.ORDER_CREATED,
        body="{}",
    )
    db.session.add_all([b_endpoint, b_delivery])
    db.session.commit()
    return {
        "a": a,
        "b": b,
        "b_args": {
            "product_id": b_product.id,
            "certificate_id": b_certificate.id,
            "member_id": b.members[0].id,
            "photo_id": b_photo.id,
            "action": ["publish", "unpublish", "archive", "confirm", "ship", "deliver", "cancel"],
            "move": ["first", "up", "down"],  # the photo order
            "shipment_id": b_shipment.id,
            "number": order.number,
            "artwork_id": artwork.id,
            "campaign_id": campaign.id,
            "settlement_id": b_settlement.id,
            "invitation_id": b_invitation.id,
            "complaint_id": complaint.id,
            "review_id": b_review.id,
            "application_id": b_application.id,
            "document_id": b_application.documents[0].id,
            "sheet_id": b_application.sheet_id,
            "criterion_id": b_application.sheet.criteria[0].id,
            "stage_id": b_application.stage_id,
            "token_id": b_api_token.id,
            "endpoint_id": b_endpoint.id,
            "delivery_id": b_delivery.id,
            "message_id": 1,  # an outbox row (staff only): refused before it is looked up
            "token": "x" * 43,  # no such invitation: a 404 for anyone signed in
            "name": ["provinces", "sets", "stars", "producers", "centres", "certified", "expiring"],
            "centre_id": centre.id,
            "sale_id": 1,  # a till receipt: another centre's is a 404 (tests/centres)
            "code": "ABCD2345",  # a pick-up code: another centre's is a 404 (tests/centres)
        },
    }


def test_producer_cannot_reach_another_producers_objects(app, client, auth, two_producers):
    assert_redirect(auth.login("a@example.vn"), "/producer/")
    checked = 0
    for rule in _rules(app, PRODUCER_PREFIX):
        if not rule.arguments:
            continue
        unknown = rule.arguments - two_producers["b_args"].keys()
        assert not unknown, f"teach the access test about {unknown} in {rule.rule}"
        for path in _paths(rule, two_producers["b_args"]):
            for method in _methods(rule):
                response = client.open(path, method=method)
                assert response.status_code == 404, f"{method} {path} -> {response.status_code}"
                checked += 1
    assert checked >= 10
    # ...and B's data is untouched.
    from shop.extensions import db

    db.session.refresh(two_producers["b"])
    assert len(two_producers["b"].members) == 1


def test_anonymous_visitors_are_sent_to_login(app, client, two_producers):
    args = {"producer_id": two_producers["b"].id, **two_producers["b_args"]}
    rules = _rules(app, PRODUCER_PREFIX) + _rules(app, STAFF_PREFIX) + _rules(app, CENTRE_PREFIX)
    for rule in rules:
        for path in _paths(rule, args):
            for method in _methods(rule):
                response = client.open(path, method=method)
                assert_redirect(response, "/login", query={"next": path})


@pytest.mark.parametrize("role", [Role.CUSTOMER, Role.PRODUCER])
def test_non_staff_get_403_on_staff_pages(app, client, auth, make_user, two_producers, role):
    email = "a@example.vn" if role == Role.PRODUCER else "c@example.vn"
    if role == Role.CUSTOMER:
        make_user(email=email)
    assert_redirect(auth.login(email), "/producer/" if role == Role.PRODUCER else "/")
    args = {"producer_id": two_producers["b"].id, **two_producers["b_args"]}
    for rule in _rules(app, STAFF_PREFIX):
        for path in _paths(rule, args):
            for method in _methods(rule):
                response = client.open(path, method=method)
                assert response.status_code == 403, f"{role} {method} {path}"


def test_customer_without_producer_is_offered_registration(client, auth, make_user):
    make_user(email="c@example.vn")
    assert_signed_in(auth.login("c@example.vn"))
    for path in ("/producer/", "/producer/products", "/producer/certificates"):
        assert_redirect(client.get(path), "/producer/register")


def _staff_nav(page: str) -> str:
    start = page.index('<nav class="subnav" aria-label="Quản lý">')
    return page[start : page.index("</nav>", start)]


def test_staff_reach_every_staff_page(app, client, auth, make_user, two_producers):
    admin = make_user(email="admin@example.vn", role=Role.ADMIN)  # admins see the audit log too
    assert_redirect(auth.login(admin.email), "/staff/")
    args = {"producer_id": two_producers["b"].id, **two_producers["b_args"]}
    for rule in _rules(app, STAFF_PREFIX):
        if "GET" not in rule.methods or rule.endpoint.endswith(("_scan", "_image")):
            continue
        for path in _paths(rule, args):
            response = client.get(path)
            assert response.status_code == 200, path
            if response.mimetype == "text/html":
                # The console's one navigation, with the page's area marked once.
                nav = _staff_nav(response.get_data(as_text=True))
                assert nav.count('aria-current="page"') == 1, path
            response.close()  # a download (a dossier file) holds its file open until then


def test_member_of_a_producer_sees_its_pages(client, auth, two_producers):
    assert_redirect(auth.login("a@example.vn"), "/producer/")
    for path in (
        "/producer/",
        "/producer/products",
        "/producer/certificates",
        "/producer/members",
        "/producer/profile",
        "/producer/certificates/new",
        "/producer/products/new",
    ):
        assert client.get(path).status_code == 200, path
