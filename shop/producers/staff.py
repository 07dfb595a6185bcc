"""Staff: the producer verification queue and one producer's review."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop.auth.decorators import staff_required
from shop.extensions import db
from shop.producers import emails
from shop.producers import services as producers
from shop.producers.exceptions import InvalidTransition
from shop.producers.forms import ReasonForm
from shop.producers.models import Producer, ProducerStatus

bp = Blueprint("producers_staff", __name__, url_prefix="/staff")


@bp.get("/producers")
@staff_required
def producer_queue():
    try:
        status = ProducerStatus(request.args.get("status", ProducerStatus.PENDING.value))
    except ValueError:
        abort(400)
    items = db.session.scalars(producers.producers_in_status(status)).all()
    return render_template(
        "producers/staff_queue.html", producers=items, status=status, statuses=list(ProducerStatus)
    )


@bp.get("/producers/<int:producer_id>")
@staff_required
def producer_detail(producer_id: int):
    producer = db.get_or_404(Producer, producer_id)
    return render_template("producers/staff_detail.html", producer=producer, form=ReasonForm())


@bp.post("/producers/<int:producer_id>/verify")
@staff_required
def verify_producer(producer_id: int):
    producer = db.get_or_404(Producer, producer_id)
    form = ReasonForm()
    if not form.validate_on_submit() and "csrf_token" in form.errors:
        abort(400)
    try:
        producers.verify_producer(producer, current_user)
    except InvalidTransition:
        flash(_("Chủ thể này đã được xác minh."), "info")
        return redirect(url_for(".producer_detail", producer_id=producer.id))
    emails.producer_reviewed(producer, approved=True)
    db.session.commit()
    flash(_("Đã xác minh chủ thể %(name)s.", name=producer.legal_name), "success")
    return redirect(url_for(".producer_queue"))


@bp.post("/producers/<int:producer_id>/reject")
@staff_required
def reject_producer(producer_id: int):
    producer = db.get_or_404(Producer, producer_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        return render_template("producers/staff_detail.html", producer=producer, form=form), 400
    try:
        producers.reject_producer(producer, current_user, form.reason.data.strip())
    except InvalidTransition:
        flash(_("Chủ thể này đã bị từ chối."), "info")
        return redirect(url_for(".producer_detail", producer_id=producer.id))
    emails.producer_reviewed(producer, approved=False, reason=producer.review_note)
    db.session.commit()
    flash(_("Đã từ chối hồ sơ chủ thể."), "success")
    return redirect(url_for(".producer_queue"))
