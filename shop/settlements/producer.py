"""Settlements for producers: each reads only its own.

GET  /producer/settlements                      the producer's own, newest month first
GET  /producer/settlements/<id>                 one of them (another producer's is a 404)
GET  /producer/settlements/tax?year=YYYY        a household's statement of tax withheld
GET  /producer/settlements/tax.csv?year=YYYY    the same as CSV
"""

from flask import (
    Blueprint,
    g,
    render_template,
    request,
)
from flask_babel import gettext as _

from shop.clock import today_vn
from shop.core.errors import render_error
from shop.extensions import db
from shop.i18n import format_date_vn
from shop.producers.access import own_or_404, producer_required
from shop.settlements import services
from shop.settlements.exports import csv_response, format_bps, tax_id_of
from shop.settlements.models import Settlement
from shop.settlements.queries import settlement_detail
from shop.settlements.withholding import DECREE_117_GOODS

bp = Blueprint("settlements_producer", __name__)


@bp.get("/producer/settlements")
@producer_required
def producer_index():
    settlements = db.session.scalars(services.settlements_of_producer(g.producer.id)).all()
    return render_template("settlements/producer_index.html", settlements=settlements)


@bp.get("/producer/settlements/<int:settlement_id>")
@producer_required
def producer_detail(settlement_id: int):
    settlement = own_or_404(Settlement, settlement_id)
    return render_template("settlements/producer_detail.html", **settlement_detail(settlement))


def _year_arg(today) -> tuple[int, str | None]:
    raw = request.args.get("year", "")
    if not raw:
        return today.year, None
    if raw.isascii() and raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw), None
    return today.year, _("Năm không hợp lệ: hãy nhập năm dạng YYYY, ví dụ %(y)s.", y=today.year)


def _statement(year: int) -> dict:
    settlements = db.session.scalars(services.withholding_of_producer(g.producer.id, year)).all()
    paid = [s for s in settlements if s.is_paid]
    return {
        "year": year,
        "settlements": settlements,
        "paid_sums": {
            "base": sum(s.withholding_base_vnd for s in paid),
            "vat": sum(s.vat_withheld_vnd for s in paid),
            "pit": sum(s.pit_withheld_vnd for s in paid),
        },
    }


@bp.get("/producer/settlements/tax")
@producer_required
def producer_tax():
    today = today_vn()
    year, error = _year_arg(today)
    return render_template(
        "settlements/producer_tax.html",
        error=error,
        rates=DECREE_117_GOODS,
        **_statement(year),
    ), (400 if error else 200)


@bp.get("/producer/settlements/tax.csv")
@producer_required
def producer_tax_csv():
    year, error = _year_arg(today_vn())
    if error:
        return render_error(400, error)
    statement = _statement(year)
    header = [
        _("Tháng"),
        _("Mã số thuế / CCCD"),
        _("Doanh thu sàn thu qua thẻ, VietQR (đồng)"),
        _("Thuế suất GTGT"),
        _("Thuế GTGT sàn khấu trừ (đồng)"),
        _("Thuế suất TNCN"),
        _("Thuế TNCN sàn khấu trừ (đồng)"),
        _("Tổng thuế khấu trừ (đồng)"),
        _("Trạng thái"),
        _("Ngày sàn chi trả"),
    ]
    rows = [
        [
            s.month.strftime("%m/%Y"),
            tax_id_of(s),
            s.withholding_base_vnd,
            format_bps(s.vat_bps),
            s.vat_withheld_vnd,
            format_bps(s.pit_bps),
            s.pit_withheld_vnd,
            s.vat_withheld_vnd + s.pit_withheld_vnd,
            str(s.status.label),
            format_date_vn(s.paid_at),
        ]
        for s in statement["settlements"]
    ]
    return csv_response(header, rows, f"bang-ke-thue-khau-tru-{year}.csv")
