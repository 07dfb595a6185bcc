"""The producer's shipments: filtered by state with counts, paid and unpaid told
apart, and a packing slip per shipment whose QR code reads as the order number."""

import io
import re

import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image
from reportlab.graphics import renderPDF
from svglib.svglib import svg2rlg

from shop.extensions import db
from shop.orders.models import PaymentMethod, Shipment, ShipmentPayment, ShipmentStatus
from shop.orders.services import advance_shipment, apply_payment
from shop.orders.slip import order_qr_png, order_qr_svg
from tests.helpers_http import assert_redirect
from tests.orders.helpers import CONTACT, order_for


@pytest.fixture
def shipments(app, make_listed, make_producer):
    """Producer A: a new COD order, a new unpaid transfer, a paid and confirmed
    transfer, a shipped COD order. Producer B: one new COD order."""
    a, b = make_producer(), make_producer()
    tea = make_listed(producer=a, name="Chè Shan Tuyết", price=120_000, pack="Hộp 200 g", stock=50)
    cod_new = order_for({tea: 2})
    transfer_unpaid = order_for({tea: 1}, method=PaymentMethod.VIETQR)
    transfer_paid = order_for({tea: 1}, method=PaymentMethod.VIETQR)
    apply_payment(transfer_paid, transfer_paid.total_vnd, actor=None, actor_label="test")
    db.session.commit()
    advance_shipment(
        transfer_paid.shipments[0].id, ShipmentStatus.CONFIRMED, actor=None, actor_label="test"
    )
    cod_shipped = order_for({tea: 1})
    ship = cod_shipped.shipments[0].id
    advance_shipment(ship, ShipmentStatus.CONFIRMED, actor=None, actor_label="test")
    advance_shipment(
        ship,
        ShipmentStatus.SHIPPED,
        actor=None,
        actor_label="test",
        carrier="VNPost",
        tracking_number="EL1VN",
    )
    other = order_for({make_listed(producer=b): 1})
    db.session.commit()
    return {
        "a": a,
        "b": b,
        "cod_new": cod_new,
        "transfer_unpaid": transfer_unpaid,
        "transfer_paid": transfer_paid,
        "cod_shipped": cod_shipped,
        "other": other,
    }


def _login(auth, producer):
    assert_redirect(auth.login(producer.members[0].user.email), "/producer/")


def _tab_counts(page: str) -> dict[str, int]:
    nav = page[page.index('class="tabs state-tabs"') :]
    nav = nav[: nav.index("</nav>")]
    return {
        label.strip(): int(n)
        for label, n in re.findall(r'>([^<>]+?) <span class="count">(\d+)</span>', nav)
    }


def _rows(page: str) -> dict[str, str]:
    """Each table row's HTML, by the order number it shows."""
    body = page[page.index("<tbody>") : page.index("</tbody>")]
    rows = {}
    for row in body.split("<tr>")[1:]:
        number = re.search(r"(DH\d+)</a>", row)
        assert number
        rows[number.group(1)] = row
    return rows


def test_counts_per_state_in_one_grouped_query(client, auth, shipments, count_queries):
    _login(auth, shipments["a"])
    count_queries.clear()
    response = client.get("/producer/shipments")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert _tab_counts(page) == {
        "Tất cả": 4,
        "Mới": 2,
        "Đã xác nhận": 1,
        "Đang giao": 1,
        "Đã giao": 0,
        "Đã huỷ": 0,
    }
    grouped = [s for s in count_queries if "GROUP BY" in s.upper() and "shipments" in s]
    assert len(grouped) == 1
    assert set(_rows(page)) == {
        shipments[k].number for k in ("cod_new", "transfer_unpaid", "transfer_paid", "cod_shipped")
    }
    assert shipments["other"].number not in page


