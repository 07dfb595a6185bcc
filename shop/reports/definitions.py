"""The six reports: for each, its query, its chart and its CSV columns.

The HTML pages, the CSV exports and the benchmark all go through ``REPORTS``.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from shop.centres.queries import CentreSalesRow, sales_by_centre
from shop.certification.rules import CERTIFIED_STARS
from shop.money import format_vnd
from shop.producers.forms import KIND_LABELS
from shop.reports import queries
from shop.reports.charts import Bar, bar_chart, column_chart
from shop.reports.periods import Period

CHART_ROWS = 15  # the longest bar list a chart shows; the table has every row
INDEX_ROWS = 20  # rows of the producer table on the overview page


@dataclass(frozen=True)
class Report:
    name: str
    title: object  # a lazy string
    layout: str  # "sales", "certified" or "expiring": the table macro to use
    dated: bool  # follows the chosen period (else: as of today)
    fetch: Callable[[Period, date], list]


def centre_sales(period: Period) -> list[CentreSalesRow]:
    """Till sales per centre: not orders, so a report of their own (receipts
    instead of orders, cash against VietQR), sold in the period (Vietnam time)."""
    return sales_by_centre(*period.utc_bounds())


REPORTS: dict[str, Report] = {
    r.name: r
    for r in (
        Report(
            "provinces",
            _l("Doanh số theo tỉnh, thành phố"),
            "sales",
            True,
            lambda period, today: queries.sales_by_province(period),
        ),
        Report(
            "sets",
            _l("Doanh số theo bộ sản phẩm"),
            "sales",
            True,
            lambda period, today: queries.sales_by_product_set(period),
        ),
        Report(
            "stars",
            _l("Doanh số theo hạng sao"),
            "sales",
            True,
            lambda period, today: queries.sales_by_star(period),
        ),
        Report(
            "producers",
            _l("Doanh số theo chủ thể"),
            "sales",
            True,
            lambda period, today: queries.sales_by_producer(period),
        ),
        Report(
            "centres",
            _l("Doanh số bán tại quầy các điểm bán OCOP"),
            "centres",
            True,
            lambda period, today: centre_sales(period),
        ),
        Report(
            "certified",
            _l("Sản phẩm đang có chứng nhận, theo tỉnh và hạng sao"),
            "certified",
            False,
            lambda period, today: queries.certified_by_province(today),
        ),
        Report(
            "expiring",
            _l("Chứng nhận hết hiệu lực trong 12 tháng tới"),
            "expiring",
            False,
            lambda period, today: queries.expiring_by_month(today),
        ),
    )
}
NAMES = tuple(REPORTS)


def thousands(n: int) -> str:
    """1242 -> "1.242": counts written the Vietnamese way, like money."""
    return f"{n:,}".replace(",", ".")


def row_label(report: Report, row) -> str:
    if report.name == "sets":
        return f"{row.code} {row.label}"
    if report.name == "stars":
        return _("%(n)s sao", n=row.key)
    return row.label


def _span(period: Period) -> str:
    return _(
        "từ %(a)s đến %(b)s",
        a=period.start.strftime("%d/%m/%Y"),
        b=period.end.strftime("%d/%m/%Y"),
    )


def chart(report: Report, rows: list, period: Period, today: date) -> Markup | None:
    if not rows or (report.layout == "certified" and not any(r.total for r in rows)):
        return None
    chart_id = f"chart-{report.name}"
    if report.layout in ("sales", "centres"):
        shown = rows[:CHART_ROWS]
        description = _(
            "Doanh số %(span)s; %(n)s dòng lớn nhất trong %(total)s. Số liệu đầy đủ ở bảng.",
            span=_span(period),
            n=len(shown),
            total=len(rows),
        )
        bars = [Bar(row_label(report, r), (r.sales_vnd,), format_vnd(r.sales_vnd)) for r in shown]
        return bar_chart(chart_id, str(report.title), description, bars)
    if report.layout == "certified":
        shown = rows[:CHART_ROWS]
        description = _(
            "Số sản phẩm có chứng nhận còn hiệu lực ngày %(d)s, chia theo hạng sao. "
            "Số liệu đầy đủ ở bảng.",
            d=today.strftime("%d/%m/%Y"),
        )
        bars = [
            Bar(r.province, tuple(r.by_stars[s] for s in CERTIFIED_STARS), thousands(r.total))
            for r in shown
        ]
        series = [_("%(n)s sao", n=s) for s in CERTIFIED_STARS]
        return bar_chart(chart_id, str(report.title), description, bars, series)
    description = _(
        "Số chứng nhận còn hiệu lực sẽ hết hiệu lực trong từng tháng, tính từ ngày %(d)s.",
        d=today.strftime("%d/%m/%Y"),
    )
    bars = [
        Bar(r.month.strftime("%m/%Y"), (r.certificates,), thousands(r.certificates)) for r in rows
    ]
    return column_chart(chart_id, str(report.title), description, bars)


def csv_table(report: Report, rows: list) -> tuple[list, list[list]]:
    """Header and rows of the report's CSV; money as whole đồng."""
    if report.layout == "certified":
        header = [
            _("Tỉnh, thành phố"),
            *(_("%(n)s sao", n=s) for s in CERTIFIED_STARS),
            _("Tổng"),
        ]
        body = [[r.province, *(r.by_stars[s] for s in CERTIFIED_STARS), r.total] for r in rows]
        return header, body
    if report.layout == "expiring":
        header = [_("Tháng hết hiệu lực"), _("Số chứng nhận")]
        return header, [[r.month.strftime("%m/%Y"), r.certificates] for r in rows]
    if report.layout == "centres":
        header = [
            _("Điểm bán"),
            _("Tỉnh, thành phố"),
            _("Doanh số (đồng)"),
            _("Số lượng"),
            _("Số hoá đơn"),
            _("Tiền mặt (đồng)"),
            _("VietQR (đồng)"),
        ]
        return header, [
            [r.name, r.province, r.sales_vnd, r.quantity, r.receipts, r.cash_vnd, r.vietqr_vnd]
            for r in rows
        ]
    money = [_("Doanh số (đồng)"), _("Số lượng"), _("Số đơn hàng")]
    figures = [[r.sales_vnd, r.quantity, r.orders] for r in rows]
    if report.name == "provinces":
        return [_("Tỉnh, thành phố"), *money], [
            [r.label, *f] for r, f in zip(rows, figures, strict=True)
        ]
    if report.name == "sets":
        return [_("Mã bộ"), _("Bộ sản phẩm"), *money], [
            [r.code, r.label, *f] for r, f in zip(rows, figures, strict=True)
        ]
    if report.name == "stars":
        return [_("Hạng sao"), *money], [[r.key, *f] for r, f in zip(rows, figures, strict=True)]
    return [_("Chủ thể"), _("Loại hình"), _("Tỉnh, thành phố"), *money], [
        [r.label, str(KIND_LABELS[r.kind]), r.province, *f]
        for r, f in zip(rows, figures, strict=True)
    ]
