"""Placing an order: one transaction that takes the stock of every line with a
conditional UPDATE (never read-then-write), creates one shipment per producer,
and freezes each line's name, price, producer and stars.

Lines are updated in product-id order, so two carts holding the same products
in opposite order never deadlock. Any short line rolls the whole order back.
The checkout token is unique: a form submitted twice, or ten times at once,
makes one order."""

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from shop.auth.models import User
from shop.cart.services import CartView, build_view
from shop.catalog import stock
from shop.centres import queries as centre_queries
from shop.centres import services as centre_services
from shop.centres.exceptions import CentreShort
from shop.centres.models import Centre
from shop.centres.rules import new_pickup_code
from shop.clock import VN_TZ, utcnow
from shop.extensions import db
from shop.localities.services import locality_snapshot
from shop.orders.events import order_placed
from shop.orders.models import (
    Order,
    OrderLine,
    OrderStatus,
    PaymentMethod,
    Shipment,
    StateChange,
)

TOKEN_LENGTH = 43  # secrets.token_urlsafe(32)


def new_checkout_token() -> str:
    return secrets.token_urlsafe(32)


def valid_token(token: str | None) -> bool:
    return (
        isinstance(token, str)
        and 20 <= len(token) <= 64
        and all(c.isalnum() or c in "-_" for c in token)
        and token.isascii()
    )


@dataclass(frozen=True)
class Contact:
    customer_name: str
    phone: str
    email: str | None  # None: the buyer gave none (the order sends them no e-mail)
    province_code: int
    ward_code: int
    street: str
    note: str = ""


@dataclass(frozen=True)
class ShortLine:
    product_id: int
    name: str
    wanted: int
    available: int


class CheckoutError(Exception):
    pass


class CartNotReady(CheckoutError):
    """Empty cart, or a line that is unlisted or out of stock."""

    def __init__(self, view: CartView):
        super().__init__("cart not ready")
        self.view = view


class OutOfStock(CheckoutError):
    def __init__(self, short: list[ShortLine]):
        super().__init__(", ".join(f"{s.name}: {s.available} left" for s in short))
        self.short = short


class AgeNotConfirmed(CheckoutError):
    """The cart holds alcohol and the buyer did not confirm being 18 or older
    (Law 44/2019: no alcohol is sold to anyone under 18)."""

    def __init__(self):
        super().__init__("alcohol in the cart: the buyer must confirm being 18 or older")


class PickupUnavailable(CheckoutError):
    """The sales centre chosen for a producer's goods is not open (or not known)."""


class PriceChanged(CheckoutError):
    """The total the customer saw is not the total now (a price moved, or a
    tampered form): nothing is ordered, the cart is shown again."""

    def __init__(self, seen: int | None, now: int):
        super().__init__(f"total seen {seen}, now {now}")
        self.seen, self.now = seen, now


def remember_address(user_id: int, contact: Contact) -> None:
    """Save the delivery address for next time, unless it is already saved."""
    from shop.orders.models import SavedAddress

    known = db.session.scalar(
        select(SavedAddress.id).where(
            SavedAddress.user_id == user_id,
            SavedAddress.province_code == contact.province_code,
            SavedAddress.ward_code == contact.ward_code,
            SavedAddress.street == contact.street,
            SavedAddress.phone == contact.phone,
        )
    )
    if known is None:
        db.session.add(
            SavedAddress(
                user_id=user_id,
                customer_name=contact.customer_name,
                phone=contact.phone,
                province_code=contact.province_code,
                ward_code=contact.ward_code,
                street=contact.street,
            )
        )


def order_number(order_id: int, created: datetime) -> str:
    """DH + yymm (Vietnam time) + at least 6 digits: DH2611000123."""
    return f"DH{created.astimezone(VN_TZ):%y%m}{order_id:06d}"


def find_by_token(token: str) -> Order | None:
    return db.session.scalar(select(Order).where(Order.checkout_token == token))


