"""Public pages an edge cache can serve: the same bytes for every visitor, sent
public with an ETag; what is personal comes from /session.json; and no answer that
sets a cookie is ever public."""

import re

import pytest
from flask import make_response, render_template_string, session

from shop.core.edge import cacheable
from shop.extensions import db
from tests.conftest import PASSWORD
from tests.helpers_http import assert_redirect, assert_signed_in

# Shared caches keep a page a minute (and may serve it stale five more while they
# fetch it again); browsers ask again each time, cheaply (ETag: a 304).
PUBLIC = "public, max-age=0, s-maxage=60, stale-while-revalidate=300"
# The verification page: any cache may keep it, but must ask before each use, so a
# revoked or expired certificate is never shown as valid.
REVALIDATE = "public, no-cache"
NO_STORE = "private, no-store"


def expected(url: str) -> str:
    return REVALIDATE if url.startswith(("/verify/", "/en/verify/")) else PUBLIC


def sign_in(app, email, full_name, make_user, **user_args):
    client = app.test_client()
    make_user(email=email, full_name=full_name, **user_args)
    assert_signed_in(client.post("/login", data={"email": email, "password": PASSWORD}))
    return client


def fill_cart(client, product, quantity):
    """Add through the form and leave its flash unread (not followed)."""
    response = client.post("/cart/add", data={"product_id": product.id, "quantity": quantity})
    assert_redirect(response, "/cart", 303)


def test_public_pages_are_public_with_an_etag(client, storefront):
    for url in storefront.urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == expected(url), url
        assert response.headers["ETag"], url
        assert "Set-Cookie" not in response.headers, url
        assert "cookie" not in response.headers.get("Vary", "").lower(), url
        page = response.get_data(as_text=True)
        # Forms carry an empty token field at most (session.js fills it for the signed-in).
        assert set(re.findall(r'name="csrf_token" value="([^"]*)"', page)) <= {""}, url


def test_a_conditional_get_answers_304_until_the_page_changes(client, storefront):
    url = f"/products/{storefront.product.slug}"
    first = client.get(url)
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Cache-Control"] == PUBLIC
    storefront.product.price_vnd = 190_000
    db.session.commit()
    changed = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != first.headers["ETag"]
    assert "190.000 ₫" in changed.get_data(as_text=True)


def test_every_visitor_gets_the_same_bytes(app, client, storefront, make_user):
    an = sign_in(app, "an@example.vn", "Trần Thị An", make_user)
    binh = sign_in(app, "binh@example.vn", "Lê Văn Bình", make_user)
    fill_cart(an, storefront.product, 2)
    fill_cart(binh, storefront.product, 3)
    fill_cart(client, storefront.product, 1)  # a guest with a cart and a flash
    tokens = [c.get("/session.json").get_json()["csrf_token"] for c in (an, binh)]
    fill_cart(an, storefront.product, 1)  # a flash waiting again
    for url in storefront.urls:
        answers = [c.get(url) for c in (client, an, binh)]
        assert [a.status_code for a in answers] == [200, 200, 200], url
        assert [a.headers["Cache-Control"] for a in answers] == [expected(url)] * 3, url
        assert len({a.data for a in answers}) == 1, url
        page = answers[0].get_data(as_text=True)
        for personal in ["Trần Thị An", "Lê Văn Bình", "an@example.vn", *tokens]:
            assert personal not in page, (url, personal)
    # The public pages did not show An's message, so they did not use it up.
    state = an.get("/session.json").get_json()
    assert state["flashes"] == [
        {"category": "success", "message": "Đã thêm “Chè Shan Tuyết Lũng Phìn” vào giỏ hàng."}
    ]


