"""The wishlist's pages and the "Lưu" toggle."""

from sqlalchemy import func, select

from shop.extensions import db
from shop.wishlist.models import WishlistItem
from tests.conftest import PASSWORD
from tests.helpers_http import assert_redirect


def _items(user_id=None):
    query = select(func.count()).select_from(WishlistItem)
    if user_id is not None:
        query = query.where(WishlistItem.user_id == user_id)
    return db.session.scalar(query)


def test_toggling_twice_saves_then_removes(client, auth, make_user, make_listed):
    user = make_user(email="an@example.vn")
    product = make_listed(name="Chè Shan tuyết")
    assert_redirect(auth.login(user.email), "/")

    response = client.post("/account/wishlist/toggle", data={"product_id": product.id})
    assert_redirect(response, "/account/wishlist", 303)
    assert _items(user.id) == 1
    page = client.get("/account/wishlist")
    assert page.status_code == 200
    assert "Chè Shan tuyết" in page.text
    assert "350.000" in page.text

    response = client.post("/account/wishlist/toggle", data={"product_id": product.id})
    assert_redirect(response, "/account/wishlist", 303)
    assert _items(user.id) == 0


def test_one_row_per_user_and_product(app, make_user, make_listed):
    from shop.wishlist.services import save_product

    user = make_user()
    product = make_listed()
    assert save_product(user, product.id) is True
    assert save_product(user, product.id) is False
    db.session.commit()
    assert _items(user.id) == 1


def test_guest_goes_to_login_and_comes_back(client, auth, make_user, make_listed):
    user = make_user(email="an@example.vn")
    product = make_listed()
    page = f"/products/{product.slug}"
    response = client.post(
        "/account/wishlist/toggle", data={"product_id": product.id, "next": page}
    )
    assert_redirect(response, "/login", 303, query={"next": page})
    assert _items() == 0
    signed_in = client.post(f"/login?next={page}", data={"email": user.email, "password": PASSWORD})
    assert_redirect(signed_in, page)


def test_foreign_next_is_ignored(client, make_listed):
    product = make_listed()
    response = client.post(
        "/account/wishlist/toggle",
        data={"product_id": product.id, "next": "//evil.example/x"},
    )
    assert_redirect(response, "/login", 303, query={"next": f"/products/{product.slug}"})


def test_unknown_or_unpublished_product_is_404(client, auth, make_user, make_product):
    user = make_user()
    draft = make_product()
    assert_redirect(auth.login(user.email), "/")
    for product_id in (draft.id, 999_999, "abc"):
        response = client.post("/account/wishlist/toggle", data={"product_id": product_id})
        assert response.status_code == 404
    assert _items() == 0


def test_another_user_cannot_remove_my_item(client, auth, make_user, make_listed):
    from shop.wishlist.services import save_product

    me = make_user(email="me@example.vn")
    other = make_user(email="other@example.vn")
    product = make_listed()
    save_product(me, product.id)
    db.session.commit()
    item_id = db.session.scalar(select(WishlistItem.id))

    assert_redirect(auth.login(other.email), "/")
    assert client.post(f"/account/wishlist/{item_id}/remove").status_code == 404
    assert _items(me.id) == 1

    client.post("/logout")
    assert_redirect(auth.login(me.email), "/")
    assert_redirect(client.post(f"/account/wishlist/{item_id}/remove"), "/account/wishlist", 303)
    assert _items(me.id) == 0


def test_wishlist_page_needs_login(client):
    assert_redirect(client.get("/account/wishlist"), "/login", query={"next": "/account/wishlist"})


def test_wishlist_shows_stock_and_certificate_state(client, auth, make_user, make_listed):
    from datetime import date

    from shop.wishlist.services import save_product

    user = make_user()
    sold_out = make_listed(name="Mật ong bạc hà", stock=0)
    # Decided in 2020: three years of validity, long expired.
    expired = make_listed(name="Miến dong", decision_date=date(2020, 1, 10))
    for product in (sold_out, expired):
        save_product(user, product.id)
    db.session.commit()
    assert_redirect(auth.login(user.email), "/")
    page = client.get("/account/wishlist")
    assert page.status_code == 200
    assert "Hết hàng" in page.text
    assert "Chứng nhận OCOP không còn hiệu lực" in page.text


def test_product_page_stays_cacheable_and_neutral(client, auth, make_user, make_listed):
    from shop.wishlist.services import save_product

    user = make_user()
    product = make_listed()
    save_product(user, product.id)
    db.session.commit()
    assert_redirect(auth.login(user.email), "/")
    page = client.get(f"/products/{product.slug}")
    assert page.status_code == 200
    assert "public" in page.headers["Cache-Control"]
    assert 'aria-pressed="false"' in page.text  # the neutral form; session.js marks it
    state = client.get("/session.json").get_json()
    assert state["wishlist"] == [product.id]
    assert state["email"] == user.email
