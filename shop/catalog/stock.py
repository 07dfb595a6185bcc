"""A product's stock, owned by the catalogue: taken by an order with a
conditional UPDATE (never read-then-write), put back when an order or a
shipment is cancelled. Both run inside the caller's transaction and flush
nothing else; a stock level that crosses zero moves the catalogue's generation
(a card says "Hết hàng" or stops saying it)."""

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
