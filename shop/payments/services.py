"""Money in and out of an order: card payments settled from Stripe, bank
transfers recorded by staff, refunds by staff. State moves only forward.

Every function here flushes and never commits; the view, webhook, task or
outbox handler commits. Where Stripe must be asked after a commit, that is a
second named step: ``ensure_payment_intent`` then ``confirm_card_payment``,
``request_refund`` then ``submit_card_refund``. The order's side of money
(marking it paid, booking a refund) is ``shop.orders.services``."""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from shop import observability
from shop.audit.services import record
from shop.auth.models import User
from shop.clock import utcnow
from shop.extensions import db
from shop.jobs.services import enqueue
from shop.money import format_vnd
from shop.orders.models import (
    Order,
    OrderStatus,
    PaymentMethod,
    PaymentStatus,
    ShipmentStatus,
    StateChange,
)
from shop.orders.services import (
    OrderActionError,
    apply_payment,
    book_refund,
    cancel_order,
    lock_order,
)
from shop.orders.states import transition
from shop.payments import stripe_gateway
from shop.payments.declines import stored_code
from shop.payments.models import (
    CardPayment,
    MoneyAction,
    MoneyActionKind,
    Refund,
    RefundStatus,
    TransferReceipt,
)


class PaymentError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def locked_order(order_id: int) -> Order:
    """The order row, locked until commit (see ``shop.orders.services.lock_order``)."""
    try:
        return lock_order(order_id)
    except OrderActionError as exc:
        raise PaymentError(exc.message) from None


# -- card ------------------------------------------------------------------


