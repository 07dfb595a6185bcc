"""The customer's order page, with its payment: the VietQR code of a bank
transfer, the card form (Stripe), and cancelling, which gives the money back."""

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from shop.extensions import db
from shop.orders.models import Order, OrderStatus, PaymentMethod, StateChange
from shop.orders.services import OrderActionError, cancellable
from shop.orders.views import key_args, load_order
from shop.payments import stripe_gateway, vietqr
from shop.payments.services import (
    PaymentError,
    cancel_and_refund,
    confirm_card_payment,
    ensure_payment_intent,
    new_action_token,
    refresh_card_payment,
    refund_preview,
    valid_action_token,
)
from shop.security import allow_stripe_js

bp = Blueprint("payments", __name__)


# PaymentIntent states in which the customer may have paid since we last looked.
STRIPE_IN_FLIGHT = frozenset({"requires_action", "requires_confirmation", "processing"})


def transfer_payload(order: Order) -> str:
    config = current_app.config
    return vietqr.build_payload(
        bank_bin=config["VIETQR_BANK_BIN"],
        account=config["VIETQR_ACCOUNT"],
        amount_vnd=order.balance_due_vnd,
        content=order.number or "",
    )


@bp.get("/orders/<number>", endpoint="order")
def order_page(number: str):
    order = load_order(number)
    card = None
    card_error = None
    if order.payment_method == PaymentMethod.CARD and order.status == OrderStatus.PENDING_PAYMENT:
        try:
            card = ensure_payment_intent(order)
            db.session.commit()
            if card.stripe_status in STRIPE_IN_FLIGHT:
                # Back from 3-D Secure, or still processing: read it back now
                # rather than wait for the webhook.
                card = refresh_card_payment(order)
                db.session.commit()
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
        key_args=key_args(order),
        cancellable=cancellable(order),
        preview=refund_preview(order),
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
        preview=refund_preview(order),
        token=token or new_action_token(),
        key_args=key_args(order),
        error=error,
    ), 400 if error else 200


@bp.get("/orders/<number>/cancel")
def cancel_confirm(number: str):
    """What cancelling gives back and how, before the customer confirms."""
    order = load_order(number)
    if not cancellable(order):
        flash(_("Đơn hàng này không thể huỷ nữa (đã gửi hàng hoặc đã đóng)."), "error")
        return redirect(url_for("payments.order", number=order.number, **key_args(order)), 303)
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
    back = redirect(url_for("payments.order", number=order.number, **key_args(order)), 303)
    try:
        result = cancel_and_refund(
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
    db.session.commit()  # the card refund and the PaymentIntent's stop follow (outbox)
    if result.duplicate:
        flash(_("Đơn hàng đã được huỷ trước đó."), "info")
        return back
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
        ensure_payment_intent(order)  # step one, committed before the card is confirmed
        db.session.commit()
        intent = confirm_card_payment(order, token)
        db.session.commit()
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
            "next": url_for("payments.order", number=order.number, **key_args(order)),
        }
    )
