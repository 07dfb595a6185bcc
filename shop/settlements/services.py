"""Producer settlements: what the marketplace pays a producer for one month.

What is counted (months are calendar months in Vietnam time)
------------------------------------------------------------
* gross: subtotal + shipping of the producer's shipments whose ``paid_at`` (when
  the marketplace had the money) falls in the month, plus its goods sold at the
  tills of OCOP sales centres in the month (``centre_sales_vnd``, shown apart; a
  sale at a counter is not an e-commerce sale, so it is never in the withholding
  base). A shipment cancelled after it
  was paid still counts: the money did come in that month, and its refund is
  deducted in the month the refund is made. Leaving it out of the gross *and*
  deducting its refund would charge the producer twice.
* refunds: refunds made in the month (``Refund.created_at``) for the producer's
  shipments (``Refund.shipment_id`` -> ``Shipment.producer_id``), failed ones
  excepted. A refund of a whole order (no ``shipment_id``) belongs to no producer:
  ``unattributed_refunds`` shows them to staff before they pay.
* base = gross - refunds (negative when a month's refunds exceed its sales).
* commission = COMMISSION_BPS of the base.
* withholding base = the part of gross - refunds whose money the shop collected
  itself (card and VietQR orders), for household producers only; 0 otherwise
  (the rule: ``withholding.withholding_applies``). HOUSEHOLD_VAT_BPS (VAT) and
  HOUSEHOLD_PIT_BPS (personal income tax) of it are withheld (Decree
  117/2025); nothing on cash on delivery, nothing for cooperatives and
  enterprises, which declare their own taxes.
* net = gross - refunds - commission - VAT - PIT.

Rounding rule
-------------
Each percentage part is rounded half-up to a whole đồng with integer arithmetic
only: ``part = (base * bps + 5000) // 10000`` (basis points: 500 bps = 5 %). Floor
division makes a half đồng round up (towards +infinity, for a negative base too).
The net is not rounded: it is the remainder, so the parts always add up exactly
to the gross: ``gross = refunds + commission + VAT + PIT + net``. No float is used.

``generate`` recomputes drafts and never touches a paid settlement; ``mark_paid``
freezes one. Functions flush; the caller commits.
"""

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import contains_eager

from shop.audit.services import record
from shop.auth.models import User
from shop.centres import queries as centre_queries
from shop.clock import utcnow
from shop.dbtypes import rows_affected
from shop.extensions import db
from shop.orders.models import Order, Shipment
from shop.payments.models import Refund, RefundStatus
from shop.producers.models import Producer, ProducerKind
from shop.reports.periods import Period, first_of_month, next_month
from shop.settlements.exceptions import (
    AlreadyPaid,
    FiguresChanged,
    MissingTaxId,
    SettlementError,
)
from shop.settlements.models import Settlement, SettlementStatus
from shop.settlements.withholding import SHOP_COLLECTED, WITHHELD_KINDS

BPS_DIVISOR = 10_000


@dataclass(frozen=True)
class Rates:
    commission_bps: int
    vat_bps: int
    pit_bps: int


def rates_for(kind: ProducerKind, config: Mapping | None = None) -> Rates:
    config = current_app.config if config is None else config
    household = kind in WITHHELD_KINDS
    return Rates(
        commission_bps=int(config["COMMISSION_BPS"]),
        vat_bps=int(config["HOUSEHOLD_VAT_BPS"]) if household else 0,
        pit_bps=int(config["HOUSEHOLD_PIT_BPS"]) if household else 0,
    )


@dataclass(frozen=True)
class Figures:
    gross_vnd: int
    refunds_vnd: int
    commission_vnd: int
    vat_withheld_vnd: int
    pit_withheld_vnd: int
    net_vnd: int
    withholding_base_vnd: int
    # The part of the gross rung up at sales centres' tills (never withheld on).
    centre_sales_vnd: int = 0

    @classmethod
    def of(cls, settlement: Settlement) -> "Figures":
        return cls(
            gross_vnd=settlement.gross_vnd,
            refunds_vnd=settlement.refunds_vnd,
            commission_vnd=settlement.commission_vnd,
            vat_withheld_vnd=settlement.vat_withheld_vnd,
            pit_withheld_vnd=settlement.pit_withheld_vnd,
            net_vnd=settlement.net_vnd,
            withholding_base_vnd=settlement.withholding_base_vnd,
            centre_sales_vnd=settlement.centre_sales_vnd,
        )


