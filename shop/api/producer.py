"""The producer API under /api/v1/producer/ (issue 15): a producer's system (a
spreadsheet, a Shopee or Tiki sync, a warehouse app) reads its orders, sets its
stock and prices and moves its shipments with a personal access token.

Every operation passes shop/api/bearer.py (token, scope, rate limit, idempotency,
audit, the one commit). A token sees only its own producer: another producer's
order or product is a 404, the same answer as one that does not exist. The rules
are the shop's own: stock through shop/catalog/stock.py (the conditional UPDATEs
of checkout), shipments through ``orders.services.advance_shipment`` (the state
table of shop/orders/states.py), exactly as the producer's pages use them.
"""

from datetime import UTC, date, datetime, time, timedelta
from http import HTTPStatus

from flask import g
from flask_smorest import Api
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from shop.api import cursor as cursors
from shop.api import problems
from shop.api import producer_schemas as schemas
from shop.api.bearer import KEY_HEADER, audit_target, producer_call
from shop.api.views import Blueprint, _decode, _iso, abort
from shop.catalog import stock
from shop.catalog.models import Product
from shop.clock import VN_TZ
from shop.extensions import csrf, db
from shop.orders import states
from shop.orders.models import Order, Shipment, ShipmentStatus
from shop.orders.services import OrderActionError, advance_shipment
from shop.tokens.rules import KEY_PATTERN, MAX_KEY_LENGTH, Scope

URL_PREFIX = "/api/v1/producer"
SECURITY_SCHEME = "producerToken"

orders = Blueprint(
    "api-producer-orders",
    __name__,
    url_prefix=URL_PREFIX,
    description="Your orders (your shipment of each) and their fulfilment. Needs a token.",
)
products = Blueprint(
    "api-producer-products",
    __name__,
    url_prefix=URL_PREFIX,
    description="Your products' stock and prices. Needs a token with stock:write.",
)
BLUEPRINTS = (orders, products)
for _bp in BLUEPRINTS:
    problems.register_on(_bp)
    csrf.exempt(_bp)  # a bearer token, never a cookie: nothing for a forged form to ride on

_ERRORS_READ = (401, 403, 429)
_KEY_PARAMETER = {
    "in": "header",
    "name": KEY_HEADER,
    "required": True,
    "description": (
        "A key of yours, new for each change (a UUID will do). The same key and the "
        "same request within 24 hours replays the first answer (with "
        "`Idempotent-Replayed: true`) instead of changing anything twice; the same key "
        "with another request is a 422."
    ),
    "schema": {
        "type": "string",
        "minLength": 1,
        "maxLength": MAX_KEY_LENGTH,
        "pattern": KEY_PATTERN,
    },
}


def _documented(bp: Blueprint, scope: Scope, *statuses: int, write: bool = False):
    """The operation's security and its problem answers, in the document."""

    def decorator(view):
        doc: dict = {"security": [{SECURITY_SCHEME: [scope.value]}]}
        if write:
            doc["parameters"] = [_KEY_PARAMETER]
        view = bp.doc(**doc)(view)
        for status in sorted({*_ERRORS_READ, *statuses}):
            view = bp.alt_response(status, response=_status_name(status))(view)
        return view

    return decorator


def _status_name(status: int) -> str:
    return HTTPStatus(status).name


# -- Orders ----------------------------------------------------------------------------


def _ship_to(order: Order) -> dict:
    return {
        "name": order.customer_name,
        "phone": order.phone,
        "street": order.street,
        "ward": order.ward_name or order.ward.name,
        "province": order.province_name or order.province.name,
        "ward_code": order.ward_code,
        "province_code": order.province_code,
        "address": order.address_line,
        "note": order.note,
    }


