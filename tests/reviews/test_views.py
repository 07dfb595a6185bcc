"""The buyer's review from the order page: who may write it, when, how often, and
what a bad rating or photo gets (a form error, never a 500)."""

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from shop.extensions import db
from shop.orders.models import ShipmentStatus
from shop.reviews.models import Review
from shop.storage import storage
from tests.helpers_http import assert_redirect
from tests.reviews.conftest import mails_to, review_url


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Review))


def _png(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(out, format="PNG")
    return out.getvalue()


def test_the_buyer_reviews_a_delivered_line(client, auth, buyer, tea, make_delivered):
    order = make_delivered()
    auth.login(buyer.email)
    page = client.get(f"/orders/{order.number}")
    assert page.status_code == 200
    assert review_url(order) in page.get_data(as_text=True)  # the "Đánh giá" link

    assert client.get(review_url(order)).status_code == 200
    response = client.post(review_url(order), data={"rating": "5", "body": " Chè thơm, ngon. "})
    assert_redirect(response, f"/orders/{order.number}", 303)
    review = db.session.scalar(select(Review))
    assert (review.rating, review.body, review.product_id) == (5, "Chè thơm, ngon.", tea.id)
    assert (review.author_id, review.author_name) == (buyer.id, "Bình T.")
    assert review.producer_id == tea.producer_id
    assert review.created_at.tzinfo is not None or db.engine.dialect.name == "sqlite"
    # The producer is told, through the outbox.
    [mail] = mails_to(tea.producer.email)
    assert "5/5" in mail["body"]
    assert "Chè Shan Tuyết" in mail["subject"]
    # The order page now says it is done, with no second link.
    page = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert "Đã đánh giá" in page
    assert review_url(order) not in page


@pytest.mark.parametrize("upto", [None, ShipmentStatus.CONFIRMED, ShipmentStatus.SHIPPED], ids=str)
def test_not_delivered_is_refused(client, auth, buyer, make_delivered, upto):
    order = make_delivered(upto=upto)
    auth.login(buyer.email)
    assert client.get(review_url(order)).status_code == 409
    assert client.post(review_url(order), data={"rating": "5"}).status_code == 409
    assert _count() == 0
    assert review_url(order) not in client.get(f"/orders/{order.number}").get_data(as_text=True)


def test_another_users_line_is_a_404(client, auth, make_user, make_delivered):
    order = make_delivered()
    other = make_user(email="other@example.vn")
    auth.login(other.email)
    assert client.get(review_url(order)).status_code == 404
    assert client.post(review_url(order), data={"rating": "1"}).status_code == 404
    assert _count() == 0


def test_a_line_of_another_order_is_a_404(client, auth, buyer, make_delivered):
    mine, theirs = make_delivered(), make_delivered(user=None)
    auth.login(buyer.email)
    assert client.post(review_url(mine, theirs.lines[0]), data={"rating": "5"}).status_code == 404
    assert _count() == 0


def test_staff_cannot_review_a_customers_order(client, auth, staff, make_delivered):
    order = make_delivered(user=None)
    auth.login(staff.email)
    response = client.post(review_url(order, key=order.access_key), data={"rating": "5"})
    assert response.status_code == 404
    assert _count() == 0


def test_a_second_review_of_the_same_line_is_refused(client, auth, buyer, make_delivered):
    order = make_delivered()
    auth.login(buyer.email)
    assert_redirect(
        client.post(review_url(order), data={"rating": "4"}), f"/orders/{order.number}", 303
    )
    again = client.post(review_url(order), data={"rating": "1", "body": "Đổi ý"})
    assert_redirect(again, f"/orders/{order.number}", 303)
    assert _count() == 1
    assert db.session.scalar(select(Review.rating)) == 4


def test_the_service_refuses_a_second_review_too(app, buyer, make_delivered):
    from shop.reviews.rules import AlreadyReviewed, Reviewer
    from shop.reviews.services import submit_review

    line = make_delivered().lines[0]
    submit_review(line, Reviewer(buyer.id), rating=5)
    db.session.commit()
    with pytest.raises(AlreadyReviewed):
        submit_review(line, Reviewer(buyer.id), rating=3)
    db.session.rollback()
    assert _count() == 1


@pytest.mark.parametrize("rating", ["0", "6", "x", "", "4.5", "-1", "99999999999999999999"])
def test_a_bad_rating_is_a_form_error(client, auth, buyer, make_delivered, rating):
    order = make_delivered()
    auth.login(buyer.email)
    response = client.post(review_url(order), data={"rating": rating, "body": "Ngon"})
    assert response.status_code == 400
    assert "Hãy chọn từ 1 đến 5 sao." in response.get_data(as_text=True)
    assert _count() == 0


def test_a_missing_rating_is_a_form_error(client, auth, buyer, make_delivered):
    order = make_delivered()
    auth.login(buyer.email)
    response = client.post(review_url(order), data={"body": "Ngon"})
    assert response.status_code == 400
    assert _count() == 0


def test_too_long_a_text_is_a_form_error(client, auth, buyer, make_delivered):
    order = make_delivered()
    auth.login(buyer.email)
    response = client.post(review_url(order), data={"rating": "5", "body": "x" * 2001})
    assert response.status_code == 400
    assert _count() == 0


def test_a_guest_reviews_through_the_orders_link(client, make_delivered):
    order = make_delivered(user=None)
    assert client.get(review_url(order)).status_code == 404  # no link, no order
    page = client.get(f"/orders/{order.number}?key={order.access_key}")
    assert page.status_code == 200
    assert f"review?key={order.access_key}" in page.get_data(as_text=True)
    response = client.post(review_url(order, key=order.access_key), data={"rating": "4"})
    assert_redirect(response, f"/orders/{order.number}", 303, query={"key": order.access_key})
    review = db.session.scalar(select(Review))
    assert (review.author_id, review.author_name, review.rating) == (None, "Bình T.", 4)


def test_a_wrong_key_is_a_404(client, make_delivered):
    order = make_delivered(user=None)
    response = client.post(review_url(order, key="x" * 43), data={"rating": "4"})
    assert response.status_code == 404
    assert _count() == 0


def test_a_photo_is_stored_and_served(client, auth, buyer, make_delivered):
    order = make_delivered()
    auth.login(buyer.email)
    response = client.post(
        review_url(order),
        data={"rating": "5", "photo": (io.BytesIO(_png()), "che.png")},
        content_type="multipart/form-data",
    )
    assert_redirect(response, f"/orders/{order.number}", 303)
    review = db.session.scalar(select(Review))
    assert review.photo_path.startswith("reviews/")
    assert review.photo_path.endswith(".webp")
    assert storage().read(review.photo_path)[:4] == b"RIFF"
    with client.get(f"/reviews/{review.id}/photo") as served:
        assert served.status_code == 200
        assert served.mimetype == "image/webp"
    # The thumbnail is the worker's (outbox); until it exists the original answers.
    with client.get(f"/reviews/{review.id}/photo/thumb") as thumb:
        assert thumb.status_code == 200


@pytest.mark.parametrize(
    ("data", "name"),
    [(b"not an image at all", "che.png"), (b'<svg xmlns="http://www.w3.org/2000/svg"/>', "x.svg")],
)
def test_a_bad_photo_is_a_form_error_and_nothing_is_kept(
    client, auth, buyer, make_delivered, tmp_path, data, name
):
    order = make_delivered()
    auth.login(buyer.email)
    response = client.post(
        review_url(order),
        data={"rating": "5", "photo": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert _count() == 0
    assert not list((tmp_path / "uploads").rglob("reviews/*"))


def test_a_too_large_photo_is_a_form_error(client, auth, buyer, make_delivered, monkeypatch):
    from shop.reviews import views

    monkeypatch.setattr(views, "PHOTO_MAX_BYTES", 100)
    order = make_delivered()
    auth.login(buyer.email)
    response = client.post(
        review_url(order),
        data={"rating": "5", "photo": (io.BytesIO(_png((300, 300))), "big.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "Tệp quá lớn" in response.get_data(as_text=True)
    assert _count() == 0


def test_a_rolled_back_review_leaves_no_photo(app, buyer, make_delivered, tmp_path):
    from shop.reviews.rules import Reviewer
    from shop.reviews.services import submit_review
    from shop.uploads import check_photo

    class Upload(io.BytesIO):
        filename = "che.png"

    line = make_delivered().lines[0]
    data, _w, _h = check_photo(Upload(_png()), 10_000_000)
    review = submit_review(line, Reviewer(buyer.id), rating=5, photo=data)
    assert storage().read(review.photo_path)
    db.session.rollback()
    assert not list((tmp_path / "uploads").rglob("reviews/*"))