def part_of(base: int, bps: int) -> int:
    """``bps`` basis points of ``base`` đồng, rounded half-up to a whole đồng."""
    return (base * bps + BPS_DIVISOR // 2) // BPS_DIVISOR


def split(
    gross_vnd: int,
    refunds_vnd: int,
    rates: Rates,
    withholding_base_vnd: int | None = None,
    centre_sales_vnd: int = 0,
) -> Figures:
    """The month's parts. ``withholding_base_vnd`` is what VAT and PIT are
    withheld on (``None``: the whole of gross - refunds, as when the shop
    collected all of it); it is 0 when ``rates`` withhold nothing.
    ``centre_sales_vnd`` is the part of the gross sold at centres' tills, shown
    apart; the caller leaves it out of the withholding base."""
    for value in (gross_vnd, refunds_vnd):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"money must be an int of đồng, got {type(value).__name__}")
    base = gross_vnd - refunds_vnd
    if not (rates.vat_bps or rates.pit_bps):
        withheld_on = 0
    else:
        withheld_on = base if withholding_base_vnd is None else withholding_base_vnd
    commission = part_of(base, rates.commission_bps)
    vat = part_of(withheld_on, rates.vat_bps)
    pit = part_of(withheld_on, rates.pit_bps)
    return Figures(
        gross_vnd=gross_vnd,
        refunds_vnd=refunds_vnd,
        commission_vnd=commission,
        vat_withheld_vnd=vat,
        pit_withheld_vnd=pit,
        net_vnd=base - commission - vat - pit,
        withholding_base_vnd=withheld_on,
        centre_sales_vnd=centre_sales_vnd,
    )


def _check_month(month: date) -> None:
    if month.day != 1:
        raise ValueError(f"a settlement month is its first day, got {month}")


def _bounds(month: date):
    _check_month(month)
    return Period.month_of(month).utc_bounds()


def gross_by_producer(month: date, producer_id: int | None = None) -> dict[int, int]:
    start, end = _bounds(month)
    query = (
        select(Shipment.producer_id, func.sum(Shipment.subtotal_vnd + Shipment.shipping_vnd))
        .where(Shipment.paid_at >= start, Shipment.paid_at < end)
        .group_by(Shipment.producer_id)
    )
    if producer_id is not None:
        query = query.where(Shipment.producer_id == producer_id)
    return {pid: int(total or 0) for pid, total in db.session.execute(query)}


def _refunds_in_month(month: date):
    start, end = _bounds(month)
    return (
        Refund.created_at >= start,
        Refund.created_at < end,
        Refund.status != RefundStatus.FAILED,
    )


def refunds_by_producer(month: date, producer_id: int | None = None) -> dict[int, int]:
    query = (
        select(Shipment.producer_id, func.sum(Refund.amount_vnd))
        .join(Shipment, Shipment.id == Refund.shipment_id)
        .where(*_refunds_in_month(month))
        .group_by(Shipment.producer_id)
    )
    if producer_id is not None:
        query = query.where(Shipment.producer_id == producer_id)
    return {pid: int(total or 0) for pid, total in db.session.execute(query)}


def unattributed_refunds(month: date) -> tuple[int, int]:
    """Refunds of the month with no shipment: (how many, total đồng)."""
    count, total = db.session.execute(
        select(func.count(Refund.id), func.sum(Refund.amount_vnd)).where(
            Refund.shipment_id.is_(None), *_refunds_in_month(month)
        )
    ).one()
    return int(count or 0), int(total or 0)


def collected_by_producer(month: date, producer_id: int | None = None) -> dict[int, int]:
    """Gross - refunds of the month's shipments whose money the shop collected
    itself (card, VietQR): the base of the Decree 117 withholding."""
    start, end = _bounds(month)
    gross = (
        select(Shipment.producer_id, func.sum(Shipment.subtotal_vnd + Shipment.shipping_vnd))
        .join(Order, Order.id == Shipment.order_id)
        .where(
            Shipment.paid_at >= start,
            Shipment.paid_at < end,
            Order.payment_method.in_(SHOP_COLLECTED),
        )
        .group_by(Shipment.producer_id)
    )
    refunds = (
        select(Shipment.producer_id, func.sum(Refund.amount_vnd))
        .join(Shipment, Shipment.id == Refund.shipment_id)
        .join(Order, Order.id == Shipment.order_id)
        .where(*_refunds_in_month(month), Order.payment_method.in_(SHOP_COLLECTED))
        .group_by(Shipment.producer_id)
    )
    if producer_id is not None:
        gross = gross.where(Shipment.producer_id == producer_id)
        refunds = refunds.where(Shipment.producer_id == producer_id)
    totals: dict[int, int] = {}
    for pid, total in db.session.execute(gross):
        totals[pid] = totals.get(pid, 0) + int(total or 0)
    for pid, total in db.session.execute(refunds):
        totals[pid] = totals.get(pid, 0) - int(total or 0)
    return totals


