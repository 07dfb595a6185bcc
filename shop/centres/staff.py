"""Staff (trade promotion): register sales centres, assign their staff, read each
centre's stock, ledger and daily report."""

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop.auth.decorators import staff_required
from shop.centres import queries, services
from shop.centres.exceptions import CannotAssign
from shop.centres.forms import AssignStaffForm, CentreForm, RemoveStaffForm
from shop.centres.models import Centre, CentreStaff
from shop.clock import today_vn
from shop.extensions import db
from shop.pagination import paginate

bp = Blueprint("centres_staff", __name__, url_prefix="/staff")

LEDGER_PAGE = 100


def report_day(value: str | None) -> tuple[date, str | None]:
    """``?day=YYYY-MM-DD``: missing is today; a bad one shows today with a message."""
    if not value:
        return today_vn(), None
    try:
        return date.fromisoformat(value), None
    except ValueError:
        return today_vn(), _("Ngày không hợp lệ: dùng dạng YYYY-MM-DD. Đang hiển thị hôm nay.")


@bp.get("/centres")
@staff_required
def index():
    centres = db.session.scalars(queries.all_centres()).all()
    return render_template("centres/staff_index.html", centres=centres)


@bp.route("/centres/new", methods=["GET", "POST"])
@staff_required
def new():
    form = CentreForm()
    form.load_address_choices()
    if form.refresh_wards.data or not form.validate_on_submit():
        status = 400 if request.method == "POST" and form.errors else 200
        return render_template("centres/staff_form.html", form=form, centre=None), status
    centre = services.create_centre(form.data_for_centre(), current_user)
    db.session.commit()
    flash(_("Đã thêm điểm bán %(name)s.", name=centre.name), "success")
    return redirect(url_for(".detail", centre_id=centre.id), 303)


@bp.route("/centres/<int:centre_id>", methods=["GET", "POST"])
@staff_required
def detail(centre_id: int):
    centre = db.get_or_404(Centre, centre_id)
    form = CentreForm()
    if request.method == "GET":
        form.fill_from(centre)
    form.load_address_choices()
    if request.method == "POST":
        if not form.refresh_wards.data and form.validate_on_submit():
            services.update_centre(centre, form.data_for_centre(), current_user)
            db.session.commit()
            flash(_("Đã lưu điểm bán."), "success")
            return redirect(url_for(".detail", centre_id=centre.id), 303)
        status = 400 if form.errors else 200
        return _detail_page(centre, form), status
    return _detail_page(centre, form)


def _detail_page(centre: Centre, form: CentreForm, assign: AssignStaffForm | None = None):
    return render_template(
        "centres/staff_form.html",
        form=form,
        centre=centre,
        assign=assign or AssignStaffForm(formdata=None),
        remove=RemoveStaffForm(),
        members=queries.staff_of(centre.id),
        stock=queries.stock_of(centre.id),
    )


@bp.post("/centres/<int:centre_id>/staff")
@staff_required
def assign_staff(centre_id: int):
    centre = db.get_or_404(Centre, centre_id)
    assign = AssignStaffForm()
    if assign.validate_on_submit():
        try:
            member = services.assign_staff(centre, assign.email.data, current_user)
        except CannotAssign as exc:
            assign.email.errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("%(email)s là nhân viên điểm bán.", email=member.user.email), "success")
            return redirect(url_for(".detail", centre_id=centre.id), 303)
    form = CentreForm(formdata=None)
    form.fill_from(centre)
    form.load_address_choices()
    return _detail_page(centre, form, assign), 400


@bp.post("/centres/<int:centre_id>/staff/<int:member_id>/remove")
@staff_required
def remove_staff(centre_id: int, member_id: int):
    member = db.session.get(CentreStaff, member_id)
    if member is None or member.centre_id != centre_id:
        abort(404)
    if not RemoveStaffForm().validate_on_submit():
        abort(400)
    email = member.user.email
    services.remove_staff(member, current_user)
    db.session.commit()
    flash(_("%(email)s không còn là nhân viên điểm bán.", email=email), "success")
    return redirect(url_for(".detail", centre_id=centre_id), 303)


@bp.get("/centres/<int:centre_id>/ledger")
@staff_required
def ledger(centre_id: int):
    centre = db.get_or_404(Centre, centre_id)
    pager = paginate(queries.ledger(centre.id), LEDGER_PAGE)
    return render_template("centres/ledger.html", centre=centre, pager=pager, staff_view=True)


@bp.get("/centres/<int:centre_id>/report")
@staff_required
def report(centre_id: int):
    centre = db.get_or_404(Centre, centre_id)
    day, problem = report_day(request.args.get("day"))
    return render_template(
        "centres/report.html",
        problem=problem,
        report=queries.daily_report(centre, day),
        receipts=queries.receipts_of_day(centre.id, day),
        staff_view=True,
    )