@pytest.mark.parametrize(
    ("state", "expected", "label"),
    [
        ("new", {"cod_new", "transfer_unpaid"}, "Mới"),
        ("confirmed", {"transfer_paid"}, "Đã xác nhận"),
        ("shipped", {"cod_shipped"}, "Đang giao"),
        ("cancelled", set(), "Đã huỷ"),
    ],
)
def test_filter_by_state(client, auth, shipments, state, expected, label):
    _login(auth, shipments["a"])
    response = client.get(f"/producer/shipments?state={state}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    current = re.search(r'<a href="([^"]+)" aria-current="page">([^<]+)<', page)
    assert current
    assert current.group(1) == f"/producer/shipments?state={state}"
    assert current.group(2).strip() == label
    if expected:
        assert set(_rows(page)) == {shipments[k].number for k in expected}
    else:
        assert "Không có đơn hàng nào ở trạng thái này." in page
        assert "<tbody>" not in page


def test_unknown_state_lists_all(client, auth, shipments):
    _login(auth, shipments["a"])
    response = client.get("/producer/shipments?state=paid")
    assert response.status_code == 200
    assert len(_rows(response.get_data(as_text=True))) == 4


def test_paging_keeps_the_filter(client, auth, shipments, monkeypatch):
    monkeypatch.setattr("shop.orders.views.SHIPMENTS_PAGE", 1)
    _login(auth, shipments["a"])
    first = client.get("/producer/shipments?state=new")
    assert first.status_code == 200
    page = first.get_data(as_text=True)
    assert set(_rows(page)) == {shipments["transfer_unpaid"].number}  # newest first
    assert 'href="/producer/shipments?state=new&amp;page=2"' in page
    second = client.get("/producer/shipments?state=new&page=2")
    assert second.status_code == 200
    assert set(_rows(second.get_data(as_text=True))) == {shipments["cod_new"].number}
    assert client.get("/producer/shipments?state=new&page=3").status_code == 404


def test_paid_and_unpaid_badges(client, auth, shipments):
    _login(auth, shipments["a"])
    response = client.get("/producer/shipments")
    assert response.status_code == 200
    rows = _rows(response.get_data(as_text=True))
    badge = {
        key: re.search(r'<span class="state pay-(\w+)">([^<]+)</span>', rows[shipments[key].number])
        for key in ("cod_new", "transfer_unpaid", "transfer_paid", "cod_shipped")
    }
    assert {k: (m.group(1), m.group(2)) for k, m in badge.items() if m} == {
        "cod_new": ("cod", "Thu tiền khi giao (COD)"),
        "transfer_unpaid": ("unpaid", "Chưa thanh toán"),
        "transfer_paid": ("paid", "Đã thanh toán"),
        "cod_shipped": ("cod", "Thu tiền khi giao (COD)"),
    }


def test_a_cod_shipment_is_paid_once_delivered(app, shipments):
    shipment = shipments["cod_shipped"].shipments[0]
    assert shipment.payment is ShipmentPayment.COD
    assert shipment.collect_on_delivery_vnd == shipment.total_vnd > 0
    advance_shipment(shipment.id, ShipmentStatus.DELIVERED, actor=None, actor_label="test")
    db.session.commit()
    shipment = db.session.get(Shipment, shipment.id)
    assert shipment.payment is ShipmentPayment.PAID
    assert shipment.collect_on_delivery_vnd == 0
    with app.test_request_context():
        assert [str(p.label) for p in ShipmentPayment] == [
            "Đã thanh toán",
            "Chưa thanh toán",
            "Thu tiền khi giao (COD)",
        ]


# -- the packing slip ---------------------------------------------------------------


def _slip(client, order):
    return client.get(f"/producer/shipments/{order.shipments[0].id}/slip")


def test_slip_of_a_cod_shipment(client, auth, shipments):
    order = shipments["cod_new"]
    _login(auth, shipments["a"])
    response = _slip(client, order)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert order.number in page
    lines = page[page.index("<tbody>") : page.index("</tbody>")]
    assert re.search(r"<td>Chè Shan Tuyết</td><td>Hộp 200 g</td><td class=\"num\">2</td>", lines)
    assert CONTACT.phone in page
    assert CONTACT.street in page
    assert order.address_line in page
    assert "Thu tiền khi giao (COD)" in page
    collect = order.shipments[0].total_vnd
    assert f"Thu hộ khi giao: <strong>{collect:,} ₫".replace(",", ".") in page
    # Printable: its own page, no site navigation, a print button and a fallback.
    assert 'class="subnav"' not in page
    assert '<header class="site' not in page
    assert "data-print" in page
    assert "<noscript>" in page
    assert "css/slip.css" in page


def test_slip_of_a_paid_shipment_asks_nothing_to_collect(client, auth, shipments):
    _login(auth, shipments["a"])
    response = _slip(client, shipments["transfer_paid"])
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Đã thanh toán" in page
    assert "Thu hộ khi giao" not in page
    response = _slip(client, shipments["transfer_unpaid"])
    assert response.status_code == 200
    assert "Chưa thanh toán" in response.get_data(as_text=True)


def test_another_producers_slip_is_a_404(client, auth, shipments):
    _login(auth, shipments["a"])
    assert _slip(client, shipments["other"]).status_code == 404
    auth.logout()
    _login(auth, shipments["b"])
    assert _slip(client, shipments["other"]).status_code == 200
    assert _slip(client, shipments["cod_new"]).status_code == 404


def test_a_guest_is_sent_to_login(client, shipments):
    path = f"/producer/shipments/{shipments['cod_new'].shipments[0].id}/slip"
    assert_redirect(client.get(path), "/login", query={"next": path})


def _decode(image: Image.Image) -> str:
    (result,) = zxingcpp.read_barcodes(image)
    assert result.format == zxingcpp.BarcodeFormat.QRCode
    return result.text


def _rasterise(svg: str) -> Image.Image:
    # svglib -> reportlab PDF -> pdfium bitmap, as tests/payments/test_vietqr.py does.
    drawing = svg2rlg(io.BytesIO(svg.encode()))
    assert drawing is not None
    pdf = pdfium.PdfDocument(renderPDF.drawToString(drawing))
    try:
        page = pdf[0]
        bitmap = page.render(scale=2)
        image = bitmap.to_pil()
        bitmap.close()
        page.close()
    finally:
        pdf.close()
    return image


def test_the_slips_qr_reads_as_the_order_number(client, auth, shipments):
    order = shipments["cod_new"]
    _login(auth, shipments["a"])
    response = _slip(client, order)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    svg = page[page.index("<svg") : page.index("</svg>") + len("</svg>")]
    assert svg == str(order_qr_svg(order.number))
    assert _decode(_rasterise(svg)) == order.number
    with Image.open(io.BytesIO(order_qr_png(order.number))) as image:
        image.load()
        assert _decode(image) == order.number


def test_qr_needs_a_number():
    with pytest.raises(ValueError, match="order number"):
        order_qr_png("")