def centre_sales_by_producer(month: date, producer_id: int | None = None) -> dict[int, int]:
    """Till sales at OCOP sales centres in the month: in the gross (the centre
    collected the money for the marketplace) but never in the withholding base:
    a sale at a counter is not an e-commerce sale (Decree 117/2025 withholds on
    sales through the platform)."""
    start, end = _bounds(month)
    return centre_queries.centre_sales_by_producer(start, end, producer_id)


def compute(producer: Producer, month: date) -> Figures:
    centre = centre_sales_by_producer(month, producer.id).get(producer.id, 0)
    gross = gross_by_producer(month, producer.id).get(producer.id, 0) + centre
    refunds = refunds_by_producer(month, producer.id).get(producer.id, 0)
    collected = collected_by_producer(month, producer.id).get(producer.id, 0)
    return split(gross, refunds, rates_for(producer.kind), collected, centre)


def _apply(settlement: Settlement, figures: Figures, rates: Rates) -> bool:
    """Write figures and rates onto a draft; True when anything changed."""
    values = {
        **asdict(figures),
        "commission_bps": rates.commission_bps,
        "vat_bps": rates.vat_bps,
        "pit_bps": rates.pit_bps,
    }
    changed = any(getattr(settlement, k) != v for k, v in values.items())
    if changed:
        for k, v in values.items():
            setattr(settlement, k, v)
        settlement.computed_at = utcnow()
    return changed


@dataclass(frozen=True)
class GenerateResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    paid: int = 0  # already paid: left as they are
    removed: int = 0  # drafts of producers with nothing left in the month


def generate(month: date, today: date) -> GenerateResult:
    """Create or refresh the draft settlement of every producer with money in or
    out in ``month``. Running it again changes nothing; a paid settlement is
    never recomputed."""
    _check_month(month)
    if month > first_of_month(today):
        raise SettlementError(_("Chưa thể quyết toán một tháng chưa bắt đầu."))
    gross = gross_by_producer(month)
    centre = centre_sales_by_producer(month)
    for producer_id, sold in centre.items():
        gross[producer_id] = gross.get(producer_id, 0) + sold
    refunds = refunds_by_producer(month)
    collected = collected_by_producer(month)
    producer_ids = sorted(gross.keys() | refunds.keys())
    producers = {
        p.id: p for p in db.session.scalars(select(Producer).where(Producer.id.in_(producer_ids)))
    }
    existing = {
        s.producer_id: s
        for s in db.session.scalars(select(Settlement).where(Settlement.month == month))
    }
    counts = dict.fromkeys(("created", "updated", "unchanged", "paid", "removed"), 0)
    for producer_id in producer_ids:
        rates = rates_for(producers[producer_id].kind)
        figures = split(
            gross.get(producer_id, 0),
            refunds.get(producer_id, 0),
            rates,
            collected.get(producer_id, 0),
            centre.get(producer_id, 0),
        )
        settlement = existing.get(producer_id)
        if settlement is None:
            settlement = Settlement(producer_id=producer_id, month=month)
            _apply(settlement, figures, rates)
            db.session.add(settlement)
            counts["created"] += 1
        elif settlement.is_paid:
            counts["paid"] += 1
        elif _apply(settlement, figures, rates):
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    for producer_id, settlement in existing.items():
        if producer_id not in producers and not settlement.is_paid:
            db.session.delete(settlement)
            counts["removed"] += 1
    db.session.flush()
    return GenerateResult(**counts)


def refresh(settlement: Settlement) -> bool:
    """Recompute one draft; True when its figures changed."""
    if settlement.is_paid:
        raise AlreadyPaid(_("Quyết toán này đã được thanh toán."))
    rates = rates_for(settlement.producer.kind)
    figures = compute(settlement.producer, settlement.month)
    changed = _apply(settlement, figures, rates)
    db.session.flush()
    return changed


def missing_tax_id(producer: Producer) -> bool:
    return producer.kind.needs_tax_id and not producer.tax_id


