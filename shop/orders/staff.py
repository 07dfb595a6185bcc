"""Staff: the list of every order. An order's page, with the transfers
received, refunds and cancelling, is the payments package (its staff.py)."""

from flask import Blueprint, render_template, request
from sqlalchemy import select

from shop.auth.decorators import staff_required
from shop.orders.models import Order, OrderStatus, PaymentMethod
from shop.pagination import paginate

bp = Blueprint("staff_orders", __name__, url_prefix="/staff")

PAGE = 100  # orders a page


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
    pager = paginate(query, PAGE)
    return render_template(
        "orders/staff_index.html",
        orders=pager.items,
        pages=pager,
        status=status,
        method=method,
        q=q,
        statuses=list(OrderStatus),
        methods=list(PaymentMethod),
    )
