"""The cart: a guest's lives in the session, a customer's in the database.

Both stores hold only product ids and quantities; everything else (price,
whether the product may still be sold, stock) is read afresh every time the
cart is shown, so a line whose certificate expired is flagged, never sold.
"""

from dataclasses import dataclass, field
from datetime import date

from flask import current_app, session
from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.orm import contains_eager, joinedload

from shop.auth.models import User
from shop.cart.models import CartLine
from shop.catalog.models import Product
from shop.certification.models import Certificate
from shop.certification.queries import listed
from shop.extensions import db
from shop.producers.models import Producer
from shop.producers.rules import ShippingMode, depends_on_destination

SESSION_KEY = "cart"
MAX_LINES = 50


class CartError(Exception):
    """A cart action refused, with the message the customer sees."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


def parse_quantity(raw, *, allow_zero: bool = False) -> int:
    """Whole number from 1 (or 0 to remove) to MAX_LINE_QUANTITY, or CartError."""
    high = current_app.config["MAX_LINE_QUANTITY"]
    text = str(raw if raw is not None else "").strip()
    low = 0 if allow_zero else 1
    if not (text.isascii() and text.isdigit()) or not (low <= int(text) <= high):
        raise CartError(_("Số lượng phải là số nguyên từ 1 đến %(high)s.", high=high))
    return int(text)


def parse_product_id(raw) -> int:
    text = str(raw if raw is not None else "").strip()
    if not (text.isascii() and text.isdigit()) or not (1 <= int(text) <= 2**31 - 1):
        raise CartError(_("Không tìm thấy sản phẩm."), 404)
    return int(text)


# -- storage ---------------------------------------------------------------


def _is_customer(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def read_lines(user) -> dict[int, int]:
    """{product_id: quantity} in the order the lines were added."""
    if _is_customer(user):
        rows = db.session.execute(
            select(CartLine.product_id, CartLine.quantity)
            .where(CartLine.user_id == user.id)
            .order_by(CartLine.id)
        ).all()
        return {row.product_id: row.quantity for row in rows}
    raw = session.get(SESSION_KEY) or {}
    lines: dict[int, int] = {}
    for key, value in raw.items():
        if str(key).isdigit() and isinstance(value, int) and value > 0:
            lines[int(key)] = value
    return lines


def write_line(user, product_id: int, quantity: int) -> None:
    """Set one line (0 removes it). Does not commit."""
    if _is_customer(user):
        line = db.session.scalar(
            select(CartLine).where(CartLine.user_id == user.id, CartLine.product_id == product_id)
        )
        if quantity <= 0:
            if line is not None:
                db.session.delete(line)
        elif line is None:
            db.session.add(CartLine(user_id=user.id, product_id=product_id, quantity=quantity))
        else:
            line.quantity = quantity
        return
    raw = dict(session.get(SESSION_KEY) or {})
    if quantity <= 0:
        raw.pop(str(product_id), None)
    else:
        raw[str(product_id)] = quantity
    session[SESSION_KEY] = raw


def clear(user, product_ids=None) -> None:
    if _is_customer(user):
        query = delete(CartLine).where(CartLine.user_id == user.id)
        if product_ids is not None:
            query = query.where(CartLine.product_id.in_(list(product_ids)))
        db.session.execute(query)
        return
    if product_ids is None:
        session.pop(SESSION_KEY, None)
    else:
        raw = dict(session.get(SESSION_KEY) or {})
        for product_id in product_ids:
            raw.pop(str(product_id), None)
        session[SESSION_KEY] = raw


# -- rules -----------------------------------------------------------------


def _sellable(product_id: int, today: date) -> tuple[Product, Certificate] | None:
    row = db.session.execute(listed(today).where(Product.id == product_id)).first()
    return (row[0], row[1]) if row else None


def add_item(user, product_id: int, quantity: int, today: date) -> tuple[Product, int, bool]:
    """Add ``quantity`` of a product; the line is capped by stock and the line limit.

    Returns (product, quantity now in the cart, whether it was capped). Does not
    commit."""
    found = _sellable(product_id, today)
    if found is None:
        if db.session.get(Product, product_id) is None:
            raise CartError(_("Không tìm thấy sản phẩm."), 404)
        raise CartError(_("Sản phẩm này hiện không được bán."), 409)
    product = found[0]
    if not product.ships_as_parcel:
        raise CartError(_("Sản phẩm này không gửi qua bưu kiện: hãy liên hệ nhà sản xuất."), 409)
    if product.stock <= 0:
        raise CartError(_("“%(name)s” đã hết hàng.", name=product.name), 409)
    lines = read_lines(user)
    if product_id not in lines and len(lines) >= MAX_LINES:
        raise CartError(_("Giỏ hàng tối đa %(n)s sản phẩm khác nhau.", n=MAX_LINES))
    wanted = lines.get(product_id, 0) + quantity
    allowed = min(wanted, product.stock, current_app.config["MAX_LINE_QUANTITY"])
    write_line(user, product_id, allowed)
    return product, allowed, allowed < wanted


def set_quantity(user, product_id: int, quantity: int) -> None:
    """Change a line to exactly ``quantity`` (0 removes). A line not in the cart is a 404."""
    if product_id not in read_lines(user):
        raise CartError(_("Sản phẩm không có trong giỏ hàng."), 404)
    write_line(user, product_id, quantity)


def merge_guest_cart(user: User) -> None:
    """On login: the guest's lines join the account's, quantities add, capped by
    stock. Does not commit."""
    guest = read_lines(None)
    if not guest:
        return
    mine = read_lines(user)
    stocks = dict(
        db.session.execute(
            select(Product.id, Product.stock).where(Product.id.in_(list(guest)))
        ).all()
    )
    limit = current_app.config["MAX_LINE_QUANTITY"]
    for product_id, quantity in guest.items():
        if product_id not in stocks:
            continue
        total = min(mine.get(product_id, 0) + quantity, max(stocks[product_id], 0), limit)
        if total > 0:
            write_line(user, product_id, total)
        elif product_id in mine:
            write_line(user, product_id, mine[product_id])
    session.pop(SESSION_KEY, None)


# -- what the cart page shows ----------------------------------------------


@dataclass
class LineView:
    product: Product
    quantity: int
    unit_price_vnd: int
    star_rank: int | None
    certificate_id: int | None
    # None, "unlisted" (certificate expired/revoked, unpublished…), "out_of_stock", "short"
    problem: str | None = None

    @property
    def line_total_vnd(self) -> int:
        return self.unit_price_vnd * self.quantity

    @property
    def available(self) -> int:
        return max(self.product.stock, 0)


@dataclass
class GroupView:
    producer: Producer
    lines: list[LineView] = field(default_factory=list)
    # The buyer's province, once known (the checkout's form); until then a fee
    # by zone is the lowest it can be, shown as "from".
    destination_province_code: int | None = None
    # Collected at a sales centre (the checkout's choice): its fee replaces shipping.
    pickup_centre_id: int | None = None
    pickup_fee_vnd: int | None = None

    @property
    def is_pickup(self) -> bool:
        return self.pickup_centre_id is not None

    @property
    def subtotal_vnd(self) -> int:
        return sum(line.line_total_vnd for line in self.lines if line.problem != "unlisted")

    @property
    def grams(self) -> int:
        """The parcel's weight; a product without one weighs nothing here (the
        producer's forms ask every product for its weight before fees go by weight)."""
        return sum(
            (line.product.shipping_grams or 0) * line.quantity
            for line in self.lines
            if line.problem != "unlisted"
        )

    @property
    def shipping_vnd(self) -> int:
        if self.pickup_centre_id is not None:
            return self.pickup_fee_vnd or 0
        return self.producer.shipping_for(
            self.subtotal_vnd, self.grams, self.destination_province_code
        )

    @property
    def shipping_is_estimate(self) -> bool:
        """The fee depends on a province the buyer has not named yet."""
        return (
            self.pickup_centre_id is None
            and self.destination_province_code is None
            and depends_on_destination(
                self.producer.shipping_terms, subtotal_vnd=self.subtotal_vnd, grams=self.grams
            )
        )

    @property
    def total_vnd(self) -> int:
        return self.subtotal_vnd + self.shipping_vnd


