"""The centres' read side: who holds a product now, a centre's stock and ledger,
the till's daily report, and the centre sales that staff reports and producer
settlements count."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, distinct, func, select
from sqlalchemy.orm import joinedload

from shop.catalog.models import Product
from shop.centres.models import (
    Centre,
    CentreStaff,
    CentreStock,
    StockMovement,
    TillPayment,
    TillSale,
    TillSaleLine,
)
from shop.clock import VN_TZ
from shop.extensions import db
from shop.localities.models import Province


@dataclass(frozen=True)
class Holding:
    centre: Centre
    quantity: int


def centres_holding(product_id: int) -> list[Holding]:
    """The open centres that hold the product now (at least one unit), by name:
    one query, for the product page."""
    rows = db.session.execute(
        select(Centre, CentreStock.quantity)
        .join(CentreStock, CentreStock.centre_id == Centre.id)
        .options(joinedload(Centre.ward), joinedload(Centre.province))
        .where(
            CentreStock.product_id == product_id,
            CentreStock.quantity > 0,
            Centre.is_active.is_(True),
        )
        .order_by(Centre.name, Centre.id)
    ).all()
    return [Holding(centre, int(quantity)) for centre, quantity in rows]


def all_centres() -> Select:
    return select(Centre).order_by(Centre.is_active.desc(), Centre.name, Centre.id)


def active_centres() -> list[Centre]:
    return list(
        db.session.scalars(
            select(Centre).where(Centre.is_active.is_(True)).order_by(Centre.name, Centre.id)
        )
    )


def staff_of(centre_id: int) -> list[CentreStaff]:
    return list(
        db.session.scalars(
            select(CentreStaff)
            .options(joinedload(CentreStaff.user))
            .where(CentreStaff.centre_id == centre_id)
            .order_by(CentreStaff.id)
        )
    )


def stock_of(centre_id: int, producer_id: int | None = None) -> list[CentreStock]:
    """A centre's stock rows (with their products), by product name; only one
    producer's when ``producer_id`` is given."""
    query = (
        select(CentreStock)
        .join(Product, Product.id == CentreStock.product_id)
        .options(joinedload(CentreStock.product).joinedload(Product.producer))
        .where(CentreStock.centre_id == centre_id)
        .order_by(Product.name, Product.id)
    )
    if producer_id is not None:
        query = query.where(Product.producer_id == producer_id)
    return list(db.session.scalars(query))


def ledger(centre_id: int, producer_id: int | None = None) -> Select:
    """The centre's movements, newest first (paged by the caller)."""
    query = (
        select(StockMovement)
        .options(joinedload(StockMovement.product), joinedload(StockMovement.actor))
        .where(StockMovement.centre_id == centre_id)
        .order_by(StockMovement.id.desc())
    )
    if producer_id is not None:
        query = query.where(StockMovement.producer_id == producer_id)
    return query


def ledger_sum(centre_id: int, product_id: int) -> int:
    """The sum of a product's movements at a centre: what its stock row must say."""
    return int(
        db.session.scalar(
            select(func.coalesce(func.sum(StockMovement.quantity_change), 0)).where(
                StockMovement.centre_id == centre_id, StockMovement.product_id == product_id
            )
        )
        or 0
    )


def holdings_of_producer(producer_id: int) -> list[CentreStock]:
    """Where a producer's goods are: every centre stock row of its products."""
    return list(
        db.session.scalars(
            select(CentreStock)
            .join(Product, Product.id == CentreStock.product_id)
            .join(Centre, Centre.id == CentreStock.centre_id)
            .options(joinedload(CentreStock.product), joinedload(CentreStock.centre))
            .where(Product.producer_id == producer_id)
            .order_by(Centre.name, Product.name)
        )
    )


# -- the till's daily report -----------------------------------------------------------


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """A Vietnam calendar day as UTC-aware bounds [start, end)."""
    start = datetime.combine(day, time.min, tzinfo=VN_TZ)
    return start, start + timedelta(days=1)


