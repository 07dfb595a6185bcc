"""The e-mails of an order. Queued in the transaction that makes the change and
sent after its commit (shop/jobs/services.py); the key of each names the event,
so each recipient gets each e-mail once.

An order may have no e-mail (a buyer who gave only a phone number): every
e-mail to the customer is then skipped, never failed; the order page shows the
tracking link instead. Producers' notices go out either way."""

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from shop.extensions import db
from shop.jobs.services import enqueue
from shop.mail import send_mail
from shop.money import format_vnd
from shop.orders.models import Order, Shipment

ORDER_PLACED = "order-placed"


def _order_url(order: Order) -> str:
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return f"{base}/orders/{order.number}?key={order.access_key}"


def _lines(order: Order, shipment: Shipment | None = None) -> str:
    rows = []
    for line in order.lines:
        if shipment is None or line.shipment_id == shipment.id:
            rows.append(
                f"- {line.product_name} {line.pack} ({line.star_rank}★) × {line.quantity}: "
                f"{format_vnd(line.line_total_vnd)}"
            )
    return "\n".join(rows)


def order_placed(order: Order, pickups: dict[int, str] | None = None) -> None:
    """Queue the e-mails of a new order in the transaction that places it.

    One outbox row, whose handler (``send_order_placed``, run by the worker after
    the commit) writes the buyer's confirmation and each producer's notice as
    e-mails of their own: the checkout request neither renders nor publishes
    three e-mails, and each goes once, keyed as before.

    ``pickups``: {shipment id: the sales centre's name, address and hours} for the
    shipments collected at a centre (the checkout knows the centres; orders does not)."""
    payload: dict = {"order_id": order.id}
    if pickups:
        payload["pickups"] = {str(k): v for k, v in pickups.items()}
    enqueue(ORDER_PLACED, payload, f"{ORDER_PLACED}:{order.id}")


def send_order_placed(payload: dict) -> None:
    """The outbox handler of "order-placed". Its e-mails are queued in the
    transaction that marks the row done; a repeat queues nothing twice."""
    order = db.session.scalar(
        select(Order)
        .where(Order.id == payload["order_id"])
        .options(
            selectinload(Order.lines),
            selectinload(Order.shipments).joinedload(Shipment.producer),
        )
    )
    if order is None:  # gone with a rolled-back order: nothing to say
        return
    order_confirmation(order, payload.get("pickups") or {})
    for shipment in order.shipments:
        producer_notice(shipment)


def _pickup_lines(order: Order, pickups: dict[str, str]) -> list[str]:
    rows = []
    for shipment in order.shipments:
        if shipment.pickup_code:
            code = f"{shipment.pickup_code[:4]}-{shipment.pickup_code[4:]}"
            rows += [
                "",
                _("Nhận hàng của %(producer)s tại:", producer=shipment.producer.legal_name),
                pickups.get(str(shipment.id), ""),
                _(
                    "Mã nhận hàng: %(code)s (mã QR trên trang đơn hàng). "
                    "Đưa mã này cho nhân viên điểm bán khi nhận hàng.",
                    code=code,
                ),
            ]
    return rows


def order_confirmation(order: Order, pickups: dict[str, str] | None = None) -> None:
    if not order.email:  # a buyer who gave only a phone: nothing to send
        return
    with force_locale("vi"):
        how = {
            "cod": _("Thanh toán khi nhận hàng (COD)."),
            "vietqr": _(
                "Chuyển khoản qua mã VietQR trên trang đơn hàng, nội dung %(number)s.",
                number=order.number,
            ),
            "card": _("Thanh toán bằng thẻ."),
        }[order.payment_method.value]
        body = "\n".join(
            [
                _("Xin chào %(name)s,", name=order.customer_name),
                "",
                _("Chợ OCOP đã nhận đơn hàng %(number)s.", number=order.number),
                _lines(order),
                _("Phí vận chuyển: %(fee)s", fee=format_vnd(order.shipping_vnd)),
                _("Tổng cộng: %(total)s", total=format_vnd(order.total_vnd)),
                how,
                *(
                    [_("Giao đến: %(address)s", address=order.address_line)]
                    if any(not s.is_pickup for s in order.shipments)
                    else []
                ),
                *_pickup_lines(order, pickups or {}),
                "",
                _("Theo dõi đơn hàng: %(url)s", url=_order_url(order)),
            ]
        )
        send_mail(
            order.email,
            _("Đơn hàng %(number)s", number=order.number),
            body,
            key=f"order-placed:{order.id}",
        )


