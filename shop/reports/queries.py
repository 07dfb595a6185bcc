"""The staff reports: one aggregate SQL query each (GROUP BY in the database).

Sales count *paid* shipments: ``paid_at`` (when the marketplace had the money)
within the period, Vietnam time, and not cancelled. Sales are the order lines'
totals as sold (shipping excluded, refunds not deducted: settlements deal with
money returned). The province of a line is the producer's province at sale time.
"""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Integer, cast, distinct, extract, func, select

from shop.catalog.models import ProductSet
from shop.certification.models import Certificate
from shop.certification.rules import CERTIFIED_STARS
from shop.extensions import db
from shop.localities.models import Province
from shop.orders.models import OrderLine, Shipment, ShipmentStatus
from shop.producers.models import Producer, ProducerKind
from shop.reports.periods import Period, next_month

EXPIRY_MONTHS = 12


@dataclass(frozen=True)
class SalesRow:
    key: int
    label: str
    sales_vnd: int
    quantity: int
    orders: int
    code: str = ""  # a product set's code
    kind: ProducerKind | None = None  # a producer's kind
    province: str = ""  # a producer's province


@dataclass(frozen=True)
class Totals:
    sales_vnd: int
    quantity: int
    orders: int
    shipments: int


@dataclass(frozen=True)
class CertifiedRow:
    code: int
    province: str
    by_stars: dict[int, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_stars.values())


@dataclass(frozen=True)
class ExpiringRow:
    month: date
    certificates: int


def _sales_columns():
    return (
        func.sum(OrderLine.line_total_vnd).label("sales"),
        func.sum(OrderLine.quantity).label("quantity"),
        func.count(distinct(OrderLine.order_id)).label("orders"),
    )


def _paid_lines(query, period: Period):
    """Restrict a query over OrderLine to lines of shipments paid in ``period``."""
    start, end = period.utc_bounds()
    return query.join(Shipment, Shipment.id == OrderLine.shipment_id).where(
        Shipment.paid_at >= start,
        Shipment.paid_at < end,
        Shipment.status != ShipmentStatus.CANCELLED,
    )


def _ints(row) -> tuple[int, int, int]:
    return int(row.sales or 0), int(row.quantity or 0), int(row.orders or 0)


def sales_totals(period: Period) -> Totals:
    row = db.session.execute(
        _paid_lines(
            select(*_sales_columns(), func.count(distinct(OrderLine.shipment_id)).label("n")),
            period,
        )
    ).one()
    sales, quantity, orders = _ints(row)
    return Totals(sales, quantity, orders, int(row.n or 0))


def sales_by_province(period: Period) -> list[SalesRow]:
    query = _paid_lines(
        select(Province.code, Province.name, *_sales_columns()).select_from(OrderLine), period
    )
    query = (
        query.join(Province, Province.code == OrderLine.province_code)
        .group_by(Province.code, Province.name)
        .order_by(func.sum(OrderLine.line_total_vnd).desc(), Province.name)
    )
    return [SalesRow(r.code, r.name, *_ints(r)) for r in db.session.execute(query)]


def sales_by_product_set(period: Period) -> list[SalesRow]:
    query = _paid_lines(
        select(ProductSet.id, ProductSet.code, ProductSet.name_vi, *_sales_columns()).select_from(
            OrderLine
        ),
        period,
    )
    query = (
        query.join(ProductSet, ProductSet.id == OrderLine.product_set_id)
        .group_by(ProductSet.id, ProductSet.code, ProductSet.name_vi)
        .order_by(func.sum(OrderLine.line_total_vnd).desc(), ProductSet.code)
    )
    return [SalesRow(r.id, r.name_vi, *_ints(r), code=r.code) for r in db.session.execute(query)]


def sales_by_star(period: Period) -> list[SalesRow]:
    query = _paid_lines(
        select(OrderLine.star_rank, *_sales_columns()).select_from(OrderLine), period
    )
    query = query.group_by(OrderLine.star_rank).order_by(OrderLine.star_rank.desc())
    return [SalesRow(r.star_rank, str(r.star_rank), *_ints(r)) for r in db.session.execute(query)]


def sales_by_producer(period: Period) -> list[SalesRow]:
    # Aggregate by the id first, then fetch names: the grouping stays on one int.
    sales = _paid_lines(
        select(OrderLine.producer_id.label("producer_id"), *_sales_columns()).select_from(
            OrderLine
        ),
        period,
    ).group_by(OrderLine.producer_id)
    sales = sales.subquery()
    query = (
        select(
            Producer.id,
            Producer.legal_name,
            Producer.kind,
            Province.name.label("province"),
            sales.c.sales,
            sales.c.quantity,
            sales.c.orders,
        )
        .join(sales, sales.c.producer_id == Producer.id)
        .join(Province, Province.code == Producer.province_code)
        .order_by(sales.c.sales.desc(), Producer.legal_name)
    )
    return [
        SalesRow(r.id, r.legal_name, *_ints(r), kind=r.kind, province=r.province)
        for r in db.session.execute(query)
    ]


def certified_by_province(today: date) -> list[CertifiedRow]:
    """Products with a certificate valid ``today``, per producer province and star rank."""
    query = (
        select(
            Province.code,
            Province.name,
            Certificate.star_rank,
            func.count(distinct(Certificate.product_id)).label("products"),
        )
        .select_from(Certificate)
        .join(Producer, Producer.id == Certificate.producer_id)
        .join(Province, Province.code == Producer.province_code)
        .where(Certificate.valid_on(today))
        .group_by(Province.code, Province.name, Certificate.star_rank)
    )
    rows: dict[int, CertifiedRow] = {}
    for code, name, stars, products in db.session.execute(query):
        row = rows.setdefault(code, CertifiedRow(code, name, dict.fromkeys(CERTIFIED_STARS, 0)))
        row.by_stars[stars] = int(products)
    return sorted(rows.values(), key=lambda r: (-r.total, r.province))


def expiring_by_month(today: date) -> list[ExpiringRow]:
    """Certificates valid ``today`` by the month of ``valid_through`` (their last
    valid day): this month and the eleven after, months with none included."""
    months = [today.replace(day=1)]
    while len(months) < EXPIRY_MONTHS:
        months.append(next_month(months[-1]))
    year = cast(extract("year", Certificate.valid_through), Integer)
    month = cast(extract("month", Certificate.valid_through), Integer)
    query = (
        select(year.label("y"), month.label("m"), func.count(Certificate.id))
        .where(Certificate.valid_on(today), Certificate.valid_through < next_month(months[-1]))
        .group_by(year, month)
    )
    counts = {(y, m): int(n) for y, m, n in db.session.execute(query)}
    return [ExpiringRow(m, counts.get((m.year, m.month), 0)) for m in months]