@dataclass(frozen=True)
class ProductSales:
    product_id: int | None
    name: str
    quantity: int
    sales_vnd: int


@dataclass(frozen=True)
class DailyReport:
    centre: Centre
    day: date
    receipts: int
    by_product: list[ProductSales] = field(default_factory=list)
    by_method: dict[TillPayment, int] = field(default_factory=dict)

    @property
    def total_vnd(self) -> int:
        return sum(self.by_method.values())

    @property
    def cash_vnd(self) -> int:
        return self.by_method.get(TillPayment.CASH, 0)

    @property
    def vietqr_vnd(self) -> int:
        return self.by_method.get(TillPayment.VIETQR, 0)

    @property
    def quantity(self) -> int:
        return sum(p.quantity for p in self.by_product)


def daily_report(centre: Centre, day: date) -> DailyReport:
    """Sales of one centre on one Vietnam day: by product, cash against VietQR,
    totals in whole đồng; two GROUP BY queries."""
    start, end = day_bounds(day)
    in_day = (TillSale.centre_id == centre.id, TillSale.sold_at >= start, TillSale.sold_at < end)
    by_product = [
        ProductSales(r.product_id, r.product_name, int(r.quantity), int(r.sales))
        for r in db.session.execute(
            select(
                TillSaleLine.product_id,
                TillSaleLine.product_name,
                func.sum(TillSaleLine.quantity).label("quantity"),
                func.sum(TillSaleLine.line_total_vnd).label("sales"),
            )
            .join(TillSale, TillSale.id == TillSaleLine.sale_id)
            .where(*in_day)
            .group_by(TillSaleLine.product_id, TillSaleLine.product_name)
            .order_by(func.sum(TillSaleLine.line_total_vnd).desc(), TillSaleLine.product_name)
        )
    ]
    by_method: dict[TillPayment, int] = {}
    receipts = 0
    for method, count, total in db.session.execute(
        select(TillSale.payment_method, func.count(TillSale.id), func.sum(TillSale.total_vnd))
        .where(*in_day)
        .group_by(TillSale.payment_method)
    ):
        by_method[TillPayment(method)] = int(total or 0)
        receipts += int(count)
    return DailyReport(centre, day, receipts, by_product, by_method)


def receipts_of_day(centre_id: int, day: date) -> list[TillSale]:
    start, end = day_bounds(day)
    return list(
        db.session.scalars(
            select(TillSale)
            .where(
                TillSale.centre_id == centre_id, TillSale.sold_at >= start, TillSale.sold_at < end
            )
            .order_by(TillSale.id)
        )
    )


# -- what reports and settlements count ------------------------------------------------


@dataclass(frozen=True)
class CentreSalesRow:
    centre_id: int
    name: str
    province: str
    sales_vnd: int
    quantity: int
    receipts: int
    cash_vnd: int
    vietqr_vnd: int

    @property
    def label(self) -> str:
        return self.name


def sales_by_centre(start: datetime, end: datetime) -> list[CentreSalesRow]:
    """Till sales per centre between two UTC instants: one GROUP BY query."""
    lines = (
        select(
            TillSale.centre_id.label("centre_id"),
            func.sum(TillSaleLine.line_total_vnd).label("sales"),
            func.sum(TillSaleLine.quantity).label("quantity"),
            func.count(distinct(TillSale.id)).label("receipts"),
        )
        .join(TillSale, TillSale.id == TillSaleLine.sale_id)
        .where(TillSale.sold_at >= start, TillSale.sold_at < end)
        .group_by(TillSale.centre_id)
        .subquery()
    )
    methods = (
        select(
            TillSale.centre_id.label("centre_id"),
            func.sum(TillSale.total_vnd)
            .filter(TillSale.payment_method == TillPayment.CASH)
            .label("cash"),
            func.sum(TillSale.total_vnd)
            .filter(TillSale.payment_method == TillPayment.VIETQR)
            .label("vietqr"),
        )
        .where(TillSale.sold_at >= start, TillSale.sold_at < end)
        .group_by(TillSale.centre_id)
        .subquery()
    )
    query = (
        select(
            Centre.id,
            Centre.name,
            Province.name.label("province"),
            lines.c.sales,
            lines.c.quantity,
            lines.c.receipts,
            methods.c.cash,
            methods.c.vietqr,
        )
        .join(lines, lines.c.centre_id == Centre.id)
        .join(methods, methods.c.centre_id == Centre.id)
        .join(Province, Province.code == Centre.province_code)
        .order_by(lines.c.sales.desc(), Centre.name)
    )
    return [
        CentreSalesRow(
            r.id,
            r.name,
            r.province,
            int(r.sales or 0),
            int(r.quantity or 0),
            int(r.receipts or 0),
            int(r.cash or 0),
            int(r.vietqr or 0),
        )
        for r in db.session.execute(query)
    ]


