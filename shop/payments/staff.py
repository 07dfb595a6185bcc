"""Staff: an order's page, with the money: bank transfers received, refunds,
and cancelling (which gives back what was paid). The list of orders is
``shop.orders.staff``."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from shop.audit.services import record
from shop.auth.decorators import staff_required
from shop.extensions import db
from shop.money import format_vnd, parse_vnd
from shop.orders.models import Order, StateChange
from shop.orders.services import OrderActionError, cancellable, order_by_number
from shop.payments.models import CardPayment, Refund, RefundStatus, TransferReceipt
from shop.payments.services import (
    PaymentError,
    cancel_and_refund,
    check_amount,
    new_action_token,
    record_transfer,
    refund_preview,
    refundable_vnd,
    request_refund,
    submit_card_refund,
    valid_action_token,
)

bp = Blueprint("staff_payments", __name__, url_prefix="/staff")


def _order(number: str) -> Order:
    order = order_by_number(number)
    if order is None:
        abort(404)
    return order


def _detail(order: Order, *, status: int = 200, error: str | None = None, tokens=None):
    """The staff order page; after a refused action, with its message (400)."""
    tokens = dict(tokens or {})
    for name in ("transfer", "refund", "cancel"):
        tokens.setdefault(name, new_action_token())
    page = render_template(
        "orders/staff_detail.html",
        order=order,
        history=db.session.scalars(
            select(StateChange).where(StateChange.order_id == order.id).order_by(StateChange.id)
        ).all(),
        receipts=db.session.scalars(
            select(TransferReceipt)
            .where(TransferReceipt.order_id == order.id)
            .order_by(TransferReceipt.id)
        ).all(),
        refunds=db.session.scalars(
            select(Refund).where(Refund.order_id == order.id).order_by(Refund.id)
        ).all(),
        card=db.session.scalar(select(CardPayment).where(CardPayment.order_id == order.id)),
        refundable=refundable_vnd(order),
        cancellable=cancellable(order),
        tokens=tokens,
        error=error,
        form=request.form if request.method == "POST" else {},
    )
    return page, status


@bp.get("/orders/<number>")
@staff_required
def order(number: str):
    return _detail(_order(number))


class BadInput(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _amount() -> int:
    """The form's ``amount`` in whole đồng; anything else is refused (400)."""
    raw = request.form.get("amount", "")
    try:
        amount = parse_vnd(raw[:40])
    except (ValueError, TypeError):
        amount = 0
    if amount <= 0:
        raise BadInput(_("Số tiền không hợp lệ: nhập số đồng, ví dụ 125000."))
    try:
        return check_amount(amount)
    except PaymentError as exc:
        raise BadInput(exc.message) from None


def _token() -> str:
    token = request.form.get("action_token", "")
    if not valid_action_token(token):
        raise BadInput(_("Biểu mẫu đã cũ hoặc không hợp lệ. Vui lòng tải lại trang."))
    return token


def _back(order: Order):
    return redirect(url_for("staff_payments.order", number=order.number), 303)


def _refused(order: Order, message: str, kind: str):
    """Nothing was written: the page again, with the message and the same token."""
    db.session.rollback()
    tokens = {}
    if valid_action_token(request.form.get("action_token", "")):
        tokens[kind] = request.form["action_token"]
    return _detail(_order(order.number or ""), status=400, error=message, tokens=tokens)


def _done_already(order: Order):
    flash(_("Thao tác này đã được thực hiện (biểu mẫu gửi lại): không ghi thêm."), "info")
    return _back(order)


@bp.post("/orders/<number>/transfer")
@staff_required
def transfer(number: str):
    order = _order(number)
    try:
        result = record_transfer(
            order.id,
            _amount(),
            request.form.get("reference") or "",
            current_user,
            action_token=_token(),
        )
    except (BadInput, PaymentError, OrderActionError) as exc:
        return _refused(order, exc.message, "transfer")
    db.session.commit()
    if result.duplicate:
        return _done_already(order)
    order = result.order
    if order.overpaid_vnd:
        flash(
            _(
                "Đã ghi nhận. Khách chuyển thừa %(amount)s: cần hoàn lại.",
                amount=format_vnd(order.overpaid_vnd),
            ),
            "info",
        )
    elif order.balance_due_vnd:
        flash(
            _("Đã ghi nhận. Khách còn thiếu %(amount)s.", amount=format_vnd(order.balance_due_vnd)),
            "info",
        )
    else:
        flash(_("Đã ghi nhận: đơn hàng đã được thanh toán đủ."), "success")
    return _back(order)


def _confirmed() -> bool:
    return request.form.get("confirm") == "yes"


@bp.post("/orders/<number>/refund")
@staff_required
def refund(number: str):
    """Two posts: the form, then its confirmation page (same token)."""
    order = _order(number)
    reason = (request.form.get("reason") or "").strip()[:500]
    try:
        amount, token = _amount(), _token()
        if not reason:
            raise BadInput(_("Vui lòng nhập lý do hoàn tiền."))
        if not _confirmed():
            available = refundable_vnd(order)
            if amount > available:
                raise BadInput(
                    _("Chỉ có thể hoàn tối đa %(amount)s.", amount=format_vnd(available))
                )
            return render_template(
                "orders/staff_confirm.html",
                order=order,
                action="refund",
                amount=amount,
                reason=reason,
                token=token,
            )
        result = request_refund(order.id, amount, reason, current_user, action_token=token)
    except (BadInput, PaymentError, OrderActionError) as exc:
        return _refused(order, exc.message, "refund")
    db.session.commit()  # step one: the refund is written down
    if result.duplicate:
        return _done_already(order)
    status: RefundStatus | None = RefundStatus.SUCCEEDED
    if result.key:  # step two: Stripe, then what it said
        status = submit_card_refund(result.key)
        db.session.commit()
    _refund_outcome(status)
    return _back(order)


def _refund_outcome(status: RefundStatus | None) -> None:
    if status == RefundStatus.SUCCEEDED:
        flash(_("Đã hoàn tiền."), "success")
    elif status == RefundStatus.FAILED:
        flash(_("Cổng thanh toán từ chối hoàn tiền; không có tiền nào được hoàn."), "error")
    elif status == RefundStatus.PENDING:
        flash(
            _(
                "Đã ghi nhận yêu cầu hoàn tiền; cổng thanh toán chưa xác nhận. "
                "Hệ thống sẽ tự đối soát, không cần bấm lại."
            ),
            "info",
        )


@bp.post("/orders/<number>/cancel")
@staff_required
def cancel(number: str):
    order = _order(number)
    reason = (request.form.get("reason") or "").strip()[:500]
    try:
        token = _token()
        if not reason:
            raise BadInput(_("Vui lòng nhập lý do huỷ."))
        if not _confirmed():
            if not cancellable(order):
                raise BadInput(_("Đơn hàng này không thể huỷ nữa (đã gửi hàng hoặc đã đóng)."))
            return render_template(
                "orders/staff_confirm.html",
                order=order,
                action="cancel",
                preview=refund_preview(order),
                reason=reason,
                token=token,
            )
        result = cancel_and_refund(
            order.id, actor=current_user, actor_label="staff", reason=reason, action_token=token
        )
        if not result.duplicate:
            record(current_user, "order_cancel", order, reason=reason)
    except (BadInput, PaymentError, OrderActionError) as exc:
        return _refused(order, exc.message, "cancel")
    db.session.commit()  # the card refund and the PaymentIntent's stop follow (outbox)
    if result.duplicate:
        return _done_already(order)
    flash(_("Đã huỷ đơn hàng."), "success")
    return _back(order)