def place_order(
    *,
    lines: dict[int, int],
    contact: Contact,
    payment_method: PaymentMethod,
    token: str,
    user: User | None,
    today: date,
    expected_total_vnd: int | None,
    now: datetime | None = None,
    view: CartView | None = None,
    adult_confirmed: bool = False,
    pickups: dict[int, int] | None = None,
) -> tuple[Order, bool]:
    """Create the order; returns (order, created). ``created`` is False when the
    token already made an order (a double submit): that order is returned.

    ``view`` is the cart of ``lines`` as the caller built it in this transaction
    (the checkout page has it already); it is built here otherwise. Prices and
    stock are checked again by the stock UPDATEs whichever view is given.

    Shipping is priced here for the contact's province, whatever the view held:
    ``expected_total_vnd`` (what the buyer saw) must match that total, so a buyer
    never pays a fee they were not shown. A cart with alcohol needs
    ``adult_confirmed`` (AgeNotConfirmed otherwise).

    ``pickups`` ({producer id: centre id}): those producers' goods are collected
    at that sales centre: its fee instead of shipping, its stock (a conditional
    decrement with a ledger row per line) instead of the online stock, and the
    shipment gets the centre and a pick-up code. A centre short of a line is
    OutOfStock, like the online stock."""
    existing = find_by_token(token)
    if existing is not None:
        return existing, False
    if view is None:
        view = build_view(lines, today)
    view.ship_to(contact.province_code)
    centres = choose_pickups(view, pickups or {})
    if not view.can_checkout:
        raise CartNotReady(view)
    if view.has_alcohol and not adult_confirmed:
        raise AgeNotConfirmed
    if expected_total_vnd != view.total_vnd:
        raise PriceChanged(expected_total_vnd, view.total_vnd)

    now = now or utcnow()
    order = Order(
        checkout_token=token,
        access_key=secrets.token_urlsafe(32),
        user_id=user.id if user is not None and user.is_authenticated else None,
        customer_name=contact.customer_name,
        phone=contact.phone,
        email=contact.email,
        province_code=contact.province_code,
        ward_code=contact.ward_code,
        street=contact.street,
        **locality_snapshot(contact.province_code, contact.ward_code),
        note=contact.note,
        adult_confirmed=view.has_alcohol and adult_confirmed,
        payment_method=payment_method,
        status=(
            OrderStatus.AWAITING_DELIVERY
            if payment_method == PaymentMethod.COD
            else OrderStatus.PENDING_PAYMENT
        ),
        subtotal_vnd=view.subtotal_vnd,
        shipping_vnd=view.shipping_vnd,
        total_vnd=view.total_vnd,
        created_at=now,
        expires_at=(
            None
            if payment_method == PaymentMethod.COD
            else now + timedelta(hours=current_app.config["UNPAID_ORDER_HOURS"])
        ),
    )
    db.session.add(order)
    try:
        # The unique token: a parallel twin of this request waits here, then fails.
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        existing = find_by_token(token)
        if existing is None:
            raise
        return existing, False

    number = order_number(order.id, now)  # set below: setting it here costs an UPDATE
    try:
        stock.take_stock(_wants(view))
    except stock.Short:
        db.session.rollback()  # nothing taken from any producer
        raise OutOfStock(_short_lines(view)) from None
    except stock.PriceMoved as exc:
        db.session.rollback()
        raise PriceChanged(exc.seen, exc.now) from None
    for group in view.groups:
        if group.pickup_centre_id is None:
            continue
        try:
            centre_services.reserve_for_pickup(
                group.pickup_centre_id,
                [(line.product, line.quantity) for line in group.lines],
                order_number=number,
                actor=None,
            )
        except CentreShort:
            db.session.rollback()  # nothing taken anywhere
            raise OutOfStock(_short_at_centre(group)) from None

    order.number = number
    shipments = []
    for group in view.groups:
        centre = centres.get(group.producer.id)
        shipment = Shipment(
            order=order,
            producer_id=group.producer.id,
            subtotal_vnd=group.subtotal_vnd,
            shipping_vnd=group.shipping_vnd,
            pickup_centre_id=centre.id if centre is not None else None,
            pickup_code=new_pickup_code() if centre is not None else None,
        )
        db.session.add(shipment)
        shipments.append(shipment)
        for line in group.lines:
            db.session.add(
                OrderLine(
                    order=order,
                    shipment=shipment,
                    product_id=line.product.id,
                    producer_id=group.producer.id,
                    certificate_id=line.certificate_id,
                    product_name=line.product.name,
                    pack=line.product.pack,
                    star_rank=line.star_rank,
                    product_set_id=line.product.product_set_id,
                    province_code=group.producer.province_code,
                    unit_price_vnd=line.unit_price_vnd,
                    quantity=line.quantity,
                    line_total_vnd=line.line_total_vnd,
                )
            )
    db.session.flush()
    db.session.add(
        StateChange(
            order_id=order.id,
            subject="order",
            from_state=None,
            to_state=str(order.status),
            actor_id=order.user_id,
            actor_label="customer",
            at=now,
        )
    )
    if payment_method == PaymentMethod.CARD:
        from shop.payments.models import CardPayment

        db.session.add(CardPayment(order_id=order.id, amount_vnd=order.total_vnd))
    order_placed.send(order, shipments=shipments)  # the producers' webhooks, queued with it
    return order, True