def centre_sales_by_producer(
    start: datetime, end: datetime, producer_id: int | None = None
) -> dict[int, int]:
    """{producer id: till sales in đồng} between two UTC instants (settlements)."""
    query = (
        select(TillSaleLine.producer_id, func.sum(TillSaleLine.line_total_vnd))
        .join(TillSale, TillSale.id == TillSaleLine.sale_id)
        .where(TillSale.sold_at >= start, TillSale.sold_at < end)
        .group_by(TillSaleLine.producer_id)
    )
    if producer_id is not None:
        query = query.where(TillSaleLine.producer_id == producer_id)
    return {pid: int(total or 0) for pid, total in db.session.execute(query)}


def till_lines_of_producer(producer_id: int, start: datetime, end: datetime) -> Select:
    """A producer's till sale lines between two UTC instants (the settlement page)."""
    return (
        select(TillSaleLine, TillSale)
        .join(TillSale, TillSale.id == TillSaleLine.sale_id)
        .options(joinedload(TillSale.centre))
        .where(
            TillSaleLine.producer_id == producer_id,
            TillSale.sold_at >= start,
            TillSale.sold_at < end,
        )
        .order_by(TillSale.sold_at, TillSaleLine.id)
    )


# -- pick-up at a centre (checkout) --------------------------------------------------


def pickup_centres(groups: Mapping[int, Mapping[int, int]]) -> dict[int, list[Centre]]:
    """For each producer group ({producer id: {product id: quantity}}), the open
    centres that hold every line of the group in full, by name. One query."""
    product_ids = {pid for lines in groups.values() for pid in lines}
    if not product_ids:
        return {}
    held: dict[int, dict[int, int]] = {}
    centres: dict[int, Centre] = {}
    rows = db.session.execute(
        select(CentreStock.product_id, CentreStock.quantity, Centre)
        .join(Centre, Centre.id == CentreStock.centre_id)
        .where(
            Centre.is_active.is_(True),
            CentreStock.product_id.in_(product_ids),
            CentreStock.quantity > 0,
        )
        .options(joinedload(Centre.province), joinedload(Centre.ward))
    ).all()
    for product_id, quantity, centre in rows:
        centres[centre.id] = centre
        held.setdefault(centre.id, {})[product_id] = quantity
    found: dict[int, list[Centre]] = {}
    for producer_id, lines in groups.items():
        found[producer_id] = sorted(
            (
                centres[cid]
                for cid, stock in held.items()
                if all(stock.get(pid, 0) >= q for pid, q in lines.items())
            ),
            key=lambda c: (c.name, c.id),
        )
    return found


def centre_holdings(centre_id: int, product_ids: Iterable[int]) -> dict[int, int]:
    """{product id: units} the centre holds of these products (after a refused pick-up)."""
    return dict(
        db.session.execute(
            select(CentreStock.product_id, CentreStock.quantity).where(
                CentreStock.centre_id == centre_id,
                CentreStock.product_id.in_(list(product_ids)),
            )
        ).all()
    )
