"""Staff: the outbox (what waits, what died) and the periodic jobs' latest runs.

GET  /staff/outbox               backlog, dead and pending rows, latest job runs
POST /staff/outbox/<id>/retry    give a dead row a fresh set of attempts
"""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from shop.auth.decorators import staff_required
from shop.extensions import db
from shop.jobs.models import JobRun, OutboxMessage, OutboxStatus
from shop.jobs.services import backlog, requeue
from shop.pagination import Pager, paginate

bp = Blueprint("jobs_staff", __name__, url_prefix="/staff")

SHOWN = 100  # rows a page, in each table


def _rows(status: OutboxStatus, newest_first: bool, param: str) -> Pager:
    """One page of one table; each table has its own page argument."""
    order = OutboxMessage.updated_at.desc() if newest_first else OutboxMessage.created_at
    return paginate(
        select(OutboxMessage)
        .where(OutboxMessage.status == status)
        .order_by(order, OutboxMessage.id),
        SHOWN,
        param=param,
    )


@bp.get("/outbox")
@staff_required
def outbox():
    runs = db.session.scalars(select(JobRun).order_by(JobRun.started_at.desc()).limit(30)).all()
    return render_template(
        "jobs/outbox.html",
        counts=backlog(),
        dead=_rows(OutboxStatus.DEAD, newest_first=True, param="dead_page"),
        pending=_rows(OutboxStatus.PENDING, newest_first=False, param="pending_page"),
        runs=runs,
    )


@bp.post("/outbox/<int:message_id>/retry")
@staff_required
def retry(message_id: int):
    if requeue(message_id):
        db.session.commit()
        flash(_("Đã đưa thư/tác vụ vào hàng đợi gửi lại."), "success")
    else:
        db.session.rollback()
        flash(_("Mục này không còn ở trạng thái lỗi: không cần gửi lại."), "info")
    return redirect(url_for("jobs_staff.outbox"), 303)
