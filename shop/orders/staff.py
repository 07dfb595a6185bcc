"""Staff: every order, bank transfers received, refunds."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from shop.audit.services import record
from shop.auth.decorators import staff_required
from shop.extensions import db
from shop.money import format_vnd, parse_vnd
from shop.orders.models import Order, OrderStatus, PaymentMethod, StateChange
from shop.orders.services import OrderActionError, cancel_order, order_by_number
from shop.payments.models import CardPayment, Refund, TransferReceipt
from shop.payments.services import PaymentError, record_transfer, refund_order, refundable_vnd

bp = Blueprint("staff_orders", __name__, url_prefix="/staff")

PAGE = 100


@bp.get("/orders")
@staff_required
def index():
    query = select(Order).where(Order.number.is_not(None)).order_by(Order.id.desc())
    status = request.args.get("status", "")
    if status in {s.value for s in OrderStatus}:
        query = query.where(Order.status == status)
    method = request.args.get("method", "")
    if method in {m.value for m in PaymentMethod}:
        query = query.where(Order.payment_method == method)
    q = (request.args.get("q") or "").strip().upper()[:20]
    if q:
        query = query.where(Order.number.contains(q))
    orders = db.session.scalars(query.limit(PAGE)).all()
    return render_template(
        "orders/staff_index.html",
        orders=orders,
        status=status,
        method=method,
        q=q,
        statuses=list(OrderStatus),
        methods=list(PaymentMethod),
    )


def _order(number: str) -> Order:
    order = order_by_number(number)
    if order is None:
        abort(404)
    return order


@bp.get("/orders/<number>")
@staff_required
def detail(number: str):
    order = _order(number)
    return render_template(
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
    )


def _amount() -> int | None:
    """The form's ``amount`` in whole đồng, or None (with a message) if it is not one."""
    try:
        amount = parse_vnd(request.form.get("amount", ""))
    except (ValueError, TypeError):
        amount = 0
    if amount <= 0:
        flash(_("Số tiền không hợp lệ: nhập số đồng, ví dụ 125000."), "error")
        return None
    return amount


def _back(order: Order):
    return redirect(url_for("staff_orders.detail", number=order.number), 303)


@bp.post("/orders/<number>/transfer")
@staff_required
def transfer(number: str):
    order = _order(number)
    amount = _amount()
    if amount is None:
        return _back(order)
    try:
        order, _paid = record_transfer(
            order.id, amount, (request.form.get("reference") or "").strip()[:80], current_user
        )
    except PaymentError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _back(order)
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


@bp.post("/orders/<number>/refund")
@staff_required
def refund(number: str):
    order = _order(number)
    amount = _amount()
    if amount is None:
        return _back(order)
    try:
        refund_order(order.id, amount, (request.form.get("reason") or "")[:500], current_user)
        flash(_("Đã hoàn tiền."), "success")
    except PaymentError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    return _back(order)


@bp.post("/orders/<number>/cancel")
@staff_required
def cancel(number: str):
    order = _order(number)
    reason = (request.form.get("reason") or "").strip()[:500]
    if not reason:
        flash(_("Vui lòng nhập lý do huỷ."), "error")
        return _back(order)
    try:
        cancel_order(order.id, actor=current_user, actor_label="staff", reason=reason)
        record(current_user, "order_cancel", order, reason=reason)
        db.session.commit()
        flash(_("Đã huỷ đơn hàng."), "success")
    except OrderActionError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    return _back(order)
