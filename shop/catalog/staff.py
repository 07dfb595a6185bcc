"""Staff: who owns a GTIN, and grants of a GTIN to a second producer.

GET  /staff/gtins?gtin=<GTIN-13>   the owner, grants and products of a number; latest grants
POST /staff/gtins/grant            let a second producer carry a number, with a reason (audited)
"""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from shop.auth.decorators import staff_required
from shop.catalog import services
from shop.catalog.exceptions import GtinGrantError
from shop.catalog.forms import GTIN_MESSAGES, GtinGrantForm
from shop.catalog.gtin import InvalidGtin, ocop_gtin13
from shop.extensions import db
from shop.formfields import choices
from shop.producers.models import Producer

bp = Blueprint("catalog_staff", __name__, url_prefix="/staff")


def _grant_form(**kwargs) -> GtinGrantForm:
    form = GtinGrantForm(**kwargs)
    producers = db.session.execute(
        select(Producer.id, Producer.legal_name).order_by(Producer.legal_name, Producer.id)
    ).all()
    form.producer_id.choices = choices(producers, _l("— Chọn chủ thể —"))
    return form


def _page(form: GtinGrantForm, status: int = 200):
    raw = request.args.get("gtin", "") or (form.gtin.data or "")
    summary, error = None, None
    if raw.strip():
        try:
            summary = services.gtin_summary(ocop_gtin13(raw))
        except InvalidGtin as exc:
            error = GTIN_MESSAGES.get(str(exc), GTIN_MESSAGES["length"])
    grants = db.session.scalars(services.latest_grants()).all()
    return render_template(
        "catalog/staff_gtins.html",
        form=form,
        query=raw.strip(),
        summary=summary,
        error=error,
        grants=grants,
    ), (400 if error and status == 200 else status)


@bp.get("/gtins")
@staff_required
def gtins():
    return _page(_grant_form(gtin=request.args.get("gtin", "").strip() or None))


@bp.post("/gtins/grant")
@staff_required
def grant():
    form = _grant_form()
    if not form.validate_on_submit():
        return _page(form, 400)
    producer = db.session.get(Producer, form.producer_id.data)
    try:
        granted = services.grant_gtin(form.gtin.data, producer, current_user, form.reason.data)
    except GtinGrantError as exc:
        db.session.rollback()
        form.gtin.errors = [exc.message]
        return _page(form, 400)
    db.session.commit()
    flash(
        _(
            "Đã cho phép %(name)s dùng mã %(gtin)s.",
            name=producer.legal_name,
            gtin=granted.gtin,
        ),
        "success",
    )
    return redirect(url_for("catalog_staff.gtins", gtin=granted.gtin), 303)
