"""The add-to-cart form on cached pages carries no CSRF token: ``/cart/add`` takes
a post from our own pages by the browser's Sec-Fetch-Site, Origin or Referer (or a
valid session token) and refuses a cross-site one."""

import re

import pytest

from tests.helpers_http import assert_redirect


@pytest.fixture
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True


def add(client, product, quantity=2, **headers):
    data = {"product_id": product.id, "quantity": quantity}
    if "csrf_token" in headers:
        data["csrf_token"] = headers.pop("csrf_token")
    return client.post("/cart/add", data=data, headers=headers)


def items(client) -> int:
    return client.get("/cart.json").get_json()["item_count"]


@pytest.mark.parametrize(
    "headers",
    [
        {},  # no header and no token: a script, or a browser from another age
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Referer": "https://evil.example/ocop-deals"},
        {"Origin": "http://localhost.evil.example"},
        # The browser's word wins over headers a page could not have forged anyway.
        {"Sec-Fetch-Site": "cross-site", "Origin": "http://localhost"},
        {"Sec-Fetch-Site": "same-site"},
        {"Sec-Fetch-Site": "none"},
        {"csrf_token": "not-a-token", "Origin": "http://localhost"},
    ],
)
def test_a_cross_site_post_is_refused(csrf_on, client, storefront, headers):
    response = add(client, storefront.product, **headers)
    assert response.status_code == 403
    assert items(client) == 0


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "same-origin"},
        {"Origin": "http://localhost"},
        {"Referer": "http://localhost/products/che"},
        {"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"},
    ],
)
def test_a_post_from_our_pages_is_taken(csrf_on, client, storefront, headers):
    assert_redirect(add(client, storefront.product, **headers), "/cart", 303)
    assert items(client) == 2


def test_a_post_with_the_session_token_is_taken(csrf_on, client, storefront):
    """Clients that send no Origin (scripts, load tests) can use the token."""
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert_redirect(add(client, storefront.product, csrf_token=token), "/cart", 303)
    assert items(client) == 2


def test_a_cross_site_ajax_post_is_refused(csrf_on, client, storefront):
    response = add(
        client, storefront.product, Origin="https://evil.example", Accept="application/json"
    )
    assert response.status_code == 403
    assert items(client) == 0


def test_the_other_cart_forms_still_need_the_token(csrf_on, client, storefront):
    assert_redirect(add(client, storefront.product, Origin="http://localhost"), "/cart", 303)
    response = client.post(
        "/cart/change",
        data={"product_id": storefront.product.id, "quantity": 0},
        headers={"Origin": "http://localhost"},
    )
    assert response.status_code == 400
    assert items(client) == 2