def test_session_json_says_who_and_what_is_in_the_cart(app, client, storefront, make_user):
    anonymous = client.get("/session.json")
    assert anonymous.status_code == 200
    assert anonymous.headers["Cache-Control"] == NO_STORE
    assert "Set-Cookie" not in anonymous.headers  # opening a page makes no session
    assert anonymous.get_json() == {
        "signed_in": False,
        "name": None,
        "role": None,
        "cart_count": 0,
        "cart_label": "0 sản phẩm",
        "csrf_token": None,
        "email": None,
        "wishlist": [],
        "flashes": [],
    }
    an = sign_in(app, "an@example.vn", "Trần Thị An", make_user)
    fill_cart(an, storefront.product, 2)
    response = an.get("/en/session.json")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == NO_STORE
    state = response.get_json()
    assert (state["signed_in"], state["name"], state["role"]) == (True, "Trần Thị An", "customer")
    assert state["cart_count"] == 2
    assert state["csrf_token"]
    assert state["cart_label"] == "2 item(s)"  # the language of the address asked
    # A message keeps the language of the page that flashed it.
    assert [f["message"] for f in state["flashes"]] == [
        "Đã thêm “Chè Shan Tuyết Lũng Phìn” vào giỏ hàng."
    ]
    assert an.get("/session.json").get_json()["flashes"] == []  # shown once


@pytest.mark.parametrize(("role", "expected"), [("staff", "staff"), ("admin", "staff")])
def test_session_json_names_the_staff_role(app, make_user, role, expected):
    from shop.auth.models import Role

    client = sign_in(app, "canbo@example.vn", "Cán bộ", make_user, role=Role(role))
    assert client.get("/session.json").get_json()["role"] == expected


def test_the_layout_leaves_the_personal_parts_to_session_js(app, storefront, make_user):
    an = sign_in(app, "an@example.vn", "Trần Thị An", make_user)
    page = an.get(f"/products/{storefront.product.slug}").get_data(as_text=True)
    assert 'src="/static/js/session.js' in page
    assert 'data-session-url="/session.json"' in page
    assert '<span class="badge" data-cart-count hidden></span>' in page
    # The add-to-cart form works without JavaScript, and without a token.
    form = re.search(
        r'<form method="post" action="/cart/add" class="add-to-cart">.*?</form>', page, re.S
    )
    assert form
    assert "csrf_token" not in form.group(0)
    # A personal page (private, no-store) still shows who is signed in without JavaScript.
    cart = an.get("/cart")
    assert cart.headers["Cache-Control"] == NO_STORE
    assert "Trần Thị An" in cart.get_data(as_text=True)
    assert "session.js" not in cart.get_data(as_text=True)


def test_a_cacheable_page_that_uses_the_session_is_not_public(app, client):
    @app.get("/_test/writes-session")
    @cacheable
    def writes_session():
        session["seen"] = True
        return "hello"

    @app.get("/_test/reads-user")
    @cacheable
    def reads_user():
        return render_template_string("{{ current_user.is_authenticated }}")

    @app.get("/_test/sets-cookie")
    @cacheable
    def sets_cookie():
        response = make_response("hello")
        response.set_cookie("seen", "1")
        return response

    for url in ("/_test/writes-session", "/_test/reads-user", "/_test/sets-cookie"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == NO_STORE, url
        assert "ETag" not in response.headers, url


def test_no_answer_that_sets_a_cookie_is_public(app, client, storefront, make_user):
    """Even a view that makes itself public: the session cookie has the last word."""

    @app.get("/_test/public-by-hand")
    def public_by_hand():
        session["seen"] = True
        response = make_response("hello")
        response.cache_control.public = True
        response.cache_control.max_age = 600
        return response

    seen = []
    inner = app.wsgi_app

    def recording_app(environ, start_response):
        """The headers as they leave the application, every hook and signal done."""

        def record(status, headers, exc_info=None):
            cookies = [value for name, value in headers if name.lower() == "set-cookie"]
            cache = [value for name, value in headers if name.lower() == "cache-control"]
            seen.append((cookies, cache[0] if cache else None))
            return start_response(status, headers, exc_info)

        return inner(environ, record)

    app.wsgi_app = recording_app
    assert client.get("/_test/public-by-hand").headers["Cache-Control"] == NO_STORE
    an = sign_in(app, "an@example.vn", "Trần Thị An", make_user)
    fill_cart(client, storefront.product, 1)
    fill_cart(an, storefront.product, 1)
    for visitor in (client, an):
        for url in [*storefront.urls, "/cart", "/session.json", "/login", "/en/cart"]:
            assert visitor.get(url).status_code in (200, 302), url
    assert_redirect(an.post("/logout"), "/")
    cookies_set = [cache for cookies, cache in seen if cookies]
    assert cookies_set  # the walk did set cookies (log in, carts, log out)
    assert all("public" not in (cache or "") for cache in cookies_set), cookies_set
