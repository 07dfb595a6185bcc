"""Public pages the law asks for, and the complaint form.

GET       /legal/rules              operating rules (quy chế hoạt động)
GET       /legal/complaints         the complaint procedure
GET       /legal/operator           who runs the marketplace
GET       /legal/privacy            privacy policy (Law 91/2025)
GET       /legal/returns            returns and refunds
GET POST  /complaints/new           file a complaint (rate-limited)
GET       /complaints/<id>?key=...  follow it (the key is in the e-mailed link)
"""

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from shop.clock import today_vn
from shop.core.edge import cacheable
from shop.extensions import db, limiter
from shop.legal.forms import ComplaintForm
from shop.legal.rules import PRIVACY_POLICY_VERSION, parse_holidays
from shop.legal.services import ComplaintInput, complaint_for_key, file_complaint

bp = Blueprint("legal", __name__)


@bp.record_once
def _check_holidays(state) -> None:
    """A malformed PUBLIC_HOLIDAYS stops the app at start, not a buyer's complaint."""
    try:
        parse_holidays(state.app.config["PUBLIC_HOLIDAYS"])
    except ValueError as exc:
        raise RuntimeError(
            f"PUBLIC_HOLIDAYS: use YYYY-MM-DD dates, comma separated ({exc})"
        ) from exc


PAGES = {
    "rules": "legal/rules.html",
    "complaints": "legal/complaints.html",
    "operator": "legal/operator.html",
    "privacy": "legal/privacy.html",
    "returns": "legal/returns.html",
}


def _page(name: str):
    config = current_app.config
    return render_template(
        PAGES[name],
        answer_days=config["COMPLAINT_ANSWER_WORKING_DAYS"],
        privacy_version=PRIVACY_POLICY_VERSION,
    )


@bp.get("/legal/rules")
@cacheable
def rules():
    return _page("rules")


@bp.get("/legal/complaints")
@cacheable
def complaints():
    return _page("complaints")


@bp.get("/legal/operator")
@cacheable
def operator():
    return _page("operator")


@bp.get("/legal/privacy")
@cacheable
def privacy():
    return _page("privacy")


@bp.get("/legal/returns")
@cacheable
def returns():
    return _page("returns")


def _complaint_limit() -> str:
    return current_app.config["COMPLAINT_RATE_LIMIT"]


@bp.route("/complaints/new", methods=["GET", "POST"])
@limiter.limit(_complaint_limit, methods=["POST"])
def new_complaint():
    form = ComplaintForm()
    if request.method == "GET" and current_user.is_authenticated:
        form.name.data = current_user.full_name
        form.email.data = current_user.email
    if request.method == "GET" and request.args.get("order"):
        form.order_number.data = request.args["order"][:20]
    if form.validate_on_submit():
        config = current_app.config
        complaint, key = file_complaint(
            ComplaintInput(
                name=form.name.data,
                email=form.email.data,
                phone=form.phone.data,
                order_number=form.order_number.data,
                text=form.text.data,
            ),
            user=current_user if current_user.is_authenticated else None,
            today=today_vn(),
            working_days=config["COMPLAINT_ANSWER_WORKING_DAYS"],
            holidays=parse_holidays(config["PUBLIC_HOLIDAYS"]),
        )
        db.session.commit()  # the complaint and its acknowledgement, sent after this
        return redirect(
            url_for("legal.complaint_status", complaint_id=complaint.id, key=key, new=1), 303
        )
    return render_template(
        "legal/complaint_form.html",
        form=form,
        answer_days=current_app.config["COMPLAINT_ANSWER_WORKING_DAYS"],
    ), 400 if form.errors else 200


@bp.get("/complaints/<int:complaint_id>")
def complaint_status(complaint_id: int):
    complaint = complaint_for_key(complaint_id, request.args.get("key", ""))
    if complaint is None:
        abort(404)
    return render_template(
        "legal/complaint_status.html",
        complaint=complaint,
        today=today_vn(),
        just_filed=request.args.get("new") == "1",
    )
