"""Staff: complaints, the overdue first.

GET   /staff/complaints                  the list (?status=open|answered|closed)
GET   /staff/complaints/<id>             one complaint, with the answer and close forms
POST  /staff/complaints/<id>/answer      record the answer, e-mail it
POST  /staff/complaints/<id>/close       close it, with a reason
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop.auth.decorators import staff_required
from shop.clock import today_vn, utcnow
from shop.extensions import db
from shop.legal.forms import AnswerForm, CloseForm
from shop.legal.models import Complaint
from shop.legal.rules import ComplaintStatus, ComplaintTransitionError
from shop.legal.services import answer_complaint, close_complaint, complaints_for_staff
from shop.pagination import paginate

bp = Blueprint("legal_staff", __name__, url_prefix="/staff")

SHOWN = 200  # complaints a page


@bp.get("/complaints")
@staff_required
def index():
    try:
        status = ComplaintStatus(request.args["status"]) if request.args.get("status") else None
    except ValueError:
        abort(400)
    pager = paginate(complaints_for_staff(status), SHOWN)
    return render_template(
        "legal/staff_index.html",
        complaints=pager.items,
        pages=pager,
        status=status,
        statuses=list(ComplaintStatus),
        today=today_vn(),
    )


def _complaint(complaint_id: int) -> Complaint:
    complaint = db.session.get(Complaint, complaint_id)
    if complaint is None:
        abort(404)
    return complaint


def _detail(complaint, answer_form=None, close_form=None, status=200):
    return render_template(
        "legal/staff_detail.html",
        complaint=complaint,
        answer_form=answer_form or AnswerForm(formdata=None),
        close_form=close_form or CloseForm(formdata=None),
        today=today_vn(),
    ), status


@bp.get("/complaints/<int:complaint_id>")
@staff_required
def detail(complaint_id: int):
    return _detail(_complaint(complaint_id))


@bp.post("/complaints/<int:complaint_id>/answer")
@staff_required
def answer(complaint_id: int):
    complaint = _complaint(complaint_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        return _detail(complaint, answer_form=form, status=400)
    try:
        answer_complaint(complaint, current_user, form.answer.data, utcnow())
    except ComplaintTransitionError:
        db.session.rollback()
        flash(_("Khiếu nại đã đóng: không thể trả lời thêm."), "error")
        return _detail(_complaint(complaint_id), status=409)
    db.session.commit()  # the answer, its audit entry and its e-mail, sent after this
    flash(_("Đã ghi câu trả lời và gửi email cho người khiếu nại."), "success")
    return redirect(url_for("legal_staff.detail", complaint_id=complaint_id), 303)


@bp.post("/complaints/<int:complaint_id>/close")
@staff_required
def close(complaint_id: int):
    complaint = _complaint(complaint_id)
    form = CloseForm()
    if not form.validate_on_submit():
        return _detail(complaint, close_form=form, status=400)
    try:
        close_complaint(complaint, current_user, utcnow(), form.reason.data)
    except ComplaintTransitionError:
        db.session.rollback()
        flash(_("Khiếu nại này đã đóng."), "info")
        return redirect(url_for("legal_staff.detail", complaint_id=complaint_id), 303)
    db.session.commit()
    flash(_("Đã đóng khiếu nại."), "success")
    return redirect(url_for("legal_staff.index"), 303)
