"""A centre's stock per product, changed only here: a conditional UPDATE (never
read-then-write, never below zero, as ``shop/catalog/stock.py`` does for the
online stock) and, in the same transaction, the ledger row that explains it with
the balance the UPDATE returned. So a centre's quantity of a product is always
the sum of its movements, and the ledger reads as a bank statement."""

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite

from shop.auth.models import User
from shop.catalog import generation
from shop.catalog.models import Product
from shop.centres.exceptions import CentreShort, OnlineShort
from shop.centres.models import CentreStock, MovementKind, StockMovement
from shop.clock import utcnow
from shop.extensions import db


def _add(centre_id: int, product_id: int, quantity: int) -> int:
    """Add units (an INSERT … ON CONFLICT DO UPDATE, so a first consignment racing
    another makes one row); the new quantity."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    now = utcnow()
    statement = dialect.insert(CentreStock).values(
        centre_id=centre_id, product_id=product_id, quantity=quantity, updated_at=now
    )
    statement = statement.on_conflict_do_update(
        index_elements=[CentreStock.centre_id, CentreStock.product_id],
        set_={"quantity": CentreStock.quantity + quantity, "updated_at": now},
    ).returning(CentreStock.quantity)
    return int(db.session.execute(statement).scalar_one())


def _take(centre_id: int, product_id: int, quantity: int) -> int:
    """Take units only if that many are there; the new quantity, or CentreShort."""
    left = db.session.execute(
        update(CentreStock)
        .where(
            CentreStock.centre_id == centre_id,
            CentreStock.product_id == product_id,
            CentreStock.quantity >= quantity,
        )
        .values(quantity=CentreStock.quantity - quantity, updated_at=utcnow())
        .returning(CentreStock.quantity)
        .execution_options(synchronize_session=False)
    ).scalar()
    if left is None:
        raise CentreShort(product_id)
    return int(left)


def move(
    *,
    centre_id: int,
    product: Product,
    kind: MovementKind,
    change: int,
    actor: User | None,
    sale_id: int | None = None,
    note: str = "",
    online_stock: bool = False,
) -> StockMovement:
    """Change a centre's stock of ``product`` by ``change`` units (signed) and write
    the ledger row; flushes. Raises CentreShort when it would go below zero."""
    if isinstance(change, bool) or not isinstance(change, int) or change == 0:
        raise ValueError(f"a movement changes the stock by a non-zero int, got {change!r}")
    balance = (
        _add(centre_id, product.id, change) if change > 0 else _take(centre_id, product.id, -change)
    )
    movement = StockMovement(
        centre_id=centre_id,
        product_id=product.id,
        producer_id=product.producer_id,
        kind=kind,
        quantity_change=change,
        balance_after=balance,
        online_stock=online_stock,
        sale_id=sale_id,
        note=note,
        actor_id=actor.id if actor is not None else None,
    )
    db.session.add(movement)
    db.session.flush()
    return movement


def take_online(product_id: int, quantity: int) -> None:
    """Units leave the online stock for a centre: the same conditional decrement
    as an order's (``shop/catalog/stock.py``), without the price check."""
    left = db.session.execute(
        update(Product)
        .where(Product.id == product_id, Product.stock >= quantity)
        .values(stock=Product.stock - quantity)
        .returning(Product.stock)
        .execution_options(synchronize_session=False)
    ).scalar()
    if left is None:
        raise OnlineShort()
    if generation.stock_crossed_zero(left + quantity, left):
        generation.mark_changed(db.session)  # the card says "Hết hàng" now