@dataclass
class CartView:
    groups: list[GroupView]

    def ship_to(self, province_code: int | None) -> "CartView":
        """Price shipping for a destination province (no query: the fee terms are
        columns of the producers already loaded, the regions a Python table)."""
        for group in self.groups:
            group.destination_province_code = province_code
        return self

    @property
    def lines(self) -> list[LineView]:
        return [line for group in self.groups for line in group.lines]

    @property
    def count(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def subtotal_vnd(self) -> int:
        return sum(group.subtotal_vnd for group in self.groups)

    @property
    def shipping_vnd(self) -> int:
        return sum(group.shipping_vnd for group in self.groups)

    @property
    def shipping_is_estimate(self) -> bool:
        return any(group.shipping_is_estimate for group in self.groups)

    @property
    def ships_by_zone(self) -> bool:
        """Some producer charges by destination: the province changes the total."""
        return any(g.producer.shipping_mode is ShippingMode.ZONES for g in self.groups)

    @property
    def total_vnd(self) -> int:
        return self.subtotal_vnd + self.shipping_vnd

    @property
    def has_alcohol(self) -> bool:
        """Any line holds alcohol: the buyer must confirm being 18 or older."""
        return any(line.product.is_alcohol for line in self.lines)

    @property
    def problems(self) -> list[LineView]:
        return [line for line in self.lines if line.problem]

    @property
    def can_checkout(self) -> bool:
        return bool(self.lines) and not self.problems


def build_view(lines: dict[int, int], today: date) -> CartView:
    if not lines:
        return CartView(groups=[])
    ids = list(lines)
    # One query in the usual case (every line sellable), the producer joined in;
    # a second one only for the lines that are not.
    sellable = {}
    products = {}
    for product, certificate in db.session.execute(
        listed(today).where(Product.id.in_(ids)).options(contains_eager(Product.producer))
    ):
        sellable[product.id] = certificate
        products[product.id] = product
    others = [product_id for product_id in ids if product_id not in products]
    if others:
        products.update(
            (p.id, p)
            for p in db.session.scalars(
                select(Product).where(Product.id.in_(others)).options(joinedload(Product.producer))
            )
        )
    groups: dict[int, GroupView] = {}
    for product_id, quantity in lines.items():
        product = products.get(product_id)
        if product is None:
            continue  # deleted products simply leave the cart
        certificate = sellable.get(product_id)
        if certificate is None:
            problem = "unlisted"
        elif product.stock <= 0:
            problem = "out_of_stock"
        elif product.stock < quantity:
            problem = "short"
        else:
            problem = None
        group = groups.setdefault(product.producer_id, GroupView(producer=product.producer))
        group.lines.append(
            LineView(
                product=product,
                quantity=quantity,
                unit_price_vnd=product.price_vnd,
                star_rank=certificate.star_rank if certificate else None,
                certificate_id=certificate.id if certificate else None,
                problem=problem,
            )
        )
    return CartView(groups=list(groups.values()))


def view_json(view: CartView) -> dict:
    """The shape AJAX carts use (item_count, total_price, items[…]), in whole đồng."""
    return {
        "currency": "VND",
        "item_count": view.count,
        "items_subtotal_price": view.subtotal_vnd,
        "shipping_price": view.shipping_vnd,
        # True while a fee by zone waits for the buyer's province: the figures are "from".
        "shipping_is_estimate": view.shipping_is_estimate,
        "requires_alcohol_age_check": view.has_alcohol,
        "total_price": view.total_vnd,
        "requires_attention": bool(view.problems),
        "items": [
            {
                "product_id": line.product.id,
                "title": line.product.name,
                "url": f"/products/{line.product.slug}",
                "producer": group.producer.legal_name,
                "quantity": line.quantity,
                "price": line.unit_price_vnd,
                "line_price": line.line_total_vnd,
                "stars": line.star_rank,
                "available": line.available,
                "problem": line.problem,
            }
            for group in view.groups
            for line in group.lines
        ],
        "producers": [
            {
                "producer": group.producer.legal_name,
                "subtotal": group.subtotal_vnd,
                "shipping": group.shipping_vnd,
                "shipping_is_estimate": group.shipping_is_estimate,
                "free_shipping_over": group.producer.free_shipping_over_vnd,
            }
            for group in view.groups
        ],
    }