def order_json(shipment: Shipment, with_buyer: bool) -> dict:
    order = shipment.order
    return {
        "number": order.number,
        "shipment_id": shipment.id,
        "status": shipment.status.value,
        "actions": sorted(states.allowed_actions(shipment, order)),
        "order_status": order.status.value,
        "payment_method": order.payment_method.value,
        "payment": shipment.payment.value,
        "placed_at": _iso(order.created_at),
        "subtotal_vnd": shipment.subtotal_vnd,
        "shipping_vnd": shipment.shipping_vnd,
        "total_vnd": shipment.total_vnd,
        "collect_on_delivery_vnd": shipment.collect_on_delivery_vnd,
        "carrier": shipment.carrier,
        "tracking_number": shipment.tracking_number,
        "shipped_at": _iso(shipment.shipped_at),
        "delivered_at": _iso(shipment.delivered_at),
        "ship_to": _ship_to(order) if with_buyer else None,
        "lines": [
            {
                "product_id": line.product_id,
                "product_name": line.product_name,
                "pack": line.pack,
                "star_rank": line.star_rank,
                "quantity": line.quantity,
                "unit_price_vnd": line.unit_price_vnd,
                "line_total_vnd": line.line_total_vnd,
            }
            for line in shipment.lines
        ],
    }


def _my_shipments():
    """The token's producer's shipments of placed orders, with what the JSON shows."""
    return (
        select(Shipment)
        .join(Order, Order.id == Shipment.order_id)
        .where(Shipment.producer_id == g.api_token.producer_id, Order.number.is_not(None))
        .options(
            joinedload(Shipment.order).joinedload(Order.province),
            joinedload(Shipment.order).joinedload(Order.ward),
            selectinload(Shipment.lines),
        )
    )


def _day_start(day: date) -> datetime:
    """The first instant of a day in Vietnam, in UTC (how times are stored)."""
    day = min(max(day, schemas.FIRST_DAY), schemas.LAST_DAY)
    return datetime.combine(day, time.min, VN_TZ).astimezone(UTC)


def _with_buyer() -> bool:
    return Scope.ORDERS_READ in g.api_token.scopes


@orders.route("/orders")
@_documented(orders, Scope.ORDERS_READ)
@producer_call(Scope.ORDERS_READ, "api.orders.list")
@orders.arguments(schemas.OrderArgs, location="query", as_kwargs=False)
@orders.response(200, schemas.ProducerOrderPage)
def list_orders(args: dict):
    """Your orders, newest first.

    Each is your shipment of the order: its lines, its state and where it goes.
    Filter by the shipment's state and the day the order was placed (in Vietnam)."""
    after = _decode("producer-orders", args, 1)
    query = _my_shipments()
    if args.get("status"):
        query = query.where(Shipment.status == ShipmentStatus(args["status"]))
    if args.get("placed_from"):
        query = query.where(Order.created_at >= _day_start(args["placed_from"]))
    if args.get("placed_to"):
        # Up to the end of that day: before the start of the next.
        query = query.where(Order.created_at < _day_start(args["placed_to"] + timedelta(days=1)))
    if after is not None:
        query = query.where(Shipment.id < after[0])
    limit = args["limit"]
    items = list(db.session.scalars(query.order_by(Shipment.id.desc()).limit(limit + 1)).unique())
    more = len(items) > limit
    items = items[:limit]
    next_cursor = cursors.encode("producer-orders", [items[-1].id]) if more and items else None
    with_buyer = _with_buyer()
    return {"items": [order_json(s, with_buyer) for s in items], "next_cursor": next_cursor}


def _my_shipment(number: str) -> Shipment:
    shipment = db.session.scalar(_my_shipments().where(Order.number == number[:20]))
    if shipment is None:
        abort(404, message="You have no order with this number.")
    return shipment


@orders.route("/orders/<number>")
@_documented(orders, Scope.ORDERS_READ, 404)
@producer_call(Scope.ORDERS_READ, "api.orders.read")
@orders.response(200, schemas.ProducerOrder)
def order_detail(number: str):
    """One of your orders by its number (DH…)."""
    shipment = _my_shipment(number)
    audit_target(shipment)
    return order_json(shipment, _with_buyer())


