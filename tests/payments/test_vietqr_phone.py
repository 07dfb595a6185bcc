"""VietQR on a phone: the code can be saved as an image, and the account number,
amount (digits only) and transfer content copied with one tap each; without
JavaScript they are plain selectable text. Card is offered at checkout only
when scripts run."""

import pytest

from shop.orders.models import PaymentMethod
from tests.orders.helpers import order_for


@pytest.fixture
def transfer_order(app, make_listed):
    return order_for({make_listed(price=125_000, stock=5): 2}, method=PaymentMethod.VIETQR)


def test_save_qr_downloads_the_png_with_a_sensible_name(client, transfer_order):
    order = transfer_order
    page = client.get(f"/orders/{order.number}?key={order.access_key}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    href = f"/orders/{order.number}/vietqr.png?download=1&amp;key={order.access_key}"
    assert f'href="{href}" download="VietQR-{order.number}.png">Lưu ảnh QR</a>' in html
    png = client.get(f"/orders/{order.number}/vietqr.png?download=1&key={order.access_key}")
    assert png.status_code == 200
    assert png.mimetype == "image/png"
    assert png.headers["Content-Disposition"] == (
        f'attachment; filename="VietQR-{order.number}.png"'
    )
    assert png.data.startswith(b"\x89PNG")
    shown = client.get(f"/orders/{order.number}/vietqr.png?key={order.access_key}")
    assert "Content-Disposition" not in shown.headers  # the page's image stays inline


def test_copy_buttons_copy_bare_values_and_are_hidden_without_js(app, client, transfer_order):
    order = transfer_order
    html = client.get(f"/orders/{order.number}?key={order.access_key}").get_data(as_text=True)
    account = app.config["VIETQR_ACCOUNT"]
    assert f'id="qr-account" class="copy-text" data-copy-value="{account}">{account}</span>' in html
    # The amount is copied as digits only, shown formatted.
    assert 'id="qr-amount" class="copy-text" data-copy-value="280000">280.000 ₫</span>' in html
    assert f'id="qr-content" class="copy-text" data-copy-value="{order.number}">' in html
    for source in ("qr-account", "qr-amount", "qr-content"):
        assert f'data-copy-from="{source}"' in html
    assert html.count('class="secondary copy-button"') == 3
    assert html.count('copy-button" data-copy-from') == 3
    assert 'data-done="Đã chép"' in html
    assert "/static/js/copy.js" in html
    assert "cdn" not in html.lower()


def test_card_is_offered_at_checkout_only_with_javascript(client, make_listed):
    product = make_listed(price=50_000, stock=5)
    client.post("/cart/add", data={"product_id": product.id, "quantity": 1})
    page = client.get("/checkout")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<div class="payment-choice" data-needs-js hidden>' in html
    assert 'value="card"' in html
    assert '<noscript><p class="muted">Thanh toán bằng thẻ cần JavaScript' in html
    assert "/static/js/checkout.js" in html
    assert "Email (không bắt buộc)" in html