def pickup_choices(view: CartView) -> dict[int, list[Centre]]:
    """{producer id: the open centres holding every line of its group in full}."""
    return centre_queries.pickup_centres(
        {
            group.producer.id: {line.product.id: line.quantity for line in group.lines}
            for group in view.groups
        }
    )


def choose_pickups(view: CartView, pickups: dict[int, int]) -> dict[int, Centre]:
    """Mark the groups collected at a centre (its fee replaces shipping); the
    centres by producer id. PickupUnavailable for a centre not open. Whether it
    holds the goods is the stock UPDATE's to say."""
    chosen: dict[int, Centre] = {}
    for group in view.groups:
        centre_id = pickups.get(group.producer.id)
        group.pickup_centre_id = group.pickup_fee_vnd = None
        if centre_id is None:
            continue
        centre = db.session.get(Centre, centre_id)
        if centre is None or not centre.is_active:
            raise PickupUnavailable
        group.pickup_centre_id, group.pickup_fee_vnd = centre.id, centre.pickup_fee_vnd
        chosen[group.producer.id] = centre
    return chosen


def _wants(view: CartView) -> list[stock.Want]:
    """The lines taken from the online stock: those not collected at a centre."""
    return [
        stock.Want(line.product.id, line.quantity, line.unit_price_vnd)
        for group in view.groups
        if group.pickup_centre_id is None
        for line in group.lines
    ]


def _short_at_centre(group) -> list[ShortLine]:
    """The lines the centre cannot fill, read after the rollback."""
    held = centre_queries.centre_holdings(
        group.pickup_centre_id, [line.product.id for line in group.lines]
    )
    return [
        ShortLine(line.product.id, line.product.name, line.quantity, held.get(line.product.id, 0))
        for line in group.lines
        if held.get(line.product.id, 0) < line.quantity
    ]


def _short_lines(view: CartView) -> list[ShortLine]:
    """Which lines cannot be filled, read after the rollback."""
    wanted = {want.product_id: want.quantity for want in _wants(view)}
    available = stock.short_of(wanted)
    return [
        ShortLine(line.product.id, line.product.name, line.quantity, available[line.product.id])
        for line in view.lines
        if line.product.id in available and line.product.id in wanted
    ]


def pickup_texts(order: Order) -> dict[int, str]:
    """{shipment id: where to collect it} for the confirmation e-mail."""
    texts = {}
    for shipment in order.shipments:
        if shipment.pickup_centre_id is not None:
            centre = db.session.get(Centre, shipment.pickup_centre_id)
            if centre is not None:
                hours = f" ({centre.opening_hours})" if centre.opening_hours else ""
                texts[shipment.id] = f"{centre.name}, {centre.address_line}{hours}"
    return texts
