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
from shop.payments import declines, stripe_gateway, vietqr
from shop.payments.services import (
    CARD_BUSY,
    PaymentError,
    cancel_and_refund,
    confirm_card_payment,
    ensure_payment_intent,
    new_action_token,
    refresh_card_payment,
    refund_preview,
    stop_card_payment,
    switch_payment_method,
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
    card_open = (
        card is not None
        and card.payment_intent_id is not None
        and card.stripe_status not in ("canceled", *CARD_BUSY)
    )
    if card_open:
        allow_stripe_js()
    return render_template(
        "orders/detail.html",
        order=order,
        card=card,
        card_open=card_open,
        card_error=card_error,
        card_declined=declines.message_for_stored(card.last_error) if card is not None else None,
        card_messages=declines.client_messages() if card_open else None,
        # A buyer who gave no e-mail gets no e-mail: the link is shown here instead.
        tracking_link=url_for(
            "payments.order", number=order.number, key=order.access_key, _external=True
        )
        if not order.email and _is_buyer(order)
        else None,
        history=history,
        key_args=key_args(order),
        cancellable=cancellable(order),
        preview=refund_preview(order),
        token=new_action_token(),
        transfer_payload=transfer_payload(order)
        if order.payment_method == PaymentMethod.VIETQR and order.balance_due_vnd
        else None,
    )


def _is_buyer(order: Order) -> bool:
    """The visitor is the order's customer (signed in, or holding its link), not staff."""
    if current_user.is_authenticated and order.user_id == current_user.id:
        return True
    return not (current_user.is_authenticated and current_user.is_staff)


@bp.get("/orders/<number>/vietqr.png")
def vietqr_png(number: str):
    order = load_order(number)
    if order.payment_method != PaymentMethod.VIETQR or not order.balance_due_vnd:
        abort(404)
    response = Response(vietqr.qr_png(transfer_payload(order), scale=8), mimetype="image/png")
    response.headers["Cache-Control"] = "private, no-store"
    if request.args.get("download"):
        # "Lưu ảnh QR": saved to the phone's photos, then opened in the bank's app.
        response.headers["Content-Disposition"] = (
            f'attachment; filename="VietQR-{order.number}.png"'
        )
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
                "hoặc đổi sang phương thức thanh toán khác bên dưới (khi nhận hàng, VietQR)."
            )
            return jsonify({"error": message, "code": "unreachable"}), 503
        return jsonify(
            {
                "error": declines.decline_message(exc.code, exc.decline_code),
                "code": exc.decline_code or exc.code,
            }
        ), 402
    except PaymentError as exc:
        return jsonify({"error": exc.message}), 409
    error = None
    if intent.status not in ("succeeded", "processing", "requires_action"):
        error = declines.decline_message(intent.error_code, intent.decline_code)
    return jsonify(
        {
            "status": intent.status,
            "client_secret": intent.client_secret if intent.status == "requires_action" else None,
            "error": error,
            "code": intent.decline_code or intent.error_code,
            "next": url_for("payments.order", number=order.number, **key_args(order)),
        }
    )


@bp.post("/orders/<number>/pay/switch")
def switch_method(number: str):
    """Pay this unpaid card order by cash on delivery or VietQR instead: same
    order, same address, stock still reserved. Two steps: the PaymentIntent is
    cancelled at Stripe and committed, then the method changes and commits."""
    order = load_order(number)
    back = redirect(url_for("payments.order", number=order.number, **key_args(order)), 303)
    try:
        method = PaymentMethod(request.form.get("method", ""))
    except ValueError:
        method = None
    if method not in (PaymentMethod.COD, PaymentMethod.VIETQR):
        flash(_("Vui lòng chọn cách thanh toán."), "error")
        return back
    actor = current_user if current_user.is_authenticated else None
    try:
        if order.payment_method != method:
            stop_card_payment(order.id)  # step one: Stripe, committed before the switch
            db.session.commit()
        result = switch_payment_method(order.id, method, actor=actor, actor_label="customer")
        db.session.commit()
    except stripe_gateway.GatewayError:
        db.session.rollback()
        flash(
            _(
                "Cổng thanh toán thẻ tạm thời không phản hồi nên chưa đổi được cách thanh "
                "toán. Vui lòng thử lại sau ít phút."
            ),
            "error",
        )
        return back
    except PaymentError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return back
    if result.duplicate:
        flash(_("Đơn hàng đã được đổi cách thanh toán trước đó."), "info")
        return back
    if method == PaymentMethod.COD:
        flash(
            _(
                "Đã đổi đơn %(number)s sang thanh toán khi nhận hàng. Đơn hàng đã được xác nhận: "
                "bạn trả tiền khi nhận hàng.",
                number=order.number,
            ),
            "success",
        )
    else:
        flash(
            _(
                "Đã đổi đơn %(number)s sang chuyển khoản VietQR. Vui lòng quét mã bên dưới.",
                number=order.number,
            ),
            "success",
        )
    return back
