"""Use cases of reviews. Each flushes and never commits: the caller commits once.

A new, hidden or shown-again review changes the rating a product card shows, so
each of those moves the catalogue's generation after the commit (the cached
listing fragments are keyed by it, shop/catalog/generation.py). A reply changes
no card and moves nothing.
"""

from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from shop.audit import services as audit
from shop.auth.models import User
from shop.catalog import generation
from shop.clock import utcnow
from shop.extensions import db
from shop.jobs.services import enqueue
from shop.orders.models import OrderLine
from shop.reviews import emails
from shop.reviews.models import Review, ReviewStatus
from shop.reviews.rules import (
    AlreadyReplied,
    AlreadyReviewed,
    InvalidModeration,
    NotYourProduct,
    Reviewer,
    check_may_review,
    check_reason,
    check_reply,
    check_review,
    clean_text,
    public_name,
)
from shop.uploads import store_upload

PHOTO_FOLDER = "reviews"


def is_reviewed(order_line_id: int) -> bool:
    return bool(db.session.scalar(select(exists().where(Review.order_line_id == order_line_id))))


def check_line(line: OrderLine, reviewer: Reviewer) -> None:
    """Raise why ``reviewer`` may not review ``line`` now (rules.check_may_review)."""
    check_may_review(
        order_user_id=line.order.user_id,
        reviewer=reviewer,
        shipment_status=line.shipment.status,
        already_reviewed=is_reviewed(line.id),
    )


def submit_review(
    line: OrderLine,
    reviewer: Reviewer,
    *,
    rating: int,
    body: str = "",
    photo: bytes | None = None,
    now: datetime | None = None,
) -> Review:
    """The buyer's review of one delivered line. ``photo`` is an image already
    checked and re-encoded (shop/uploads.py: check_photo); it is stored for this
    transaction only, so a rollback leaves no file behind."""
    body = clean_text(body)
    check_review(rating, body)
    check_line(line, reviewer)
    now = now or utcnow()
    review = Review(
        order_line_id=line.id,
        product_id=line.product_id,
        producer_id=line.producer_id,
        author_id=line.order.user_id,
        author_name=public_name(line.order.customer_name),
        rating=rating,
        body=body,
        status=ReviewStatus.VISIBLE,
        created_at=now,
        updated_at=now,
    )
    try:
        # Two tabs posting at once: the unique line id lets one in.
        with db.session.begin_nested():
            db.session.add(review)
    except IntegrityError as exc:
        raise AlreadyReviewed() from exc
    if photo is not None:
        review.photo_path = store_upload(photo, PHOTO_FOLDER, "image/webp").path
        # The worker makes the thumbnail after the commit (the outbox).
        enqueue("thumbnails", {"key": review.photo_path}, key=f"thumbnails:{review.photo_path}")
    generation.mark_changed(db.session)
    db.session.flush()
    emails.review_received(review)
    return review


def reply_to_review(
    review: Review, *, producer_id: int, actor: User, body: str, now: datetime | None = None
) -> Review:
    """The producer's one public reply. Another producer's review is a NotYourProduct."""
    if review.producer_id != producer_id:
        raise NotYourProduct()
    if review.reply_body is not None:
        raise AlreadyReplied()
    body = clean_text(body)
    check_reply(body)
    review.reply_body = body
    review.reply_by_id = actor.id
    review.replied_at = now or utcnow()
    db.session.flush()
    emails.reply_posted(review)
    return review


def hide_review(review: Review, *, actor: User, reason: str, now: datetime | None = None) -> Review:
    """Staff take a review off the shop, with a reason (audited)."""
    reason = " ".join((reason or "").split())
    check_reason(reason)
    if review.status is ReviewStatus.HIDDEN:
        raise InvalidModeration()
    review.status = ReviewStatus.HIDDEN
    review.hidden_reason = reason
    review.hidden_by_id = actor.id
    review.hidden_at = now or utcnow()
    generation.mark_changed(db.session)
    db.session.flush()
    audit.record(actor, "review.hide", review, reason, product_id=review.product_id)
    return review


def unhide_review(
    review: Review, *, actor: User, reason: str | None = None, now: datetime | None = None
) -> Review:
    """Staff put a hidden review back (audited, with the reason it was hidden)."""
    if review.status is ReviewStatus.VISIBLE:
        raise InvalidModeration()
    was = review.hidden_reason
    review.status = ReviewStatus.VISIBLE
    review.hidden_reason = None
    review.hidden_by_id = None
    review.hidden_at = None
    generation.mark_changed(db.session)
    db.session.flush()
    reason = " ".join((reason or "").split()) or None
    audit.record(actor, "review.unhide", review, reason, was_hidden_for=was or "")
    return review
