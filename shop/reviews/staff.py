"""Staff moderate reviews: hide with a reason, show again; both audited (shop/audit).

GET  /staff/reviews?status=visible|hidden   the queue, newest first
POST /staff/reviews/<review_id>/hide         take a review off the shop (a reason is required)
POST /staff/reviews/<review_id>/unhide       put it back
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop.auth.decorators import staff_required
from shop.extensions import db
from shop.pagination import paginate
from shop.reviews import queries, services
from shop.reviews.forms import HideForm
from shop.reviews.models import Review, ReviewStatus
from shop.reviews.rules import ReviewError

bp = Blueprint("reviews_staff", __name__, url_prefix="/staff")

PER_PAGE = 50


def _status_filter() -> ReviewStatus | None:
    try:
        return ReviewStatus(request.args.get("status", ""))
    except ValueError:
        return None


def _queue(form: HideForm | None = None, form_for: int | None = None, status: int = 200):
    shown = _status_filter()
    pager = paginate(queries.moderation_queue(shown), PER_PAGE)
    return render_template(
        "reviews/staff_queue.html",
        reviews=pager.items,
        pages=pager,
        shown=shown,
        statuses=list(ReviewStatus),
        form=form,
        form_for=form_for,
        blank=HideForm(formdata=None),
    ), status


def _review(review_id: int) -> Review:
    review = db.session.get(Review, review_id)
    if review is None:
        abort(404)
    return review


@bp.get("/reviews")
@staff_required
def queue():
    return _queue()


@bp.post("/reviews/<int:review_id>/hide")
@staff_required
def hide(review_id: int):
    review = _review(review_id)
    form = HideForm()
    if not form.validate_on_submit():
        return _queue(form, review.id, 400)
    try:
        services.hide_review(review, actor=current_user, reason=form.reason.data)
    except ReviewError as exc:
        db.session.rollback()
        form.reason.errors = [exc.message]
        return _queue(form, review.id, exc.status)
    db.session.commit()
    flash(_("Đã ẩn đánh giá."), "success")
    return redirect(url_for("reviews_staff.queue") + f"#review-{review_id}", 303)


@bp.post("/reviews/<int:review_id>/unhide")
@staff_required
def unhide(review_id: int):
    review = _review(review_id)
    try:
        services.unhide_review(review, actor=current_user)
    except ReviewError as exc:
        db.session.rollback()
        flash(str(exc.message), "info")
    else:
        db.session.commit()
        flash(_("Đã hiển thị lại đánh giá."), "success")
    return redirect(url_for("reviews_staff.queue") + f"#review-{review_id}", 303)