def check_tax_id(producer: Producer) -> None:
    """Our policy (the decree asks the platform to declare what it withholds under
    the seller's tax identity; refusing to pay without one is our choice): a
    household is paid nothing until its profile has a tax code or CCCD. Drafts
    are still computed, so staff and the household see what waits."""
    if missing_tax_id(producer):
        raise MissingTaxId(
            _(
                "%(name)s là hộ sản xuất, hộ kinh doanh chưa khai mã số thuế hoặc số CCCD "
                "của chủ hộ: chưa thể chi trả. Hộ cần bổ sung trong mục Thông tin chủ thể.",
                name=producer.legal_name,
            )
        )


def mark_paid(settlement: Settlement, actor: User, reference: str, today: date) -> Settlement:
    """Record that the net was transferred to the producer; the settlement is frozen.

    Refused for a household without a tax code or CCCD (MissingTaxId), for a
    month not yet over (later payments would never be counted), when
    the figures no longer match the money (FiguresChanged: refresh and look
    again), and a second time (AlreadyPaid) even from two staff at once: the
    conditional update lets exactly one of them through.
    """
    reference = (reference or "").strip()
    if not reference:
        raise SettlementError(_("Vui lòng nhập mã tham chiếu của lệnh chuyển tiền."))
    if len(reference) > 80:
        raise SettlementError(_("Mã tham chiếu dài tối đa 80 ký tự."))
    if settlement.is_paid:
        raise AlreadyPaid(_("Quyết toán này đã được thanh toán."))
    check_tax_id(settlement.producer)
    if today < next_month(settlement.month):
        raise SettlementError(_("Chỉ thanh toán quyết toán khi tháng đã kết thúc."))
    if compute(settlement.producer, settlement.month) != Figures.of(settlement):
        raise FiguresChanged(
            _("Số liệu đã thay đổi từ lần tính trước. Hãy tính lại và kiểm tra trước khi trả.")
        )
    now = utcnow()
    won = rows_affected(
        db.session.execute(
            update(Settlement)
            .where(Settlement.id == settlement.id, Settlement.status == SettlementStatus.DRAFT)
            .values(
                status=SettlementStatus.PAID,
                paid_at=now,
                paid_by_id=actor.id,
                reference=reference,
                tax_id=settlement.producer.tax_id,
            )
            .execution_options(synchronize_session=False)
        )
    )
    if not won:
        raise AlreadyPaid(_("Quyết toán này đã được thanh toán."))
    db.session.refresh(settlement)
    record(
        actor,
        "settle",
        settlement,
        reason=reference,
        net_vnd=settlement.net_vnd,
        producer_id=settlement.producer_id,
        month=settlement.month.strftime("%Y-%m"),
    )
    return settlement


# -- queries for the pages -----------------------------------------------------


def settlements_of_month(month: date):
    return (
        select(Settlement)
        .join(Producer, Producer.id == Settlement.producer_id)
        .options(contains_eager(Settlement.producer))
        .where(Settlement.month == month)
        .order_by(Producer.legal_name, Settlement.id)
    )


def settlements_of_producer(producer_id: int):
    return (
        select(Settlement)
        .where(Settlement.producer_id == producer_id)
        .order_by(Settlement.month.desc())
    )


def shipments_of(settlement: Settlement):
    """The shipments behind a settlement's gross, oldest payment first."""
    start, end = _bounds(settlement.month)
    return (
        select(Shipment, Order.number)
        .join(Order, Order.id == Shipment.order_id)
        .where(
            Shipment.producer_id == settlement.producer_id,
            Shipment.paid_at >= start,
            Shipment.paid_at < end,
        )
        .order_by(Shipment.paid_at, Shipment.id)
    )


def refunds_of(settlement: Settlement):
    return (
        select(Refund, Order.number)
        .join(Shipment, Shipment.id == Refund.shipment_id)
        .join(Order, Order.id == Refund.order_id)
        .where(Shipment.producer_id == settlement.producer_id, *_refunds_in_month(settlement.month))
        .order_by(Refund.created_at, Refund.id)
    )


def _withheld():
    return (Settlement.vat_bps > 0) | (Settlement.pit_bps > 0)


def withholding_of_producer(producer_id: int, year: int):
    """A household's statement: its settlements with tax withheld, in ``year``."""
    return (
        select(Settlement)
        .where(
            Settlement.producer_id == producer_id,
            Settlement.month >= date(year, 1, 1),
            Settlement.month < date(year + 1, 1, 1),
            _withheld(),
        )
        .order_by(Settlement.month)
    )


def withholding_of_month(month: date):
    """The shop's monthly declaration: every household settlement of ``month``."""
    return settlements_of_month(month).where(_withheld())
