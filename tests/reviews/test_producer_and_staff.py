"""The producer's reply (its own products only) and the staff's moderation."""

import pytest
from sqlalchemy import select

from shop.audit.models import AuditEntry
from shop.extensions import db
from shop.reviews.models import Review, ReviewStatus
from shop.reviews.rules import Reviewer
from shop.reviews.services import submit_review
from tests.helpers_http import assert_redirect
from tests.reviews.conftest import mails_to


def _review_audit() -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.target_type == "reviews").order_by(AuditEntry.id)
    return list(db.session.scalars(query))


@pytest.fixture
def review_of(buyer, make_delivered):
    def build(product=None, rating=5, body="Chè thơm, nước xanh."):
        line = make_delivered(product=product).lines[0]
        review = submit_review(line, Reviewer(buyer.id), rating=rating, body=body)
        db.session.commit()
        return review

    return build


def test_producer_a_cannot_reply_to_producer_bs_review(
    client, auth, make_user, make_producer, make_listed, review_of
):
    owner_a = make_user(email="a@example.vn")
    make_producer(owner=owner_a)
    b_review = review_of(make_listed("Mật ong bạc hà"))
    auth.login(owner_a.email)
    response = client.post(f"/producer/reviews/{b_review.id}/reply", data={"body": "Cảm ơn!"})
    assert response.status_code == 404
    listing = client.get("/producer/reviews")
    assert listing.status_code == 200
    assert "Chè thơm" not in listing.get_data(as_text=True)  # not even listed to A
    db.session.expire_all()
    assert db.session.get(Review, b_review.id).reply_body is None


def test_the_producer_replies_once_and_the_buyer_is_told(client, auth, buyer, tea, review_of):
    review = review_of(tea)
    owner = tea.producer.members[0].user
    auth.login(owner.email)
    page = client.get("/producer/reviews")
    assert page.status_code == 200
    assert "Chè thơm, nước xanh." in page.get_data(as_text=True)
    response = client.post(f"/producer/reviews/{review.id}/reply", data={"body": "Cảm ơn chị!"})
    assert_redirect(response, "/producer/reviews", 303)
    db.session.expire_all()
    review = db.session.get(Review, review.id)
    assert (review.reply_body, review.reply_by_id) == ("Cảm ơn chị!", owner.id)
    [mail] = mails_to("binh@example.vn")[-1:]
    assert "Cảm ơn chị!" in mail["body"]
    again = client.post(f"/producer/reviews/{review.id}/reply", data={"body": "Lần hai"})
    assert again.status_code == 409
    db.session.expire_all()
    assert db.session.get(Review, review.id).reply_body == "Cảm ơn chị!"
    # The reply is public, on the product page.
    product_page = client.get(f"/products/{tea.slug}").get_data(as_text=True)
    assert "Phản hồi của người bán" in product_page
    assert "Cảm ơn chị!" in product_page


def test_an_empty_reply_is_a_form_error(client, auth, tea, review_of):
    review = review_of(tea)
    auth.login(tea.producer.members[0].user.email)
    assert (
        client.post(f"/producer/reviews/{review.id}/reply", data={"body": " "}).status_code == 400
    )


def test_hiding_needs_a_reason_and_is_audited(client, auth, staff, tea, review_of):
    review = review_of(tea, rating=1, body="Số điện thoại người bán 0912…")
    auth.login(staff.email)
    assert client.get("/staff/reviews").status_code == 200
    refused = client.post(f"/staff/reviews/{review.id}/hide", data={"reason": "  "})
    assert refused.status_code == 400
    db.session.expire_all()
    assert db.session.get(Review, review.id).status is ReviewStatus.VISIBLE
    assert _review_audit() == []

    response = client.post(
        f"/staff/reviews/{review.id}/hide", data={"reason": "Lộ thông tin cá nhân"}
    )
    assert_redirect(response, "/staff/reviews", 303)
    db.session.expire_all()
    review = db.session.get(Review, review.id)
    assert review.status is ReviewStatus.HIDDEN
    assert (review.hidden_reason, review.hidden_by_id) == ("Lộ thông tin cá nhân", staff.id)
    [entry] = _review_audit()
    assert (entry.action, entry.target_type, entry.target_id) == (
        "review.hide",
        "reviews",
        review.id,
    )
    assert (entry.actor_id, entry.reason) == (staff.id, "Lộ thông tin cá nhân")

    assert_redirect(client.post(f"/staff/reviews/{review.id}/unhide"), "/staff/reviews", 303)
    db.session.expire_all()
    assert db.session.get(Review, review.id).status is ReviewStatus.VISIBLE
    assert [e.action for e in _review_audit()] == ["review.hide", "review.unhide"]


def test_a_hidden_review_leaves_the_product_page_and_the_average(
    client, make_user, staff, tea, review_of
):
    from shop.reviews.queries import load_summaries
    from shop.reviews.services import hide_review

    review_of(tea, rating=5, body="Tuyệt vời")
    bad = review_of(tea, rating=1, body="Quảng cáo shop khác")
    page = client.get(f"/products/{tea.slug}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Quảng cáo shop khác" in text
    assert "3,0 trên 5 sao, 2 đánh giá" in text
    assert load_summaries([tea.id])[tea.id].average == 3.0

    hide_review(bad, actor=staff, reason="Quảng cáo")
    db.session.commit()
    text = client.get(f"/products/{tea.slug}").get_data(as_text=True)
    assert "Quảng cáo shop khác" not in text
    assert "5,0 trên 5 sao, 1 đánh giá" in text
    assert load_summaries([tea.id])[tea.id].count == 1
    assert client.get(f"/reviews/{bad.id}/photo").status_code == 404


def test_the_reviews_page_pages(client, tea, review_of):
    for n in range(12):
        review_of(tea, rating=4, body=f"Nhận xét số {n}")
    first = client.get(f"/products/{tea.slug}/reviews")
    assert first.status_code == 200
    assert "Nhận xét số 11" in first.get_data(as_text=True)
    second = client.get(f"/products/{tea.slug}/reviews?page=2")
    assert second.status_code == 200
    assert "Nhận xét số 0" in second.get_data(as_text=True)
    assert client.get(f"/products/{tea.slug}/reviews?page=3").status_code == 404
    assert "Xem tất cả 12 đánh giá" in client.get(f"/products/{tea.slug}").get_data(as_text=True)


def test_customers_cannot_moderate(client, auth, make_user, tea, review_of):
    review = review_of(tea)
    make_user(email="c@example.vn")
    auth.login("c@example.vn")
    assert client.get("/staff/reviews").status_code == 403
    assert client.post(f"/staff/reviews/{review.id}/hide", data={"reason": "x"}).status_code == 403
