"""A product's stock, owned by the catalogue: taken by an order with a
conditional UPDATE (never read-then-write), put back when an order or a
shipment is cancelled. Both run inside the caller's transaction and flush
nothing else; a stock level that crosses zero moves the catalogue's generation
(a card says "Hết hàng" or stops saying it). A producer's own changes (the
producer API) are conditional statements too: an absolute count is a compare
and set, an adjustment is relative, and neither can oversell."""

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select, update

from shop.catalog import generation
from shop.catalog.models import Product
from shop.extensions import db


@dataclass(frozen=True)
class Want:
    """One line to take: the product, how many, and the unit price the buyer saw."""

    product_id: int
    quantity: int
    unit_price_vnd: int


class Short(Exception):
    """A line could not be filled: the caller rolls the whole transaction back."""


class PriceMoved(Exception):
    """The product's price is not the one the buyer saw."""

    def __init__(self, product_id: int, seen: int, now: int):
        super().__init__(f"product {product_id}: price seen {seen}, now {now}")
        self.product_id, self.seen, self.now = product_id, seen, now


def take_stock(wants: Iterable[Want]) -> None:
    """Conditional decrements in product-id order (two carts holding the same
    products in opposite order never deadlock). Raises Short when a line cannot
    be filled and PriceMoved when a price changed; either way the caller rolls
    back, so nothing is taken from any producer."""
    for want in sorted(wants, key=lambda w: w.product_id):
        result = db.session.execute(
            update(Product)
            .where(Product.id == want.product_id, Product.stock >= want.quantity)
            .values(stock=Product.stock - want.quantity)
            .returning(Product.price_vnd, Product.stock)
            .execution_options(synchronize_session=False)
        ).first()
        if result is None:
            raise Short
        if generation.stock_crossed_zero(result.stock + want.quantity, result.stock):
            generation.mark_changed(db.session)  # the card says "Hết hàng" now
        if result.price_vnd != want.unit_price_vnd:
            raise PriceMoved(want.product_id, want.unit_price_vnd, result.price_vnd)


def short_of(wanted: dict[int, int]) -> dict[int, int]:
    """{product id: units available} of the products that cannot fill
    ``wanted`` ({product id: quantity}); read after the rollback of a Short."""
    stock = dict(
        db.session.execute(
            select(Product.id, Product.stock).where(Product.id.in_(list(wanted)))
        ).all()
    )
    return {
        product_id: max(stock.get(product_id, 0), 0)
        for product_id, quantity in wanted.items()
        if stock.get(product_id, 0) < quantity
    }


def return_stock(lines: Iterable[tuple[int | None, int]]) -> None:
    """Put back ``(product id, quantity)`` pairs (a product since deleted is
    skipped). Conditional on nothing: adding back is always safe; callers make
    sure it happens once by doing it in the same transaction as the state change
    that allows it."""
    for product_id, quantity in lines:
        if product_id is None:
            continue
        stock = db.session.scalar(
            update(Product)
            .where(Product.id == product_id)
            .values(stock=Product.stock + quantity)
            .returning(Product.stock)
            .execution_options(synchronize_session=False)
        )
        if stock is not None and generation.stock_crossed_zero(stock - quantity, stock):
            generation.mark_changed(db.session)


# -- A producer's own changes (the producer API) ---------------------------------------

# The product form's bound; the database's CHECK keeps stock >= 0.
MAX_STOCK = 1_000_000


class StockMoved(Exception):
    """The stock is not the level an absolute set expected: something (a checkout,
    a cancellation, another client) changed it since it was read."""

    def __init__(self, product_id: int, expected: int, now: int):
        super().__init__(f"product {product_id}: stock expected {expected}, now {now}")
        self.product_id, self.expected, self.now = product_id, expected, now


class StockBounds(Exception):
    """An adjustment would take the stock below 0 or above MAX_STOCK."""

    def __init__(self, product_id: int, delta: int, now: int):
        super().__init__(f"product {product_id}: {now} + {delta} is out of bounds")
        self.product_id, self.delta, self.now = product_id, delta, now


def _current(product_id: int) -> int:
    return db.session.scalar(select(Product.stock).where(Product.id == product_id)) or 0


def _moved(product_id: int, before: int, after: int) -> None:
    if generation.stock_crossed_zero(before, after):
        generation.mark_changed(db.session)


def set_stock(product_id: int, quantity: int, expected: int) -> int:
    """Compare and set: the stock becomes ``quantity`` only if it is ``expected``
    now, in one conditional UPDATE. An absolute count racing a checkout therefore
    never writes back units the checkout just sold: one of the two goes first and
    the other sees it (the checkout's ``stock >= n``, this ``stock = expected``).
    Raises StockMoved with the level found; returns the new level."""
    stock = db.session.scalar(
        update(Product)
        .where(Product.id == product_id, Product.stock == expected)
        .values(stock=quantity)
        .returning(Product.stock)
        .execution_options(synchronize_session=False)
    )
    if stock is None:
        raise StockMoved(product_id, expected, _current(product_id))
    _moved(product_id, expected, stock)
    return stock


def adjust_stock(product_id: int, delta: int) -> int:
    """Add ``delta`` (units received, or taken off for breakage) relative to the
    level at that moment, as checkout takes: never below 0, never above
    MAX_STOCK. Raises StockBounds; returns the new level."""
    stock = db.session.scalar(
        update(Product)
        .where(
            Product.id == product_id,
            Product.stock + delta >= 0,
            Product.stock + delta <= MAX_STOCK,
        )
        .values(stock=Product.stock + delta)
        .returning(Product.stock)
        .execution_options(synchronize_session=False)
    )
    if stock is None:
        raise StockBounds(product_id, delta, _current(product_id))
    _moved(product_id, stock - delta, stock)
    return stock


def set_price(product_id: int, price_vnd: int) -> int:
    """The price lives beside the stock because checkout reads both in the one
    UPDATE that takes the stock (``take_stock`` raises PriceMoved when a buyer saw
    another price): a new price never slips past a checkout in progress. Returns
    the price before."""
    before = db.session.scalar(
        select(Product.price_vnd).where(Product.id == product_id).with_for_update()
    )
    if before is None:
        raise LookupError(product_id)
    if before != price_vnd:
        db.session.execute(
            update(Product)
            .where(Product.id == product_id)
            .values(price_vnd=price_vnd)
            .execution_options(synchronize_session=False)
        )
        generation.mark_changed(db.session)  # every card shows the price
    return before
