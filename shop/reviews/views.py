"""Buyers write reviews from their order page; everyone reads them.

GET/POST /orders/<number>/lines/<line_id>/review  the buyer's review of a delivered line
GET      /products/<slug>/reviews                 a product's visible reviews, page by page
GET      /reviews/<review_id>/photo[/thumb]       a visible review's photo
"""

import hmac

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from shop.catalog.models import Product, ProductStatus
from shop.core.edge import cacheable
from shop.extensions import db
from shop.orders.models import Order, OrderLine, ShipmentStatus
from shop.orders.views import load_order
from shop.pagination import paginate
from shop.reviews import queries, services
from shop.reviews.forms import RATING_WORDS, ReviewForm
from shop.reviews.models import Review
from shop.reviews.rules import AlreadyReviewed, NotTheBuyer, Reviewer, ReviewError, is_buyer
from shop.uploads import UploadRejected, check_photo, send_upload

bp = Blueprint("reviews", __name__)

REVIEWS_PAGE = 10
PHOTO_MAX_BYTES = 5 * 1024 * 1024  # a phone photo; re-encoded to WebP at 1600 px


def _reviewer(order: Order) -> Reviewer:
    key = request.values.get("key", "")
    signed_in = current_user.is_authenticated
    return Reviewer(
        user_id=current_user.id if signed_in else None,
        holds_link=bool(key) and hmac.compare_digest(key.encode(), order.access_key.encode()),
        is_staff=signed_in and current_user.is_staff,
    )


def _key_args(order: Order) -> dict:
    if current_user.is_authenticated and order.user_id == current_user.id:
        return {}
    return {"key": order.access_key}


def _order_page(order: Order):
    return redirect(url_for("payments.order", number=order.number, **_key_args(order)), 303)


@bp.route("/orders/<number>/lines/<int:line_id>/review", methods=["GET", "POST"])
def write(number: str, line_id: int):
    order = load_order(number)  # the buyer, the holder of the link, or staff; else 404
    line = db.session.get(OrderLine, line_id)
    if line is None or line.order_id != order.id:
        abort(404)
    reviewer = _reviewer(order)
    try:
        services.check_line(line, reviewer)
    except NotTheBuyer:
        abort(404)
    except AlreadyReviewed as exc:
        flash(str(exc.message), "info")
        return _order_page(order)
    except ReviewError as exc:
        return render_template(
            "reviews/refused.html", order=order, message=exc.message, key_args=_key_args(order)
        ), exc.status
    form = ReviewForm()
    if form.validate_on_submit():
        photo = None
        upload = form.photo.data
        if isinstance(upload, FileStorage) and upload.filename:
            try:
                photo, _w, _h = check_photo(upload, PHOTO_MAX_BYTES)
            except UploadRejected as exc:
                form.photo.errors = [str(exc)]
        if not form.errors:
            try:
                services.submit_review(
                    line, reviewer, rating=form.rating.data, body=form.body.data or "", photo=photo
                )
            except AlreadyReviewed as exc:
                db.session.rollback()
                flash(str(exc.message), "info")
                return _order_page(order)
            except ReviewError as exc:
                db.session.rollback()
                form.rating.errors = [exc.message]
            else:
                db.session.commit()
                flash(
                    _("Cảm ơn bạn đã đánh giá %(product)s.", product=line.product_name), "success"
                )
                return _order_page(order)
    return render_template(
        "reviews/write.html",
        form=form,
        order=order,
        line=line,
        key_args=_key_args(order),
        rating_words=RATING_WORDS,
    ), 400 if form.errors else 200


def order_review_links(order: Order) -> dict[int, dict]:
    """For the order page: each line of a delivered shipment, its review if written,
    or the address to write one when this visitor is the buyer. One query."""
    reviews = queries.reviews_of_order(order)
    buyer = is_buyer(order.user_id, _reviewer(order))
    delivered = {s.id for s in order.shipments if s.status is ShipmentStatus.DELIVERED}
    links = {}
    for line in order.lines:
        if line.shipment_id not in delivered:
            continue
        review = reviews.get(line.id)
        url = None
        if review is None and buyer:
            url = url_for("reviews.write", number=order.number, line_id=line.id, **_key_args(order))
        links[line.id] = {"line": line, "review": review, "url": url}
    return links


@bp.get("/products/<slug>/reviews")
@cacheable
def product_reviews(slug: str):
    product = db.session.scalar(select(Product).where(Product.slug == slug))
    if product is None or product.status != ProductStatus.PUBLISHED:
        abort(404)
    pager = paginate(queries.product_reviews(product.id), REVIEWS_PAGE)
    return render_template(
        "reviews/product_reviews.html",
        product=product,
        reviews=pager.items,
        pages=pager,
        summary=queries.rating_summary(product.id),
        breakdown=queries.breakdown(product.id),
    )


@bp.get("/reviews/<int:review_id>/photo", defaults={"thumb": False})
@bp.get("/reviews/<int:review_id>/photo/thumb", defaults={"thumb": True})
def photo(review_id: int, thumb: bool):
    """A visible review's photo; a hidden review's is gone with it."""
    review = db.session.get(Review, review_id)
    if review is None or not review.is_visible or not review.photo_path:
        abort(404)
    key = review.photo_thumb_path if thumb else review.photo_path
    return send_upload(key, "image/webp", max_age=3600)


def register_template_helpers(app) -> None:
    """The helpers other templates call: the cards' summaries (one query a grid),
    one product's summary (the product page, its schema.org aggregateRating),
    its latest reviews, and the order page's review links."""
    app.jinja_env.globals.update(
        rating_summaries=queries.rating_summaries,
        rating_summary=queries.rating_summary,
        recent_reviews=queries.recent_reviews,
        order_review_links=order_review_links,
    )