def ensure_payment_intent(order: Order) -> CardPayment:
    """Step one of a card payment: the order's one PaymentIntent, created on
    first need. The payment row is locked while Stripe is asked, and the
    idempotency key is derived from the order, so parallel requests never make
    two intents. Flushes; the caller commits before step two."""
    payment = db.session.scalar(
        select(CardPayment)
        .where(CardPayment.order_id == order.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if payment is None:
        raise PaymentError(_("Đơn hàng này không thanh toán bằng thẻ."))
    if payment.payment_intent_id is None:
        intent = stripe_gateway.create_payment_intent(
            amount_vnd=payment.amount_vnd,
            order_number=order.number,
            idempotency_key=f"ocop-{order.number}-payment-intent",
        )
        payment.payment_intent_id = intent.id
        payment.client_secret = intent.client_secret
        payment.stripe_status = intent.status
    db.session.flush()
    return payment


def settle_card_payment(
    payment: CardPayment, intent: stripe_gateway.Intent, *, source: str
) -> bool:
    """Apply what Stripe says about the order's PaymentIntent, in the caller's
    transaction. Only forward: the conditional update lets exactly one caller
    (webhook, return page, reconcile) record a success. Returns True when this
    call marked the order paid (its e-mail is queued, see ``apply_payment``). Flushes."""
    if intent.id != payment.payment_intent_id:
        return False
    if intent.status != "succeeded":
        db.session.execute(
            update(CardPayment)
            .where(CardPayment.id == payment.id, CardPayment.stripe_status != "succeeded")
            .values(
                stripe_status=intent.status,
                # Codes, not Stripe's English: the page says it in the buyer's language.
                last_error=(
                    stored_code(intent.error_code, intent.decline_code) if intent.error else None
                ),
                updated_at=utcnow(),
            )
        )
        return False
    won = db.session.execute(
        update(CardPayment)
        .where(CardPayment.id == payment.id, CardPayment.stripe_status != "succeeded")
        .values(stripe_status="succeeded", last_error=None, updated_at=utcnow())
    ).rowcount
    if not won:
        return False
    observability.payment(PaymentMethod.CARD, "settled")
    order = locked_order(payment.order_id)
    return apply_payment(
        order, intent.amount_received, actor=None, actor_label=source, reason="Thanh toán thẻ"
    )


def confirm_card_payment(order: Order, token_id: str) -> stripe_gateway.Intent:
    """Step two, once the intent is committed: attach the card token Stripe.js
    made and confirm, then settle what Stripe answers. Flushes."""
    payment = db.session.scalar(select(CardPayment).where(CardPayment.order_id == order.id))
    if payment is None or payment.payment_intent_id is None:
        raise PaymentError(_("Đơn hàng này không thanh toán bằng thẻ."))
    if payment.stripe_status == "succeeded":
        return stripe_gateway.retrieve_payment_intent(payment.payment_intent_id)
    intent = stripe_gateway.pay_with_card_token(
        payment.payment_intent_id,
        token_id,
        idempotency_key=f"ocop-{order.number}-confirm-{token_id}",
    )
    settle_card_payment(payment, intent, source="card")
    return intent


def refresh_card_payment(order: Order, *, source: str = "return") -> CardPayment | None:
    """Read the PaymentIntent back from Stripe and settle (the return page). Flushes."""
    payment = db.session.scalar(select(CardPayment).where(CardPayment.order_id == order.id))
    if payment is None or payment.payment_intent_id is None:
        return payment
    intent = stripe_gateway.retrieve_payment_intent(payment.payment_intent_id)
    settle_card_payment(payment, intent, source=source)
    return payment


def open_card_payments() -> list[CardPayment]:
    """Card payments Stripe may have settled without our hearing (reconcile)."""
    return list(
        db.session.scalars(
            select(CardPayment)
            .join(Order, Order.id == CardPayment.order_id)
            .where(
                CardPayment.payment_intent_id.is_not(None),
                CardPayment.stripe_status.not_in(("succeeded", "canceled")),
            )
            .order_by(CardPayment.id)
        )
    )


def stop_payment_intent(order_id: int) -> None:
    """A cancelled order's PaymentIntent that is still open is cancelled at
    Stripe, so the customer can no longer pay it. Harmless to repeat. Flushes."""
    payment = db.session.scalar(select(CardPayment).where(CardPayment.order_id == order_id))
    if (
        payment is not None
        and payment.payment_intent_id
        and payment.stripe_status not in ("succeeded", "canceled")
    ):
        intent = stripe_gateway.cancel_payment_intent(payment.payment_intent_id)
        if intent is not None:
            payment.stripe_status = intent.status
            db.session.flush()


# -- leaving card for another method ---------------------------------------------------

# A card payment in these states has taken, or may still take, the buyer's money:
# the order stays a card order.
CARD_BUSY = frozenset({"succeeded", "processing"})
SWITCH_TARGETS = frozenset({PaymentMethod.COD, PaymentMethod.VIETQR})


def _card_row_locked(order_id: int) -> CardPayment | None:
    return db.session.scalar(
        select(CardPayment)
        .where(CardPayment.order_id == order_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def _check_unpaid_card_order(order: Order) -> None:
    if (
        order.payment_method != PaymentMethod.CARD
        or order.status != OrderStatus.PENDING_PAYMENT
        or order.payment_status != PaymentStatus.UNPAID
    ):
        raise PaymentError(
            _("Đơn hàng này không còn chờ thanh toán thẻ: không đổi được cách thanh toán.")
        )


def stop_card_payment(order_id: int) -> CardPayment | None:
    """Step one of leaving card (a declined card, a buyer who changed their
    mind): cancel the order's open PaymentIntent at Stripe, so that no card
    payment can succeed afterwards, and record what Stripe says. When Stripe
    refuses because the intent succeeded or is processing meanwhile, that is
    settled here instead (the order is paid). The card row is locked (the lock
    order of ``settle_card_payment``: card row, then order). Raises GatewayError
    when Stripe cannot be reached (nothing changed). Flushes; the caller commits
    before step two, ``switch_payment_method``."""
    order = db.session.get(Order, order_id)
    if order is None:
        raise PaymentError(_("Không tìm thấy đơn hàng."))
    _check_unpaid_card_order(order)
    payment = _card_row_locked(order_id)
    if payment is None or payment.payment_intent_id is None:
        return payment
    if payment.stripe_status in CARD_BUSY or payment.stripe_status == "canceled":
        return payment
    try:
        intent = stripe_gateway.cancel_payment_intent_or_raise(payment.payment_intent_id)
    except stripe_gateway.GatewayError as exc:
        if exc.unreachable:
            raise
        # Refused: paid or processing since we last looked. Read it back and settle.
        intent = stripe_gateway.retrieve_payment_intent(payment.payment_intent_id)
        settle_card_payment(payment, intent, source="stripe")
        db.session.flush()
        db.session.refresh(payment)
        return payment
    payment.stripe_status = intent.status
    payment.updated_at = utcnow()
    db.session.flush()
    return payment


@dataclass(frozen=True)
class SwitchResult:
    order: Order
    duplicate: bool = False  # it was that method already (a resubmitted form)


def switch_payment_method(
    order_id: int, method: PaymentMethod, *, actor: User | None, actor_label: str
) -> SwitchResult:
    """Step two: the same order, its address, lines and reserved stock, is paid
    by ``method`` (cash on delivery or VietQR) instead of card. Only while it is
    unpaid and its PaymentIntent (if any) was cancelled by ``stop_card_payment``;
    a card payment that succeeded or is processing refuses. The change is
    recorded in the order's history; a cash-on-delivery order waits for the
    producers at once. Locks the card row, then the order. Flushes."""
    if method not in SWITCH_TARGETS:
        raise PaymentError(_("Vui lòng chọn cách thanh toán."))
    payment = _card_row_locked(order_id)
    order = locked_order(order_id)
    if order.payment_method == method:
        return SwitchResult(order, duplicate=True)
    if payment is not None and payment.stripe_status in CARD_BUSY:
        raise PaymentError(
            _(
                "Thanh toán thẻ của đơn này đã thành công hoặc đang được xử lý: "
                "không đổi cách thanh toán."
            )
        )
    _check_unpaid_card_order(order)
    if payment is not None and payment.payment_intent_id and payment.stripe_status != "canceled":
        # Step one did not run, or an intent was made since: never leave one open.
        raise PaymentError(_("Thanh toán thẻ của đơn này còn đang mở. Vui lòng thử lại."))
    reason = "Khách hàng đổi cách thanh toán"  # stored text, shown in the history
    order.payment_method = method
    db.session.add(
        StateChange(
            order_id=order.id,
            subject="method",
            from_state=str(PaymentMethod.CARD),
            to_state=str(method),
            actor_id=actor.id if actor is not None else None,
            actor_label=actor_label,
            reason=reason,
            at=utcnow(),
        )
    )
    if method == PaymentMethod.COD:
        transition(
            order,
            OrderStatus.AWAITING_DELIVERY,
            actor=actor,
            actor_label=actor_label,
            reason=reason,
        )
        order.expires_at = None  # cash on delivery waits for the producers, not the clock
    observability.payment(method, "switched_from_card")
    db.session.flush()
    return SwitchResult(order)


# -- money actions -------------------------------------------------------------

# Largest amount one staff action may record or refund. Columns are 32-bit
# integers of đồng (about 2.1 billion); an order never comes near either bound.
MAX_ACTION_VND = 2_000_000_000


def new_action_token() -> str:
    """The hidden token of a money form, rendered once per page view."""
    return secrets.token_urlsafe(24)


def valid_action_token(token: object) -> bool:
    return (
        isinstance(token, str)
        and 20 <= len(token) <= 64
        and token.isascii()
        and all(c.isalnum() or c in "-_" for c in token)
    )


def check_amount(amount_vnd: object, *, what: str = "") -> int:
    """A positive whole number of đồng within MAX_ACTION_VND, or a PaymentError."""
    if isinstance(amount_vnd, bool) or not isinstance(amount_vnd, int) or amount_vnd <= 0:
        raise PaymentError(_("Số tiền phải là số nguyên dương (đồng)."))
    if amount_vnd > MAX_ACTION_VND:
        raise PaymentError(
            _("Số tiền quá lớn: tối đa %(amount)s một lần.", amount=format_vnd(MAX_ACTION_VND))
        )
    return amount_vnd


def claim_action(
    order: Order, token: str, kind: MoneyActionKind, actor: User | None, actor_label: str
) -> MoneyAction | None:
    """Write the action's row in the caller's transaction; None when this token
    was already used (the action is done, or being done by a parallel twin that
    holds the order lock). A token of another order or action is refused."""
    if not valid_action_token(token):
        raise PaymentError(_("Biểu mẫu đã cũ hoặc không hợp lệ. Vui lòng tải lại trang."))
    existing = db.session.scalar(select(MoneyAction).where(MoneyAction.token == token))
    if existing is None:
        action = MoneyAction(
            token=token,
            kind=kind,
            order_id=order.id,
            actor_id=actor.id if actor is not None else None,
            actor_label=actor_label,
        )
        try:
            with db.session.begin_nested():
                db.session.add(action)
        except IntegrityError:
            existing = db.session.scalar(select(MoneyAction).where(MoneyAction.token == token))
        else:
            return action
    if existing is None or existing.order_id != order.id or existing.kind != kind:
        raise PaymentError(_("Biểu mẫu đã cũ hoặc không hợp lệ. Vui lòng tải lại trang."))
    return None


# -- bank transfer -----------------------------------------------------------


def normalise_reference(text: str) -> str:
    """Bank references compare without case or spaces: "ft 26 001" is FT26001."""
    return "".join((text or "").split()).upper()[:80]


@dataclass(frozen=True)
class TransferResult:
    order: Order
    became_paid: bool
    duplicate: bool = False


def record_transfer(
    order_id: int,
    amount_vnd: int,
    bank_reference: str,
    actor: User,
    *,
    action_token: str | None = None,
) -> TransferResult:
    """Staff saw a transfer arrive. Partial amounts leave the rest due; an excess
    is shown as a refund due. A bank reference is recorded once across all
    orders; a resubmitted form (same action token) records nothing more.
    Flushes; the caller commits (the e-mail is queued, see ``apply_payment``)."""
    order = locked_order(order_id)
    if order.payment_method != PaymentMethod.VIETQR:
        raise PaymentError(_("Đơn hàng này không thanh toán bằng chuyển khoản."))
    check_amount(amount_vnd)
    reference = normalise_reference(bank_reference)
    if not reference:
        raise PaymentError(_("Vui lòng nhập mã giao dịch ngân hàng."))
    action = None
    if action_token is not None:
        action = claim_action(order, action_token, MoneyActionKind.TRANSFER, actor, "staff")
        if action is None:
            return TransferResult(order, False, duplicate=True)
    _refuse_known_reference(reference)
    receipt = TransferReceipt(
        order_id=order.id,
        action_id=action.id if action is not None else None,
        amount_vnd=amount_vnd,
        bank_reference=reference,
        recorded_by_id=actor.id,
    )
    try:
        with db.session.begin_nested():  # a parallel twin on another order meets the index
            db.session.add(receipt)
    except IntegrityError:
        _refuse_known_reference(reference)
        raise
    observability.payment(PaymentMethod.VIETQR, "recorded")
    became_paid = apply_payment(
        order, amount_vnd, actor=actor, actor_label="staff", reason=f"Chuyển khoản {reference}"
    )
    record(actor, "transfer_received", order, reason=reference, amount_vnd=amount_vnd)
    return TransferResult(order, became_paid)


def _refuse_known_reference(reference: str) -> None:
    known = db.session.execute(
        select(Order.number)
        .join(TransferReceipt, TransferReceipt.order_id == Order.id)
        .where(TransferReceipt.bank_reference == reference)
    ).first()
    if known is not None:
        raise PaymentError(
            _(
                "Mã giao dịch %(reference)s đã được ghi nhận (đơn %(number)s): "
                "không ghi lại lần nữa.",
                reference=reference,
                number=known.number,
            )
        )


# -- refunds -----------------------------------------------------------------


def pending_refunds_vnd(order: Order) -> int:
    """Refunds asked for but not yet confirmed by Stripe: reserved, not refundable."""
    return db.session.scalar(
        select(func.coalesce(func.sum(Refund.amount_vnd), 0)).where(
            Refund.order_id == order.id, Refund.status == RefundStatus.PENDING
        )
    )


def refundable_vnd(order: Order) -> int:
    return order.paid_vnd - order.refunded_vnd - pending_refunds_vnd(order)


def refund_key(action: MoneyAction) -> str:
    """Stripe's idempotency key, derived from the action: a resubmitted form, a
    retry after a crash and reconcile all ask Stripe with the same key."""
    return f"ocop-refund-{action.token}"


@dataclass(frozen=True)
class RefundRequest:
    order: Order
    refunds: list[Refund]
    key: str | None  # set when Stripe has a refund to make (step two)
    duplicate: bool = False


def request_refund(
    order_id: int,
    amount_vnd: int,
    reason: str,
    actor: User | None,
    *,
    action_token: str,
    actor_label: str = "staff",
    shipment_id: int | None = None,
) -> RefundRequest:
    """Step one of a refund: check it and write it down. Transfer and cash
    refunds (paid out by staff) are booked at once; a card refund is written as
    pending and is made at Stripe by ``submit_card_refund`` after the commit.
    Never more than was paid, counting refunds still pending. Flushes."""
    order = locked_order(order_id)
    action = claim_action(order, action_token, MoneyActionKind.REFUND, actor, actor_label)
    if action is None:
        return _existing_request(order, action_token)
    refunds = reserve_refund(
        order, amount_vnd, reason, actor, action, actor_label=actor_label, shipment_id=shipment_id
    )
    key = refunds[0].idempotency_key
    return RefundRequest(order, refunds, key)


def _existing_request(order: Order, token: str) -> RefundRequest:
    refunds = db.session.scalars(
        select(Refund)
        .join(MoneyAction, MoneyAction.id == Refund.action_id)
        .where(MoneyAction.token == token)
        .order_by(Refund.id)
    ).all()
    return RefundRequest(order, list(refunds), None, duplicate=True)


def reserve_refund(
    order: Order,
    amount_vnd: int,
    reason: str,
    actor: User | None,
    action: MoneyAction,
    *,
    actor_label: str = "staff",
    shipment_id: int | None = None,
) -> list[Refund]:
    """The refund rows of one action on a locked order (see ``request_refund``)."""
    check_amount(amount_vnd)
    if not reason.strip():
        raise PaymentError(_("Vui lòng nhập lý do hoàn tiền."))
    available = refundable_vnd(order)
    if amount_vnd > available:
        raise PaymentError(_("Chỉ có thể hoàn tối đa %(amount)s.", amount=format_vnd(available)))
    card = order.payment_method == PaymentMethod.CARD
    refunds = [
        Refund(
            order_id=order.id,
            shipment_id=share_shipment,
            amount_vnd=share,
            reason=reason.strip()[:500],
            action_id=action.id,
            idempotency_key=refund_key(action) if card else None,
            status=RefundStatus.PENDING if card else RefundStatus.SUCCEEDED,
            created_by_id=actor.id if actor else None,
        )
        for share_shipment, share in _allocate(order, amount_vnd, shipment_id)
    ]
    db.session.add_all(refunds)
    db.session.flush()
    if not card:
        _book(order, refunds, actor=actor, actor_label=actor_label)
        observability.payment(order.payment_method, "refund_succeeded")
    record(
        actor, "refund", order, reason=reason, amount_vnd=amount_vnd, shipment_id=shipment_id or ""
    )
    return refunds


def _book(order: Order, rows: list[Refund], *, actor: User | None, actor_label: str) -> None:
    """Money has gone back: the rows succeeded, and the order counts them."""
    for row in rows:
        row.status = RefundStatus.SUCCEEDED
    book_refund(
        order,
        [(row.shipment_id, row.amount_vnd) for row in rows],
        actor=actor,
        actor_label=actor_label,
        reason=rows[0].reason if rows else None,
    )


def submit_card_refund(key: str) -> RefundStatus | None:
    """Step two, after the pending refund is committed: ask Stripe (with the
    action's idempotency key) and record what it says, holding the order's lock
    (one submitter at a time). Flushes; the caller commits. A Stripe that
    cannot be reached leaves the refund pending for ``reconcile_refunds``; a
    refusal marks it failed (nothing was given back). Returns the new status,
    or None when there was nothing left to do (a twin or reconcile did it)."""
    order_id = db.session.scalar(
        select(Refund.order_id).where(Refund.idempotency_key == key).limit(1)
    )
    if order_id is None:
        return None
    order = locked_order(order_id)  # one submitter at a time for this order
    rows = _pending_rows(key)
    if not rows:
        return None
    payment = db.session.scalar(select(CardPayment).where(CardPayment.order_id == order.id))
    try:
        refund_id, status = stripe_gateway.refund(
            payment.payment_intent_id, sum(r.amount_vnd for r in rows), idempotency_key=key
        )
    except stripe_gateway.GatewayError as exc:
        return _gateway_failed(order, rows, exc)
    return _apply_stripe_refund(order, rows, refund_id, status)


def _pending_rows(key: str, *, unsent_only: bool = True) -> list[Refund]:
    """The pending rows of one refund (by its key); ``unsent_only``: those Stripe
    has not answered for yet."""
    query = select(Refund).where(
        Refund.idempotency_key == key, Refund.status == RefundStatus.PENDING
    )
    if unsent_only:
        query = query.where(Refund.stripe_refund_id.is_(None))
    return list(
        db.session.scalars(query.order_by(Refund.id).execution_options(populate_existing=True))
    )


def _gateway_failed(order: Order, rows: list[Refund], exc) -> RefundStatus:
    if exc.unreachable:  # not reached: try again later, same key
        for row in rows:
            row.last_error = exc.message[:500]
            row.updated_at = utcnow()
        observability.payment(PaymentMethod.CARD, "refund_pending")
        db.session.flush()
        return RefundStatus.PENDING
    for row in rows:
        row.status = RefundStatus.FAILED
        row.last_error = exc.message[:500]
    record(None, "refund_failed", order, reason=exc.message[:200])
    observability.payment(PaymentMethod.CARD, "refund_failed")
    db.session.flush()
    return RefundStatus.FAILED


def _apply_stripe_refund(
    order: Order, rows: list[Refund], refund_id: str, status: str
) -> RefundStatus:
    for row in rows:
        row.stripe_refund_id = refund_id
        row.last_error = None
    if status == "succeeded":
        _book(order, rows, actor=None, actor_label="stripe")
        result = RefundStatus.SUCCEEDED
    elif status in ("failed", "canceled"):
        for row in rows:
            row.status = RefundStatus.FAILED
        result = RefundStatus.FAILED
    else:  # pending at Stripe: reconcile reads it back
        result = RefundStatus.PENDING
    observability.payment(PaymentMethod.CARD, f"refund_{result.value}")
    db.session.flush()
    return result


def refunds_to_reconcile(now: datetime, *, settle_after_seconds: int = 120) -> list[str]:
    """The keys of card refunds left pending longer than ``settle_after_seconds``:
    a crash or a Stripe outage between the two steps, or a refund Stripe
    reported as pending (a fresher one may still be under way)."""
    cutoff = now - timedelta(seconds=settle_after_seconds)
    return list(
        db.session.scalars(
            select(Refund.idempotency_key)
            .where(
                Refund.status == RefundStatus.PENDING,
                Refund.idempotency_key.is_not(None),
                Refund.updated_at < cutoff,
            )
            .group_by(Refund.idempotency_key)
        )
    )


def reconcile_refund(key: str) -> RefundStatus | None:
    """Settle one pending card refund. A refund Stripe already made (found by
    its key in the refund's metadata) is recorded, never made twice. Flushes."""
    order_id = db.session.scalar(
        select(Refund.order_id).where(Refund.idempotency_key == key).limit(1)
    )
    if order_id is None:
        return None
    order = locked_order(order_id)
    rows = _pending_rows(key, unsent_only=False)
    if not rows:
        return None
    if rows[0].stripe_refund_id:
        status = stripe_gateway.retrieve_refund(rows[0].stripe_refund_id)
        if status == "pending":
            return RefundStatus.PENDING
        return _apply_stripe_refund(order, rows, rows[0].stripe_refund_id, status)
    payment = db.session.scalar(select(CardPayment).where(CardPayment.order_id == order.id))
    made = stripe_gateway.find_refund(payment.payment_intent_id, key)
    if made is not None:
        return _apply_stripe_refund(order, rows, *made)
    return submit_card_refund(key)  # the order's lock is this transaction's already


# -- cancelling with the money -------------------------------------------------------

# The outbox kind of step two of a cancelled card order's refund.
CARD_REFUND = "payments.card-refund"


@dataclass(frozen=True)
class CancelResult:
    order: Order
    reason: str
    # The card refund queued for after the commit (a paid card order).
    refund_key: str | None = None
    duplicate: bool = False


def cancel_and_refund(
    order_id: int,
    *,
    actor: User | None,
    actor_label: str,
    reason: str,
    action_token: str | None = None,
) -> CancelResult:
    """Cancel the order (``shop.orders.services.cancel_order``) and give back
    what was paid, in one transaction. A paid card order gets its full refund
    written as pending, and step two (Stripe) queued in the outbox for after the
    commit; a paid transfer shows a refund due for staff. An open PaymentIntent
    is stopped after the commit (ORDER_CANCELLED). With an action token, a
    resubmission cancels nothing more. Flushes; the caller commits."""
    order = locked_order(order_id)
    action = None
    if action_token is not None:
        action = claim_action(order, action_token, MoneyActionKind.CANCEL, actor, actor_label)
        if action is None:
            return CancelResult(order, reason, duplicate=True)
    order = cancel_order(order.id, actor=actor, actor_label=actor_label, reason=reason)
    refund_key = None
    amount = refundable_vnd(order)
    if order.payment_method == PaymentMethod.CARD and amount > 0:
        if action is None:
            action = MoneyAction(
                token=new_action_token(),
                kind=MoneyActionKind.CANCEL,
                order_id=order.id,
                actor_id=actor.id if actor is not None else None,
                actor_label=actor_label,
            )
            db.session.add(action)
            db.session.flush()
        rows = reserve_refund(order, amount, reason, actor, action, actor_label=actor_label)
        refund_key = rows[0].idempotency_key
        enqueue(CARD_REFUND, {"key": refund_key}, f"{CARD_REFUND}:{refund_key}")
    return CancelResult(order, reason, refund_key)


def refund_preview(order: Order) -> dict:
    """What cancelling would give back, and how (for the confirmation page)."""
    amount = refundable_vnd(order)
    return {"amount_vnd": amount, "method": order.payment_method if amount > 0 else None}


def _allocate(
    order: Order, amount_vnd: int, shipment_id: int | None
) -> list[tuple[int | None, int]]:
    """Split a refund by producer, for settlements: [(shipment id or None, đồng)].

    Money the customer paid beyond the order total (an excess transfer) goes back
    first and is nobody's sale (None). The rest is booked against the named
    shipment, or against the paid shipments in turn, each up to what it is worth
    less what was refunded or is pending for it."""
    shares: list[tuple[int | None, int]] = []
    pending = dict(
        db.session.execute(
            select(Refund.shipment_id, func.sum(Refund.amount_vnd))
            .where(Refund.order_id == order.id, Refund.status == RefundStatus.PENDING)
            .group_by(Refund.shipment_id)
        ).all()
    )
    excess = max(min(amount_vnd, order.overpaid_vnd - sum(pending.values())), 0)
    if excess:
        shares.append((None, excess))
    remaining = amount_vnd - excess
    if shipment_id is not None:
        candidates = [s for s in order.shipments if s.id == shipment_id]
    else:
        paid = [s for s in order.shipments if s.paid_at is not None] or list(order.shipments)
        # Money of cancelled shipments goes back first: it is what is owed.
        candidates = sorted(paid, key=lambda s: s.status != ShipmentStatus.CANCELLED)
    for shipment in candidates:
        if remaining == 0:
            break
        open_vnd = shipment.total_vnd - shipment.refunded_vnd - pending.get(shipment.id, 0)
        share = min(max(open_vnd, 0), remaining)
        if share:
            shares.append((shipment.id, share))
            remaining -= share
    if remaining:  # more than the shipments are worth: cannot happen within what was paid
        shares.append((None, remaining))
    return shares
