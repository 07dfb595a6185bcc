"""Staff reports: an overview page, one page per report, and a CSV of each.

    GET /staff/reports/?start=&end=            every report, charts and tables
    GET /staff/reports/<name>?start=&end=      one report in full
    GET /staff/reports/<name>.csv?start=&end=  the same rows for Excel

Dates are YYYY-MM-DD in Vietnam time; both left out means the current month.
"""

from dataclasses import dataclass

from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _
from markupsafe import Markup

from shop.auth.decorators import staff_required
from shop.clock import today_vn
from shop.core.csvsafe import csv_bytes
from shop.core.errors import render_error
from shop.reports import definitions, queries
from shop.reports.definitions import INDEX_ROWS, NAMES, REPORTS, Report
from shop.reports.periods import Period, PeriodError, parse_period, previous_month

bp = Blueprint("reports", __name__, url_prefix="/staff/reports")

_NAME = f"<any({', '.join(NAMES)}):name>"

bp.add_app_template_filter(definitions.thousands, "thousands")


@dataclass(frozen=True)
class Section:
    report: Report
    rows: list
    chart: Markup | None
    shown: int  # rows in the table (the overview shortens the producer list)


def _period():
    """The requested period, or the current month and a message for the form."""
    today = today_vn()
    try:
        return parse_period(request.args, today), None, today
    except PeriodError as exc:
        return Period.month_of(today), exc.message, today


def _section(report: Report, period: Period, today, limit: int | None = None) -> Section:
    rows = report.fetch(period, today)
    shown = len(rows) if limit is None else min(limit, len(rows))
    return Section(report, rows, definitions.chart(report, rows, period, today), shown)


def _shortcuts(today) -> list[tuple[str, Period]]:
    this_month = Period.month_of(today)
    last_month = Period.month_of(previous_month(today))
    return [
        (_("Tháng này"), this_month),
        (_("Tháng trước"), last_month),
        (_("Từ đầu năm"), Period(today.replace(month=1, day=1), today)),
    ]


@bp.get("/")
@staff_required
def index():
    period, error, today = _period()
    sections = [
        _section(r, period, today, INDEX_ROWS if r.name == "producers" else None)
        for r in REPORTS.values()
    ]
    return render_template(
        "reports/index.html",
        period=period,
        error=error,
        today=today,
        totals=queries.sales_totals(period),
        sections=sections,
        shortcuts=_shortcuts(today),
    ), (400 if error else 200)


@bp.get(f"/{_NAME}")
@staff_required
def report(name: str):
    period, error, today = _period()
    return render_template(
        "reports/report.html",
        period=period,
        error=error,
        today=today,
        s=_section(REPORTS[name], period, today),
        shortcuts=_shortcuts(today),
    ), (400 if error else 200)


@bp.get(f"/{_NAME}.csv")
@staff_required
def report_csv(name: str):
    today = today_vn()
    try:
        period = parse_period(request.args, today)
    except PeriodError as exc:
        return render_error(400, exc.message)
    report = REPORTS[name]
    header, rows = definitions.csv_table(report, report.fetch(period, today))
    response = current_app.response_class(csv_bytes(header, rows), mimetype="text/csv")
    span = f"{period.start.isoformat()}-{period.end.isoformat()}" if report.dated else today
    response.headers["Content-Disposition"] = f'attachment; filename="bao-cao-{name}-{span}.csv"'
    return response
