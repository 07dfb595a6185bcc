"""Order, shipment and payment states are data: the allowed moves are tables,
and ``transition`` is the only function that changes a state. It records who,
when, from and to, and refuses any move the table does not list."""

from shop.auth.models import User
from shop.clock import utcnow
from shop.extensions import db
from shop.orders.events import state_changed
from shop.orders.models import (
    Order,
    OrderStatus,
    PaymentStatus,
    Shipment,
    ShipmentStatus,
    StateChange,
)

Ord, S, P = OrderStatus, ShipmentStatus, PaymentStatus

ORDER_MOVES: dict[OrderStatus, frozenset[OrderStatus]] = {
    # AWAITING_DELIVERY: an unpaid card order switched to cash on delivery.
    Ord.PENDING_PAYMENT: frozenset({Ord.PAID, Ord.CANCELLED, Ord.AWAITING_DELIVERY}),
    Ord.AWAITING_DELIVERY: frozenset({Ord.COMPLETED, Ord.CANCELLED}),
    Ord.PAID: frozenset({Ord.COMPLETED, Ord.CANCELLED, Ord.REFUNDED}),
    Ord.COMPLETED: frozenset({Ord.REFUNDED}),
    Ord.CANCELLED: frozenset({Ord.REFUNDED}),
    Ord.REFUNDED: frozenset(),
}

SHIPMENT_MOVES: dict[ShipmentStatus, frozenset[ShipmentStatus]] = {
    S.NEW: frozenset({S.CONFIRMED, S.CANCELLED}),
    S.CONFIRMED: frozenset({S.SHIPPED, S.CANCELLED}),
    S.SHIPPED: frozenset({S.DELIVERED}),
    S.DELIVERED: frozenset(),
    S.CANCELLED: frozenset(),
}

PAYMENT_MOVES: dict[PaymentStatus, frozenset[PaymentStatus]] = {
    P.UNPAID: frozenset({P.PARTIALLY_PAID, P.PAID}),
    P.PARTIALLY_PAID: frozenset({P.PAID, P.PARTIALLY_REFUNDED, P.REFUNDED}),
    P.PAID: frozenset({P.PARTIALLY_REFUNDED, P.REFUNDED}),
    P.PARTIALLY_REFUNDED: frozenset({P.REFUNDED}),
    # A transfer can still arrive after everything was given back.
    P.REFUNDED: frozenset({P.PARTIALLY_REFUNDED}),
}


def payment_status_for(paid_vnd: int, refunded_vnd: int, total_vnd: int) -> PaymentStatus:
    """The payment state the amounts call for."""
    if refunded_vnd:
        return P.REFUNDED if refunded_vnd >= paid_vnd else P.PARTIALLY_REFUNDED
    if paid_vnd == 0:
        return P.UNPAID
    return P.PAID if paid_vnd >= total_vnd else P.PARTIALLY_PAID


_TABLES = {"order": ORDER_MOVES, "shipment": SHIPMENT_MOVES, "payment": PAYMENT_MOVES}


class IllegalTransition(Exception):
    def __init__(self, subject: str, current, target):
        super().__init__(f"{subject}: {current} → {target} is not allowed")
        self.subject, self.current, self.target = subject, current, target


def can_move(subject: str, current, target) -> bool:
    return target in _TABLES[subject][current]


# What a producer may do to its shipment: each action is one move of the table.
SHIPMENT_ACTIONS: dict[str, ShipmentStatus] = {
    "confirm": S.CONFIRMED,
    "ship": S.SHIPPED,
    "deliver": S.DELIVERED,
    "cancel": S.CANCELLED,
}
# Order states in which an action waits or no longer makes sense: nothing is
# confirmed before it is paid, and nothing is cancelled twice.
_ACTION_BLOCKED_BY_ORDER: dict[str, frozenset[OrderStatus]] = {
    "confirm": frozenset({Ord.PENDING_PAYMENT}),
    "cancel": frozenset({Ord.PENDING_PAYMENT, Ord.CANCELLED, Ord.REFUNDED}),
}


def allowed_actions(shipment: Shipment, order: Order | None = None) -> frozenset[str]:
    """The shipment actions the producer's page offers now, from the tables."""
    order = order or shipment.order
    return frozenset(
        action
        for action, target in SHIPMENT_ACTIONS.items()
        if can_move("shipment", shipment.status, target)
        and order.status not in _ACTION_BLOCKED_BY_ORDER.get(action, ())
        # A pick-up is handed over by the sales centre, against its code.
        and not (getattr(shipment, "pickup_centre_id", None) and action in ("ship", "deliver"))
    )


def sync_payment(order: Order, *, actor: User | None = None, actor_label: str = "", reason=None):
    """Move the payment state to what the amounts call for (no move if it already is)."""
    # Cash on delivery is owed only for the shipments not cancelled; a prepaid
    # order owes its total (its shipments are cancelled only once it is paid).
    due = order.kept_total_vnd if order.payment_method == "cod" else order.total_vnd
    target = payment_status_for(order.paid_vnd, order.refunded_vnd, due)
    if target != order.payment_status:
        return transition(
            order, target, subject="payment", actor=actor, actor_label=actor_label, reason=reason
        )
    return None


def transition(
    obj: Order | Shipment,
    target,
    *,
    actor: User | None = None,
    actor_label: str = "",
    reason: str | None = None,
    subject: str | None = None,
) -> StateChange:
    """Move ``obj`` (an order, its payment, or a shipment) to ``target``; log it."""
    if subject is None:
        subject = "shipment" if isinstance(obj, Shipment) else "order"
    attribute = "payment_status" if subject == "payment" else "status"
    current = getattr(obj, attribute)
    if not can_move(subject, current, target):
        raise IllegalTransition(subject, current, target)
    setattr(obj, attribute, target)
    now = utcnow()
    if isinstance(obj, Shipment):
        if target == S.SHIPPED:
            obj.shipped_at = now
        elif target == S.DELIVERED:
            obj.delivered_at = now
    change = StateChange(
        order_id=obj.order_id if isinstance(obj, Shipment) else obj.id,
        shipment_id=obj.id if isinstance(obj, Shipment) else None,
        subject=subject,
        from_state=str(current),
        to_state=str(target),
        actor_id=actor.id if actor is not None else None,
        actor_label=actor_label or (actor.email if actor is not None else "system"),
        reason=reason,
        at=now,
    )
    db.session.add(change)
    state_changed.send(obj, subject=subject, source=current, target=target, reason=reason)
    return change