def _advance(number: str, action: str, **details) -> dict:
    shipment = _my_shipment(number)
    token = g.api_token
    before = shipment.status
    try:
        advance_shipment(
            shipment.id,
            states.SHIPMENT_ACTIONS[action],
            actor=token.created_by,
            actor_label=f"api-token:{token.id}",
            **details,
        )
    except OrderActionError as error:
        db.session.rollback()
        now = db.session.get_one(Shipment, shipment.id)
        return problems.problem(
            409,
            error.message,
            errors={"status": [now.status.value], "actions": sorted(states.allowed_actions(now))},
        )
    audit_target(shipment, before=before.value, after=shipment.status.value)
    return order_json(shipment, _with_buyer())


_SHIPMENT_ERRORS = (400, 404, 409, 422)


@orders.route("/orders/<number>/confirm", methods=["POST"])
@_documented(orders, Scope.SHIPMENTS_WRITE, *_SHIPMENT_ERRORS, write=True)
@producer_call(Scope.SHIPMENTS_WRITE, "api.shipment.confirm", write=True)
@orders.response(200, schemas.ProducerOrder)
def confirm(number: str):
    """Confirm your shipment of a paid (or cash on delivery) order: new → confirmed."""
    return _advance(number, "confirm")


@orders.route("/orders/<number>/ship", methods=["POST"])
@_documented(orders, Scope.SHIPMENTS_WRITE, *_SHIPMENT_ERRORS, write=True)
@producer_call(Scope.SHIPMENTS_WRITE, "api.shipment.ship", write=True)
@orders.arguments(schemas.ShipBody, as_kwargs=False)
@orders.response(200, schemas.ProducerOrder)
def ship(body: dict, number: str):
    """Ship: confirmed → shipped.

    With the carrier and its tracking number; the buyer is e-mailed."""
    return _advance(
        number, "ship", carrier=body["carrier"], tracking_number=body["tracking_number"]
    )


@orders.route("/orders/<number>/deliver", methods=["POST"])
@_documented(orders, Scope.SHIPMENTS_WRITE, *_SHIPMENT_ERRORS, write=True)
@producer_call(Scope.SHIPMENTS_WRITE, "api.shipment.deliver", write=True)
@orders.response(200, schemas.ProducerOrder)
def deliver(number: str):
    """Delivered: shipped → delivered (cash on delivery is then paid)."""
    return _advance(number, "deliver")


@orders.route("/orders/<number>/cancel", methods=["POST"])
@_documented(orders, Scope.SHIPMENTS_WRITE, *_SHIPMENT_ERRORS, write=True)
@producer_call(Scope.SHIPMENTS_WRITE, "api.shipment.cancel", write=True)
@orders.arguments(schemas.CancelBody, as_kwargs=False)
@orders.response(200, schemas.ProducerOrder)
def cancel(body: dict, number: str):
    """Cancel your shipment before it ships; its stock returns."""
    return _advance(number, "cancel", reason=body["reason"].strip())


# -- Products: stock and price ---------------------------------------------------------


def product_json(product: Product) -> dict:
    return {
        "id": product.id,
        "slug": product.slug,
        "name": product.name,
        "status": product.status.value,
        "price_vnd": product.price_vnd,
        "stock": product.stock,
        "pack": product.pack,
        "gtin": product.gtin,
        "updated_at": _iso(product.updated_at),
    }


def _my_product(product_id: int) -> Product:
    product = db.session.get(Product, product_id)
    if product is None or product.producer_id != g.api_token.producer_id:
        abort(404, message="You have no product with this id.")
    return product


def _fresh(product: Product) -> dict:
    db.session.refresh(product)
    return product_json(product)


@products.route("/products")
@_documented(products, Scope.STOCK_WRITE)
@producer_call(Scope.STOCK_WRITE, "api.products.list")
@products.arguments(schemas.ProductArgs, location="query", as_kwargs=False)
@products.response(200, schemas.ProducerProductPage)
def list_products(args: dict):
    """Your products (drafts and archived ones too), newest first."""
    after = _decode("producer-products", args, 1)
    query = select(Product).where(Product.producer_id == g.api_token.producer_id)
    if after is not None:
        query = query.where(Product.id < after[0])
    limit = args["limit"]
    items = list(db.session.scalars(query.order_by(Product.id.desc()).limit(limit + 1)))
    more = len(items) > limit
    items = items[:limit]
    next_cursor = cursors.encode("producer-products", [items[-1].id]) if more and items else None
    return {"items": [product_json(p) for p in items], "next_cursor": next_cursor}


