"""What the producer API answers and accepts (shop/api/producer.py). Money is whole
đồng; times ISO 8601 in Asia/Ho_Chi_Minh. Bodies refuse unknown members (the
document says ``additionalProperties: false``), so a typo is a 400, never ignored."""

from datetime import date

from marshmallow import fields, validate

from shop.api.schemas import Link, PageArgs, Strict
from shop.catalog.stock import MAX_STOCK
from shop.money import MAX_PRICE_VND, MIN_PRICE_VND
from shop.orders.models import ShipmentStatus
from shop.orders.states import SHIPMENT_ACTIONS

# Days outside these hold no order of ours: a filter day is brought inside them
# (year 1 or 9999 would overflow when turned into UTC instants).
FIRST_DAY, LAST_DAY = date(2020, 1, 1), date(9999, 12, 30)
_SOMETHING = r"\s*\S"  # not blank (marshmallow matches from the start)


class Whole(fields.Integer):
    """A JSON integer. JSON Schema counts 5.0 as one (and so does the document's
    reader); a string "5", a boolean or 5.5 is refused."""

    def _validated(self, value):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.make_error("invalid", input=value)
        if isinstance(value, float) and not value.is_integer():
            raise self.make_error("invalid", input=value)
        return super()._validated(int(value))


class OrderArgs(PageArgs):
    status = fields.String(
        validate=validate.OneOf([s.value for s in ShipmentStatus]),
        metadata={"description": "Only orders whose shipment (your part) is in this state."},
    )
    placed_from = fields.Date(
        metadata={"description": "Placed on or after this day (in Vietnam)."},
    )
    placed_to = fields.Date(
        metadata={"description": "Placed on or before this day (in Vietnam)."},
    )


class ProductArgs(PageArgs):
    pass


# -- Answers ---------------------------------------------------------------------------


class ShipTo(Strict):
    """Where the parcel goes: what the producer's order page shows, no more."""

    name = fields.String()
    phone = fields.String()
    street = fields.String()
    ward = fields.String()
    province = fields.String()
    ward_code = fields.Integer()
    province_code = fields.Integer()
    address = fields.String(metadata={"description": "The whole address on one line."})
    note = fields.String(metadata={"description": "The buyer's note to the order."})


class OrderLineOut(Strict):
    product_id = fields.Integer(allow_none=True)
    product_name = fields.String(metadata={"description": "As sold (copied at sale time)."})
    pack = fields.String()
    star_rank = fields.Integer()
    quantity = fields.Integer()
    unit_price_vnd = fields.Integer()
    line_total_vnd = fields.Integer()


class ProducerOrder(Strict):
    number = fields.String(metadata={"description": "The order number, e.g. DH2612000123."})
    shipment_id = fields.Integer()
    status = fields.String(
        validate=validate.OneOf([s.value for s in ShipmentStatus]),
        metadata={"description": "Your shipment's state."},
    )
    actions = fields.List(
        fields.String(validate=validate.OneOf(list(SHIPMENT_ACTIONS))),
        metadata={"description": "The actions the shipment allows now."},
    )
    order_status = fields.String()
    payment_method = fields.String()
    payment = fields.String(
        metadata={"description": "paid, unpaid, or cod (the carrier collects at delivery)."}
    )
    placed_at = fields.String(metadata={"format": "date-time"})
    subtotal_vnd = fields.Integer()
    shipping_vnd = fields.Integer()
    total_vnd = fields.Integer()
    collect_on_delivery_vnd = fields.Integer()
    carrier = fields.String(allow_none=True)
    tracking_number = fields.String(allow_none=True)
    shipped_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    delivered_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    ship_to = fields.Nested(
        ShipTo,
        allow_none=True,
        metadata={"description": "Null for a token without orders:read."},
    )
    lines = fields.List(fields.Nested(OrderLineOut))


class ProducerOrderPage(Link):
    items = fields.List(fields.Nested(ProducerOrder))


class ProducerProduct(Strict):
    id = fields.Integer()
    slug = fields.String()
    name = fields.String()
    status = fields.String()
    price_vnd = fields.Integer()
    stock = fields.Integer()
    pack = fields.String()
    gtin = fields.String(allow_none=True)
    updated_at = fields.String(metadata={"format": "date-time"})


class ProducerProductPage(Link):
    items = fields.List(fields.Nested(ProducerProduct))


# -- Bodies ----------------------------------------------------------------------------


def _count(description: str, low: int = 0):
    return Whole(
        required=True,
        validate=validate.Range(low, MAX_STOCK),
        metadata={"description": description},
    )


class StockSet(Strict):
    quantity = _count("The new stock.")
    expected = _count(
        "The stock you last read (GET the product). The set happens only if the stock "
        "is still this; otherwise a 409 tells the stock now, and nothing changes."
    )


class StockAdjustment(Strict):
    delta = _count(
        "Units to add (received) or, negative, to take off (breakage, sold elsewhere).",
        low=-MAX_STOCK,
    )


class PriceSet(Strict):
    price_vnd = Whole(
        required=True,
        validate=validate.Range(MIN_PRICE_VND, MAX_PRICE_VND),
        metadata={"description": "Whole đồng."},
    )


class ShipBody(Strict):
    carrier = fields.String(
        required=True,
        validate=[validate.Length(1, 80), validate.Regexp(_SOMETHING)],
        metadata={"description": "The carrier (GHN, Viettel Post, VNPost, ...)."},
    )
    tracking_number = fields.String(
        required=True, validate=[validate.Length(1, 60), validate.Regexp(_SOMETHING)]
    )


class CancelBody(Strict):
    reason = fields.String(
        required=True,
        validate=[validate.Length(1, 500), validate.Regexp(_SOMETHING)],
        metadata={"description": "Why, shown to the buyer and to staff."},
    )
