import pytest

from shop.orders.models import ShipmentStatus
from shop.reviews.rules import (
    AlreadyReviewed,
    InvalidReview,
    NotDelivered,
    NotTheBuyer,
    Reviewer,
    check_may_review,
    check_review,
    public_name,
)

DELIVERED = ShipmentStatus.DELIVERED


def test_the_buyer_may_review_a_delivered_line():
    check_may_review(
        order_user_id=7, reviewer=Reviewer(7), shipment_status=DELIVERED, already_reviewed=False
    )


@pytest.mark.parametrize("status", [s for s in ShipmentStatus if s is not DELIVERED])
def test_nothing_before_delivery(status):
    with pytest.raises(NotDelivered):
        check_may_review(
            order_user_id=7, reviewer=Reviewer(7), shipment_status=status, already_reviewed=False
        )


@pytest.mark.parametrize(
    ("order_user_id", "reviewer"),
    [
        (7, Reviewer(8)),  # another account
        (7, Reviewer(None, holds_link=True)),  # an account's order: the link is not enough
        (None, Reviewer(None)),  # a guest order without its link
        (None, Reviewer(9, holds_link=False)),
        (None, Reviewer(3, holds_link=True, is_staff=True)),  # staff open every link
    ],
)
def test_only_the_buyer(order_user_id, reviewer):
    with pytest.raises(NotTheBuyer):
        check_may_review(
            order_user_id=order_user_id,
            reviewer=reviewer,
            shipment_status=DELIVERED,
            already_reviewed=False,
        )


def test_a_guest_reviews_through_the_link():
    check_may_review(
        order_user_id=None,
        reviewer=Reviewer(None, holds_link=True),
        shipment_status=DELIVERED,
        already_reviewed=False,
    )


def test_once_per_line():
    with pytest.raises(AlreadyReviewed):
        check_may_review(
            order_user_id=7, reviewer=Reviewer(7), shipment_status=DELIVERED, already_reviewed=True
        )


@pytest.mark.parametrize("rating", [0, 6, -1, None, "4", True, 4.5])
def test_ratings_are_whole_stars_from_1_to_5(app, rating):
    with pytest.raises(InvalidReview):
        check_review(rating, "")


def test_body_has_a_limit(app):
    check_review(5, "x" * 2000)
    with pytest.raises(InvalidReview):
        check_review(5, "x" * 2001)


@pytest.mark.parametrize(
    ("full", "shown"),
    [("Trần Thị Bình", "Bình T."), ("Lan", "Lan"), ("  Nguyễn  Văn   An ", "An N.")],
)
def test_public_name_hides_the_full_name(full, shown):
    assert public_name(full) == shown