@products.route("/products/<int:product_id>")
@_documented(products, Scope.STOCK_WRITE, 404)
@producer_call(Scope.STOCK_WRITE, "api.products.read")
@products.response(200, schemas.ProducerProduct)
def product_detail(product_id: int):
    """One of your products: its stock and price now."""
    product = _my_product(product_id)
    audit_target(product)
    return product_json(product)


_WRITE_ERRORS = (400, 404, 409, 422)


@products.route("/products/<int:product_id>/stock", methods=["PUT"])
@_documented(products, Scope.STOCK_WRITE, *_WRITE_ERRORS, write=True)
@producer_call(Scope.STOCK_WRITE, "api.stock.set", write=True)
@products.arguments(schemas.StockSet, as_kwargs=False)
@products.response(200, schemas.ProducerProduct)
def set_stock(body: dict, product_id: int):
    """Set the stock to a count, if it is still the count you read.

    Checkouts take stock at any moment: a set that would write back units sold since
    you read is refused with a 409 giving the stock now (read, then try again), so
    nothing sold is ever counted twice. To add or take off units, post an
    adjustment instead: it needs no reading first."""
    product = _my_product(product_id)
    try:
        stock.set_stock(product.id, body["quantity"], body["expected"])
    except stock.StockMoved as moved:
        return problems.problem(
            409,
            f"The stock is {moved.now}, not {moved.expected}: read it and try again.",
            errors={"expected": [f"The stock is {moved.now}."], "stock": [moved.now]},
        )
    audit_target(product, before=body["expected"], after=body["quantity"])
    return _fresh(product)


@products.route("/products/<int:product_id>/stock/adjustments", methods=["POST"])
@_documented(products, Scope.STOCK_WRITE, *_WRITE_ERRORS, write=True)
@producer_call(Scope.STOCK_WRITE, "api.stock.adjust", write=True)
@products.arguments(schemas.StockAdjustment, as_kwargs=False)
@products.response(200, schemas.ProducerProduct)
def adjust_stock(body: dict, product_id: int):
    """Add units to the stock, or take them off.

    Relative to the stock at that moment, as checkout takes them. The stock never
    goes below 0 (a 409 giving the stock now) nor above 1,000,000."""
    product = _my_product(product_id)
    try:
        after = stock.adjust_stock(product.id, body["delta"])
    except stock.StockBounds as bounds:
        return problems.problem(
            409,
            f"The stock is {bounds.now}: {bounds.delta:+d} would take it out of "
            f"0–{stock.MAX_STOCK}.",
            errors={"delta": [f"The stock is {bounds.now}."], "stock": [bounds.now]},
        )
    audit_target(product, delta=body["delta"], after=after)
    return _fresh(product)


@products.route("/products/<int:product_id>/price", methods=["PUT"])
@_documented(products, Scope.STOCK_WRITE, *_WRITE_ERRORS, write=True)
@producer_call(Scope.STOCK_WRITE, "api.price.set", write=True)
@products.arguments(schemas.PriceSet, as_kwargs=False)
@products.response(200, schemas.ProducerProduct)
def set_price(body: dict, product_id: int):
    """Set the price (whole đồng).

    A buyer whose cart showed the old price is told at checkout and sees the new
    one; nobody pays a price they did not see."""
    product = _my_product(product_id)
    before = stock.set_price(product.id, body["price_vnd"])
    audit_target(product, before=before, after=body["price_vnd"])
    return _fresh(product)


def register(api: Api) -> None:
    api.spec.components.security_scheme(
        SECURITY_SCHEME,
        {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "ocop_pat_…",
            "description": (
                "A personal access token a producer's owner creates on /producer/api-tokens "
                "(or `flask tokens create`), with the scopes orders:read, stock:write and "
                "shipments:write. Each token has its own rate limit."
            ),
        },
    )
    for bp in BLUEPRINTS:
        api.register_blueprint(bp)