def producer_notice(shipment: Shipment) -> None:
    order = shipment.order
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    shipment_url = f"{base}/producer/shipments/{shipment.id}"
    with force_locale("vi"):
        body = "\n".join(
            [
                _(
                    "Cơ sở %(name)s có đơn hàng mới %(number)s:",
                    name=shipment.producer.legal_name,
                    number=order.number,
                ),
                _lines(order, shipment),
                _("Thanh toán: %(method)s", method=order.payment_method.value.upper()),
                _("Khách nhận tại điểm bán OCOP (hàng ký gửi ở đó): không cần gửi hàng.")
                if shipment.is_pickup
                else _("Giao đến: %(address)s", address=order.address_line),
                "",
                _("Xác nhận đơn: %(url)s", url=shipment_url),
            ]
        )
        send_mail(
            shipment.producer.email,
            _("Đơn hàng mới %(number)s", number=order.number),
            body,
            key=f"order-placed:{order.id}:shipment:{shipment.id}",
        )


def shipping_notice(shipment: Shipment) -> None:
    order = shipment.order
    if not order.email:  # a buyer who gave only a phone: nothing to send
        return
    with force_locale("vi"):
        body = "\n".join(
            [
                _("Xin chào %(name)s,", name=order.customer_name),
                "",
                _(
                    "%(producer)s đã gửi hàng của đơn %(number)s:",
                    producer=shipment.producer.legal_name,
                    number=order.number,
                ),
                _lines(order, shipment),
                _(
                    "Đơn vị vận chuyển: %(carrier)s, mã vận đơn: %(tracking)s",
                    carrier=shipment.carrier,
                    tracking=shipment.tracking_number,
                ),
                "",
                _("Theo dõi đơn hàng: %(url)s", url=_order_url(order)),
            ]
        )
        send_mail(
            order.email,
            _("Đơn hàng %(number)s đã được gửi đi", number=order.number),
            body,
            key=f"shipment-shipped:{shipment.id}",
        )


def payment_received(order: Order) -> None:
    if not order.email:  # a buyer who gave only a phone: nothing to send
        return
    with force_locale("vi"):
        body = "\n".join(
            [
                _("Xin chào %(name)s,", name=order.customer_name),
                "",
                _(
                    "Chợ OCOP đã nhận %(amount)s cho đơn hàng %(number)s.",
                    amount=format_vnd(order.paid_vnd),
                    number=order.number,
                ),
                _("Theo dõi đơn hàng: %(url)s", url=_order_url(order)),
            ]
        )
        send_mail(
            order.email,
            _("Đã nhận thanh toán đơn %(number)s", number=order.number),
            body,
            key=f"order-paid:{order.id}",
        )


def order_cancelled(order: Order, reason: str) -> None:
    if not order.email:  # a buyer who gave only a phone: nothing to send
        return
    with force_locale("vi"):
        body = "\n".join(
            [
                _("Xin chào %(name)s,", name=order.customer_name),
                "",
                _("Đơn hàng %(number)s đã bị huỷ: %(reason)s", number=order.number, reason=reason),
                _("Theo dõi đơn hàng: %(url)s", url=_order_url(order)),
            ]
        )
        send_mail(
            order.email,
            _("Đơn hàng %(number)s đã bị huỷ", number=order.number),
            body,
            key=f"order-cancelled:{order.id}",
        )


def order_link(order: Order, *, period: str) -> bool:
    """Send the order's tracking link again to the order's own e-mail (a guest
    who lost it asked by phone and order number). Once per ``period`` (a key
    such as the hour): a repeated request in it queues nothing more. Returns
    False when the order has no e-mail (nothing is sent)."""
    if not order.email:
        return False
    with force_locale("vi"):
        body = "\n".join(
            [
                _("Xin chào %(name)s,", name=order.customer_name),
                "",
                _(
                    "Có người vừa yêu cầu gửi lại đường dẫn theo dõi đơn hàng %(number)s.",
                    number=order.number,
                ),
                _("Theo dõi đơn hàng: %(url)s", url=_order_url(order)),
                "",
                _("Nếu không phải bạn yêu cầu, bạn có thể bỏ qua email này."),
            ]
        )
        send_mail(
            order.email,
            _("Đường dẫn theo dõi đơn hàng %(number)s", number=order.number),
            body,
            key=f"order-link:{order.id}:{period}",
        )
    return True
