"""A producer's reviews and its one public reply to each.

GET  /producer/reviews                        its products' reviews (?unanswered=1)
POST /producer/reviews/<review_id>/reply      the public reply; another producer's review is a 404
"""

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop.extensions import db
from shop.pagination import paginate
from shop.producers.access import own_or_404, producer_required
from shop.reviews import queries, services
from shop.reviews.forms import ReplyForm
from shop.reviews.models import Review
from shop.reviews.rules import ReviewError

bp = Blueprint("reviews_producer", __name__, url_prefix="/producer")

PER_PAGE = 50


def _list(form: ReplyForm | None = None, form_for: int | None = None, status: int = 200):
    unanswered = request.args.get("unanswered") == "1"
    pager = paginate(queries.producer_reviews(g.producer.id, unanswered=unanswered), PER_PAGE)
    return render_template(
        "reviews/producer_reviews.html",
        reviews=pager.items,
        pages=pager,
        unanswered=unanswered,
        form=form,
        form_for=form_for,
        blank=ReplyForm(formdata=None),
    ), status


@bp.get("/reviews")
@producer_required
def index():
    return _list()


@bp.post("/reviews/<int:review_id>/reply")
@producer_required
def reply(review_id: int):
    review = own_or_404(Review, review_id)
    form = ReplyForm()
    if not form.validate_on_submit():
        return _list(form, review.id, 400)
    try:
        services.reply_to_review(
            review, producer_id=g.producer.id, actor=current_user, body=form.body.data
        )
    except ReviewError as exc:
        db.session.rollback()
        form.body.errors = [exc.message]
        return _list(form, review.id, exc.status if exc.status != 404 else 400)
    db.session.commit()
    flash(_("Đã đăng trả lời."), "success")
    return redirect(url_for("reviews_producer.index") + f"#review-{review.id}", 303)
