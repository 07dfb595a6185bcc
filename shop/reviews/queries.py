"""The read side of reviews.

The rating a card shows (average and count of visible reviews) is computed, not
stored: one grouped query for all the products of a page (``rating_summaries``),
kept for the rest of the request in ``g``, so a page of 24 cards costs one query
whatever it shows. Columns on ``products`` would save that query but would have to
follow every submit, hide and unhide in the same transaction and be rebuilt if
they drifted; the index on (product_id, status) keeps the query cheap, and the
listing's rendered results are cached anyway.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from flask import g, has_app_context
from flask_babel import format_decimal
from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from shop.extensions import db
from shop.orders.models import Order, OrderLine
from shop.reviews.models import MAX_RATING, Review, ReviewStatus

_CACHE = "rating_summaries"


@dataclass(frozen=True, slots=True)
class RatingSummary:
    count: int
    total: int  # the sum of the ratings: the average is worked out from whole numbers

    @property
    def average(self) -> float:
        """Rounded to one decimal, as shown; 0 without reviews."""
        return round(self.total / self.count, 1) if self.count else 0.0

    @property
    def average_text(self) -> str:
        """ "4,5" in Vietnamese, "4.5" in English."""
        return format_decimal(self.average, format="0.0")

    @property
    def filled_stars(self) -> int:
        """Whole stars drawn for the average; a half rounds down (never overstated)."""
        return min(MAX_RATING, int(self.average + 0.49))

    def __bool__(self) -> bool:
        return self.count > 0


NO_REVIEWS = RatingSummary(0, 0)


def _ids(items: Iterable) -> list[int]:
    ids = []
    for item in items:
        product_id = item if isinstance(item, int) else getattr(item, "id", None)
        if product_id is not None:
            ids.append(product_id)
    return ids


def load_summaries(product_ids: Iterable[int]) -> dict[int, RatingSummary]:
    """The visible reviews' count and sum per product, in ONE grouped query."""
    ids = sorted(set(product_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        select(Review.product_id, func.count(Review.id), func.sum(Review.rating))
        .where(Review.product_id.in_(ids), Review.status == ReviewStatus.VISIBLE)
        .group_by(Review.product_id)
    )
    found = {product_id: RatingSummary(int(n), int(total or 0)) for product_id, n, total in rows}
    return {product_id: found.get(product_id, NO_REVIEWS) for product_id in ids}


def rating_summaries(items: Iterable) -> dict[int, RatingSummary]:
    """Summaries for products (ids or anything with an ``id``), for this request:
    what an earlier call loaded is not asked again. A template calls this once
    for a grid, then reads ``rating_summary(id)`` for each card."""
    ids = _ids(items)
    cache: dict[int, RatingSummary] = g.setdefault(_CACHE, {}) if has_app_context() else {}
    missing = [i for i in ids if i not in cache]
    if missing:
        cache.update(load_summaries(missing))
    return {i: cache[i] for i in ids}


def rating_summary(product_id: int) -> RatingSummary:
    """One product's summary (from this request's cache when a grid loaded it).
    The helper the product page's schema.org ``aggregateRating`` can use:
    ``{% set r = rating_summary(product.id) %}{% if r %}… r.average, r.count …{% endif %}``."""
    return rating_summaries([product_id])[product_id]


def forget_summaries() -> None:
    """Drop this request's cached summaries (after a change in the same request)."""
    if has_app_context():
        g.pop(_CACHE, None)


def breakdown(product_id: int) -> dict[int, int]:
    """How many visible reviews give each rating, 5 to 1 (one grouped query)."""
    rows = db.session.execute(
        select(Review.rating, func.count(Review.id))
        .where(Review.product_id == product_id, Review.status == ReviewStatus.VISIBLE)
        .group_by(Review.rating)
    )
    counts: dict[int, int] = dict(rows.all())  # type: ignore[arg-type]  # rows of two
    return {stars: int(counts.get(stars, 0)) for stars in range(MAX_RATING, 0, -1)}


def product_reviews(product_id: int) -> Select:
    """A product's visible reviews, newest first: for ``paginate`` or a limit."""
    return (
        select(Review)
        .where(Review.product_id == product_id, Review.status == ReviewStatus.VISIBLE)
        .order_by(Review.created_at.desc(), Review.id.desc())
    )


def recent_reviews(product_id: int, limit: int = 5) -> list[Review]:
    return list(db.session.scalars(product_reviews(product_id).limit(limit)))


def producer_reviews(producer_id: int, *, unanswered: bool = False) -> Select:
    """A producer's reviews, hidden ones included (it sees why), newest first."""
    query = (
        select(Review)
        .where(Review.producer_id == producer_id)
        .options(joinedload(Review.order_line))
        .order_by(Review.created_at.desc(), Review.id.desc())
    )
    if unanswered:
        query = query.where(Review.reply_body.is_(None))
    return query


def moderation_queue(status: ReviewStatus | None = None) -> Select:
    """Every review for staff, newest first; optionally only visible or hidden ones."""
    query = (
        select(Review)
        .options(joinedload(Review.order_line), joinedload(Review.hidden_by))
        .order_by(Review.created_at.desc(), Review.id.desc())
    )
    if status is not None:
        query = query.where(Review.status == status)
    return query


def reviews_of_order(order: Order) -> dict[int, Review]:
    """The order's reviews by line id, in one query (the order page's links)."""
    reviews = db.session.scalars(
        select(Review)
        .join(OrderLine, OrderLine.id == Review.order_line_id)
        .where(OrderLine.order_id == order.id)
    )
    return {review.order_line_id: review for review in reviews}
