"""Customers follow their orders; producers work their own shipments."""

import hmac

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from shop.extensions import db
from shop.orders import services, states
from shop.orders.models import (
    Order,
    OrderStatus,
    PaymentMethod,
    Shipment,
    ShipmentStatus,
    StateChange,
)
from shop.orders.services import OrderActionError
from shop.pagination import paginate
from shop.payments import stripe_gateway, vietqr
from shop.payments.services import (
    PaymentError,
    ensure_payment_intent,
    new_action_token,
    pay_with_card,
    refresh_card_payment,
    valid_action_token,
)
from shop.producers.access import own_or_404, producer_required
from shop.security import allow_stripe_js

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


# PaymentIntent states in which the customer may have paid since we last looked.
STRIPE_IN_FLIGHT = frozenset({"requires_action", "requires_confirmation", "processing"})


def transfer_payload(order: Order) -> str:
    config = current_app.config
    return vietqr.build_payload(
        bank_bin=config["VIETQR_BANK_BIN"],
        account=config["VIETQR_ACCOUNT"],
        amount_vnd=order.balance_due_vnd,
        content=order.number,
    )


def _key_args(order: Order) -> dict:
    if current_user.is_authenticated and order.user_id == current_user.id:
        return {}
    return {"key": order.access_key}


@bp.get("/orders/<number>")
def detail(number: str):
    order = load_order(number)
    card = None
    card_error = None
    if order.payment_method == PaymentMethod.CARD and order.status == OrderStatus.PENDING_PAYMENT:
        try:
            card = ensure_payment_intent(order)
            if card.stripe_status in STRIPE_IN_FLIGHT:
                # Back from 3-D Secure, or still processing: read it back now
                # rather than wait for the webhook.
                card = refresh_card_payment(order)
                db.session.refresh(order)
        except (stripe_gateway.GatewayError, PaymentError):
            db.session.rollback()
            card_error = _(
                "Cổng thanh toán thẻ tạm thời không phản hồi. Vui lòng thử lại sau ít phút, "
                "hoặc huỷ đơn và đặt lại với phương thức thanh toán khác."
            )
    history = db.session.scalars(
        select(StateChange).where(StateChange.order_id == order.id).order_by(StateChange.id)
    ).all()
    if card is not None and card.payment_intent_id:
        allow_stripe_js()
    return render_template(
        "orders/detail.html",
        order=order,
        card=card,
        card_error=card_error,
        history=history,
        key_args=_key_args(order),
        cancellable=services.cancellable(order),
        preview=services.refund_preview(order),
        token=new_action_token(),
        transfer_payload=transfer_payload(order)
        if order.payment_method == PaymentMethod.VIETQR and order.balance_due_vnd
        else None,
    )


@bp.get("/orders/<number>/vietqr.png")
def vietqr_png(number: str):
    order = load_order(number)
    if order.payment_method != PaymentMethod.VIETQR or not order.balance_due_vnd:
        abort(404)
    response = Response(vietqr.qr_png(transfer_payload(order), scale=8), mimetype="image/png")
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _cancel_page(order: Order, *, token: str | None = None, error: str | None = None):
    return render_template(
        "orders/cancel.html",
        order=order,
        preview=services.refund_preview(order),
        token=token or new_action_token(),
        key_args=_key_args(order),
        error=error,
    ), 400 if error else 200


@bp.get("/orders/<number>/cancel")
def cancel_confirm(number: str):
    """What cancelling gives back and how, before the customer confirms."""
    order = load_order(number)
    if not services.cancellable(order):
        flash(_("Đơn hàng này không thể huỷ nữa (đã gửi hàng hoặc đã đóng)."), "error")
        return redirect(url_for("orders.detail", number=order.number, **_key_args(order)), 303)
    return _cancel_page(order)


@bp.post("/orders/<number>/cancel")
def cancel(number: str):
    order = load_order(number)
    token = request.form.get("action_token", "")
    if not valid_action_token(token):
        return _cancel_page(
            order, error=_("Biểu mẫu đã cũ hoặc không hợp lệ. Vui lòng xác nhận lại.")
        )
    said = " ".join((request.form.get("reason") or "").split())[:300]
    # Stored text, shown to staff and in e-mails: one language whatever the page's.
    reason = "Khách hàng huỷ đơn" + (f": {said}" if said else "")
    back = redirect(url_for("orders.detail", number=order.number, **_key_args(order)), 303)
    try:
        result = services.cancel_order(
            order.id,
            actor=current_user if current_user.is_authenticated else None,
            actor_label="customer",
            reason=reason,
            action_token=token,
        )
    except (OrderActionError, PaymentError) as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return back
    db.session.commit()
    if result.duplicate:
        flash(_("Đơn hàng đã được huỷ trước đó."), "info")
        return back
    services.cancel_at_stripe(result)
    flash(_("Đã huỷ đơn hàng %(number)s.", number=order.number), "success")
    return back


@bp.post("/orders/<number>/pay/card")
def pay_card(number: str):
    """Stripe.js made a card token in the browser; attach and confirm it here."""
    order = load_order(number)
    token = (request.get_json(silent=True) or {}).get("token") or request.form.get("token") or ""
    if order.payment_method != PaymentMethod.CARD or order.status.value != "pending_payment":
        return jsonify({"error": _("Đơn hàng này không chờ thanh toán thẻ.")}), 409
    if not (
        isinstance(token, str) and token.startswith("tok_") and len(token) < 256 and token.isascii()
    ):
        return jsonify({"error": _("Thiếu thông tin thẻ.")}), 400
    try:
        intent = pay_with_card(order, token)
    except stripe_gateway.GatewayError as exc:
        db.session.rollback()
        if exc.unreachable:
            message = _(
                "Cổng thanh toán thẻ tạm thời không phản hồi. Vui lòng thử lại, "
                "hoặc huỷ đơn và đặt lại với phương thức thanh toán khác."
            )
            return jsonify({"error": message}), 503
        return jsonify({"error": exc.message}), 402
    except PaymentError as exc:
        return jsonify({"error": exc.message}), 409
    return jsonify(
        {
            "status": intent.status,
            "client_secret": intent.client_secret if intent.status == "requires_action" else None,
            "error": intent.error,
            "next": url_for("orders.detail", number=order.number, **_key_args(order)),
        }
    )


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
    pager = paginate(
        select(Shipment)
        .where(Shipment.producer_id == g.producer.id)
        .options(joinedload(Shipment.order).joinedload(Order.province))
        .order_by(Shipment.id.desc()),
        SHIPMENTS_PAGE,
    )
    return render_template("orders/producer_shipments.html", shipments=pager.items, pages=pager)


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
        flash(_("Đã cập nhật đơn giao hàng."), "success")
    except OrderActionError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    return redirect(url_for("orders.producer_shipment", shipment_id=shipment.id), 303)
