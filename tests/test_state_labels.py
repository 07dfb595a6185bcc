"""Templates do not decide: every state has its label next to its enum, and the
actions a page offers come from the state tables."""

import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from shop.catalog.models import ProductStatus
from shop.certification.models import ReviewState, review_actions
from shop.certification.rules import CertificateStatus
from shop.legal.rules import ComplaintStatus
from shop.orders.models import (
    OrderStatus,
    PaymentMethod,
    PaymentStatus,
    ShipmentStatus,
    state_label,
)
from shop.orders.states import allowed_actions
from shop.producers.models import MemberRole, ProducerKind, ProducerStatus

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# A state compared with a written value: status == "paid", state.value != 'new',
# review.value in ("pending", …).
COMPARES_STATE = re.compile(r"(status|state|review)(\.value)?\s*(==|!=|not in|in)\s*['\"(\[]")


def test_no_template_compares_a_state_string():
    offenders = [
        f"{path.relative_to(TEMPLATES)}:{n}: {line.strip()}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if COMPARES_STATE.search(line)
    ]
    assert offenders == []


def test_the_check_sees_a_comparison():
    assert COMPARES_STATE.search('{% if order.status.value == "pending_payment" %}')
    assert COMPARES_STATE.search("{% if shipment.status.value in ('new', 'confirmed') %}")
    assert not COMPARES_STATE.search('{% if "ship" in allowed %}')


@pytest.mark.parametrize(
    "enum_",
    [
        OrderStatus,
        PaymentStatus,
        ShipmentStatus,
        PaymentMethod,
        CertificateStatus,
        ProducerStatus,
        ProducerKind,
        MemberRole,
        ProductStatus,
        ComplaintStatus,
    ],
)
def test_every_state_has_a_label(app, enum_):
    with app.test_request_context():
        labels = [str(member.label) for member in enum_]
    assert all(labels)


def test_labels_keep_their_vietnamese_words(app):
    with app.test_request_context():
        assert str(OrderStatus.AWAITING_DELIVERY.label) == "Chờ giao (COD)"
        assert str(ShipmentStatus.SHIPPED.label) == "Đang giao"
        assert str(CertificateStatus.SUPERSEDED.label) == "Đã được thay thế"
        assert str(state_label("payment", "partially_refunded")) == "Đã hoàn một phần"
        # A value the log holds but no enum knows is shown as stored.
        assert state_label("payment", "lost") == "lost"
        assert state_label("coupon", "used") == "used"


def _shipment(status, order_status):
    return SimpleNamespace(status=status, order=SimpleNamespace(status=order_status))


@pytest.mark.parametrize(
    ("shipment", "order", "expected"),
    [
        (ShipmentStatus.NEW, OrderStatus.PENDING_PAYMENT, set()),
        (ShipmentStatus.NEW, OrderStatus.PAID, {"confirm", "cancel"}),
        (ShipmentStatus.NEW, OrderStatus.AWAITING_DELIVERY, {"confirm", "cancel"}),
        (ShipmentStatus.CONFIRMED, OrderStatus.PAID, {"ship", "cancel"}),
        (ShipmentStatus.CONFIRMED, OrderStatus.CANCELLED, {"ship"}),
        (ShipmentStatus.SHIPPED, OrderStatus.PAID, {"deliver"}),
        (ShipmentStatus.DELIVERED, OrderStatus.COMPLETED, set()),
        (ShipmentStatus.CANCELLED, OrderStatus.CANCELLED, set()),
    ],
)
def test_shipment_actions_come_from_the_table(shipment, order, expected):
    assert allowed_actions(_shipment(shipment, order)) == expected


def test_certificate_review_actions():
    assert review_actions(ReviewState.PENDING, revoked=False) == {"verify", "reject"}
    assert review_actions(ReviewState.VERIFIED, revoked=False) == {"revoke"}
    assert review_actions(ReviewState.VERIFIED, revoked=True) == set()
    assert review_actions(ReviewState.REJECTED, revoked=False) == set()


def test_product_actions_in_page_order():
    assert ProductStatus.DRAFT.actions == ("publish", "archive")
    assert ProductStatus.PUBLISHED.actions == ("unpublish", "archive")
    assert ProductStatus.ARCHIVED.actions == ("publish",)
    assert ComplaintStatus.CLOSED.is_final
    assert not ComplaintStatus.ANSWERED.is_final
