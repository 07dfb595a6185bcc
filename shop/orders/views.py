"""Customers' order list; producers work their own shipments. The customer's
order page, which shows and takes payments, is the payments package (its views.py)."""

import hmac

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from shop.clock import utcnow
from shop.extensions import db, limiter
from shop.orders import emails, queries, services, states
from shop.orders.models import Order, Shipment, ShipmentStatus
from shop.orders.services import OrderActionError
from shop.orders.slip import order_qr_svg
from shop.pagination import paginate
from shop.producers.access import own_or_404, producer_required

bp = Blueprint("orders", __name__)


def load_order(number: str) -> Order:
    """The order, if the visitor may see it: its customer, the holder of its
    link key, or staff. Anyone else gets a 404 (not a hint that it exists)."""
    order = services.order_by_number(number)
    if order is None:
        abort(404)
    key = request.values.get("key", "")
    if current_user.is_authenticated and (
        current_user.is_staff or order.user_id == current_user.id
    ):
        return order
    if key and hmac.compare_digest(key.encode(), order.access_key.encode()):
        return order
    abort(404)


def key_args(order: Order) -> dict:
    if current_user.is_authenticated and order.user_id == current_user.id:
        return {}
    return {"key": order.access_key}


# -- a guest who lost the link ----------------------------------------------------


def _find_limit() -> str:
    return current_app.config.get("ORDER_FIND_RATE_LIMIT", "10 per hour")


def _find_number_limit() -> str:
    return current_app.config.get("ORDER_FIND_NUMBER_RATE_LIMIT", "5 per hour")


def _find_number_key() -> str:
    """Per order number, whoever asks: guessing one order's phone from many
    addresses is limited too."""
    number = "".join((request.form.get("number") or "").split()).upper()[:20]
    return f"order-find:{number}"


@bp.route("/orders/find", methods=["GET", "POST"])
@limiter.limit(_find_limit, methods=["POST"])
@limiter.limit(_find_number_limit, methods=["POST"], key_func=_find_number_key)
def find():
    """Ask for an order's link again by its number and phone. Order numbers are
    sequential, so the answer has one shape whatever is wrong: the same sentence,
    plus the order's status only when both match. The link itself goes only to
    the order's own e-mail (through the outbox), never onto this page."""
    from shop.orders.forms import FindOrderForm

    form = FindOrderForm()
    answered = False
    order = None
    sent = False
    if form.validate_on_submit():
        answered = True
        order = services.order_for_phone(form.number.data, form.phone.data)
        if order is not None:
            # Once an hour at most (the key), and the rate limits bound the rest.
            sent = emails.order_link(order, period=f"{utcnow():%Y%m%d%H}")
            db.session.commit()
    return render_template(
        "orders/find.html", form=form, answered=answered, order=order, sent=sent
    ), 400 if form.errors else 200


MY_ORDERS_PAGE = 100  # a buyer's orders a page
SHIPMENTS_PAGE = 200  # a producer's shipments a page


@bp.get("/account/orders")
@login_required
def my_orders():
    pager = paginate(
        select(Order)
        .where(Order.user_id == current_user.id, Order.number.is_not(None))
        .order_by(Order.id.desc()),
        MY_ORDERS_PAGE,
    )
    return render_template("orders/mine.html", orders=pager.items, pages=pager)


# -- producers -----------------------------------------------------------------


@bp.get("/producer/shipments")
@producer_required
def producer_shipments():
    """The producer's shipments, all or those in one state (``?state=new``); an
    unknown state is all of them, like the staff's order list."""
    raw = request.args.get("state", "")
    state = ShipmentStatus(raw) if raw in set(ShipmentStatus) else None
    pager = paginate(queries.producer_shipments(g.producer.id, state), SHIPMENTS_PAGE)
    counts = queries.shipment_counts(g.producer.id)
    return render_template(
        "orders/producer_shipments.html",
        shipments=pager.items,
        pages=pager,
        state=state,
        counts=counts,
        total=sum(counts.values()),
    )


@bp.get("/producer/shipments/<int:shipment_id>")
@producer_required
def producer_shipment(shipment_id: int):
    shipment = own_or_404(Shipment, shipment_id)
    return render_template(
        "orders/producer_shipment.html",
        shipment=shipment,
        order=shipment.order,
        allowed=states.allowed_actions(shipment),
    )


@bp.get("/producer/shipments/<int:shipment_id>/slip")
@producer_required
def producer_shipment_slip(shipment_id: int):
    """A packing slip to print and put in the parcel: no navigation, A6/A5 friendly."""
    shipment = own_or_404(Shipment, shipment_id)
    order = shipment.order
    if order.number is None:  # not placed yet: nothing to pack
        abort(404)
    return render_template(
        "orders/producer_slip.html",
        shipment=shipment,
        order=order,
        qr_svg=order_qr_svg(order.number),
    )


@bp.route("/producer/shipping", methods=["GET", "POST"])
@producer_required
def producer_shipping():
    """Shipping fee settings; changing them needs no new verification."""
    from shop.catalog.services import set_shipping
    from shop.orders.forms import ShippingForm
    from shop.producers.exceptions import ProductsWithoutWeight

    producer = g.producer
    form = ShippingForm(obj=producer)
    if form.validate_on_submit():
        try:
            set_shipping(producer, form.settings())
        except ProductsWithoutWeight as exc:
            db.session.rollback()
            shown = ", ".join(exc.names[:5]) + ("…" if len(exc.names) > 5 else "")
            form.shipping_mode.errors = [
                _(
                    "Tính phí theo khối lượng cần khối lượng gửi hàng của mọi sản phẩm. "
                    "Chưa có: %(names)s.",
                    names=shown,
                )
            ]
        else:
            db.session.commit()
            flash(_("Đã lưu phí vận chuyển."), "success")
            return redirect(url_for("orders.producer_shipping"), 303)
    return render_template(
        "orders/producer_shipping.html", form=form, producer=producer
    ), 400 if form.errors else 200


ACTIONS = {
    "confirm": ShipmentStatus.CONFIRMED,
    "ship": ShipmentStatus.SHIPPED,
    "deliver": ShipmentStatus.DELIVERED,
    "cancel": ShipmentStatus.CANCELLED,
}


@bp.post("/producer/shipments/<int:shipment_id>/<any(confirm, ship, deliver, cancel):action>")
@producer_required
def producer_shipment_action(shipment_id: int, action: str):
    shipment = own_or_404(Shipment, shipment_id)
    carrier = (request.form.get("carrier") or "").strip()[:80]
    tracking = (request.form.get("tracking_number") or "").strip()[:60]
    reason = (request.form.get("reason") or "").strip()[:500] or None
    if action == "cancel" and not reason:
        flash(_("Vui lòng nhập lý do huỷ."), "error")
        return redirect(url_for("orders.producer_shipment", shipment_id=shipment.id), 303)
    try:
        services.advance_shipment(
            shipment.id,
            ACTIONS[action],
            actor=current_user,
            actor_label="producer",
            carrier=carrier,
            tracking_number=tracking,
            reason=reason,
        )
    except OrderActionError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(_("Đã cập nhật đơn giao hàng."), "success")
    return redirect(url_for("orders.producer_shipment", shipment_id=shipment.id), 303)
