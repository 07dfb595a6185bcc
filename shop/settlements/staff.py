"""Settlements for staff: compute, export and pay them.

GET  /staff/settlements?month=YYYY-MM           the month's settlements (default: last month)
POST /staff/settlements/generate                compute the drafts of a month
GET  /staff/settlements/<id>                    the shipments and refunds behind one
POST /staff/settlements/<id>/pay                mark it paid, with the transfer reference
GET  /staff/settlements.csv?month=YYYY-MM       the month for the accountant
GET  /staff/settlements/withholding.csv?month=YYYY-MM  households' withheld tax, for the declaration
"""

from datetime import date

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

from shop.auth.decorators import staff_required
from shop.clock import today_vn
from shop.core.errors import render_error
from shop.extensions import db
from shop.i18n import format_date_vn
from shop.reports.periods import PeriodError, next_month, parse_month, previous_month
from shop.settlements import services
from shop.settlements.exceptions import FiguresChanged, SettlementError
from shop.settlements.exports import csv_response, format_bps, tax_id_label, tax_id_of
from shop.settlements.models import Settlement
from shop.settlements.queries import settlement_detail

bp = Blueprint("settlements", __name__)
bp.add_app_template_filter(format_bps, "bps")


def _month_arg(today) -> tuple[date, str | None]:
    """``?month=YYYY-MM`` (default last month). A bad value gives last month and
    the message: a page shows both, an export refuses with the message."""
    raw = request.args.get("month", "")
    if not raw:
        return previous_month(today), None
    try:
        return parse_month(raw), None
    except PeriodError as exc:
        return previous_month(today), exc.message


def _sums(settlements) -> dict:
    fields = (
        "gross_vnd",
        "refunds_vnd",
        "commission_vnd",
        "vat_withheld_vnd",
        "pit_withheld_vnd",
        "net_vnd",
    )
    return {f: sum(getattr(s, f) for s in settlements) for f in fields}


def _settlement_or_404(settlement_id: int) -> Settlement:
    settlement = db.session.get(Settlement, settlement_id)
    if settlement is None:
        abort(404)
    return settlement


@bp.get("/staff/settlements")
@staff_required
def staff_index():
    today = today_vn()
    month, error = _month_arg(today)
    settlements = db.session.scalars(services.settlements_of_month(month)).all()
    count, total = services.unattributed_refunds(month)
    return render_template(
        "settlements/staff_index.html",
        month=month,
        error=error,
        settlements=settlements,
        sums=_sums(settlements),
        unattributed_count=count,
        unattributed_total=total,
        month_over=today >= next_month(month),
        previous=previous_month(month),
        following=next_month(month),
    ), (400 if error else 200)


@bp.post("/staff/settlements/generate")
@staff_required
def staff_generate():
    today = today_vn()
    try:
        month = parse_month(request.form.get("month", ""))
        result = services.generate(month, today)
    except (PeriodError, SettlementError) as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("settlements.staff_index"), 303)
    db.session.commit()
    flash(
        _(
            "Đã tính quyết toán tháng %(m)s: %(created)s mới, %(updated)s cập nhật, "
            "%(unchanged)s không đổi, %(paid)s đã thanh toán (giữ nguyên).",
            m=month.strftime("%m/%Y"),
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
            paid=result.paid,
        ),
        "success",
    )
    return redirect(url_for("settlements.staff_index", month=month.strftime("%Y-%m")), 303)


@bp.get("/staff/settlements/<int:settlement_id>")
@staff_required
def staff_detail(settlement_id: int):
    settlement = _settlement_or_404(settlement_id)
    return render_template(
        "settlements/staff_detail.html",
        month_over=today_vn() >= next_month(settlement.month),
        missing_tax_id=services.missing_tax_id(settlement.producer),
        **settlement_detail(settlement),
    )


@bp.post("/staff/settlements/<int:settlement_id>/pay")
@staff_required
def staff_pay(settlement_id: int):
    settlement = _settlement_or_404(settlement_id)
    try:
        services.mark_paid(settlement, current_user, request.form.get("reference", ""), today_vn())
    except FiguresChanged as exc:
        db.session.rollback()
        services.refresh(settlement)
        db.session.commit()
        flash(exc.message, "error")
    except SettlementError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(
            _("Đã ghi nhận thanh toán cho %(name)s.", name=settlement.producer.legal_name),
            "success",
        )
    return redirect(url_for("settlements.staff_detail", settlement_id=settlement.id), 303)


@bp.get("/staff/settlements.csv")
@staff_required
def staff_csv():
    month, error = _month_arg(today_vn())
    if error:  # an export never falls back to another month than the one asked
        return render_error(400, error)
    settlements = db.session.scalars(services.settlements_of_month(month)).all()
    header = [
        _("Tháng"),
        _("Chủ thể"),
        _("Loại hình"),
        _("Số đăng ký kinh doanh"),
        _("Doanh thu (đồng)"),
        _("Hoàn tiền (đồng)"),
        _("Hoa hồng (đồng)"),
        _("Thuế GTGT khấu trừ (đồng)"),
        _("Thuế TNCN khấu trừ (đồng)"),
        _("Thực trả (đồng)"),
        _("Trạng thái"),
        _("Ngày trả"),
        _("Mã tham chiếu"),
    ]
    rows = [
        [
            s.month.strftime("%m/%Y"),
            s.producer.legal_name,
            str(s.producer.kind.label),
            s.producer.registration_number or "",
            s.gross_vnd,
            s.refunds_vnd,
            s.commission_vnd,
            s.vat_withheld_vnd,
            s.pit_withheld_vnd,
            s.net_vnd,
            str(s.status.label),
            format_date_vn(s.paid_at),
            s.reference or "",
        ]
        for s in settlements
    ]
    return csv_response(header, rows, f"quyet-toan-{month.strftime('%Y-%m')}.csv")


@bp.get("/staff/settlements/withholding.csv")
@staff_required
def staff_withholding_csv():
    """One row per household and month: what the shop declares for it."""
    month, error = _month_arg(today_vn())
    if error:
        return render_error(400, error)
    settlements = db.session.scalars(services.withholding_of_month(month)).all()
    header = [
        _("Tháng"),
        _("Tên hộ"),
        _("Loại giấy tờ"),
        _("Mã số thuế / CCCD"),
        _("Người đại diện"),
        _("Địa chỉ"),
        _("Doanh thu chịu khấu trừ (đồng)"),
        _("Thuế suất GTGT"),
        _("Thuế GTGT khấu trừ (đồng)"),
        _("Thuế suất TNCN"),
        _("Thuế TNCN khấu trừ (đồng)"),
        _("Tổng thuế khấu trừ (đồng)"),
        _("Trạng thái"),
        _("Ngày trả"),
    ]
    rows = []
    for s in settlements:
        tax_id = tax_id_of(s)
        rows.append(
            [
                s.month.strftime("%m/%Y"),
                s.producer.legal_name,
                tax_id_label(tax_id),
                tax_id,
                s.producer.representative,
                s.producer.address_line,
                s.withholding_base_vnd,
                format_bps(s.vat_bps),
                s.vat_withheld_vnd,
                format_bps(s.pit_bps),
                s.pit_withheld_vnd,
                s.vat_withheld_vnd + s.pit_withheld_vnd,
                str(s.status.label),
                format_date_vn(s.paid_at),
            ]
        )
    return csv_response(header, rows, f"thue-khau-tru-ho-{month.strftime('%Y-%m')}.csv")
