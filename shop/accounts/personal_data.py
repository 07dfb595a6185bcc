"""A user's own personal data (Law 91/2025/QH15): what we hold, as a download, and
the deletion of the account. They flush; the caller commits.

Orders are kept whole when an account is deleted: they are the accounting documents
behind invoices, which the Law on Accounting (88/2015, Art. 41) keeps for 10 years,
and a producer may still owe a refund or a settlement on them. Everything else that
names the person (the account, saved addresses, the cart, complaints' contact
fields) is removed or anonymised, and the account can no longer sign in.
"""

import io
import json
import secrets
import zipfile
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from shop.audit.services import record
from shop.auth.models import User
from shop.auth.passwords import hash_password
from shop.cart.models import CartLine
from shop.core.csvsafe import csv_bytes
from shop.extensions import db
from shop.legal.rules import DeletionRefusal, deletion_refusals
from shop.legal.services import complaints_of, consents_of, withdraw_marketing_consent
from shop.orders.models import Order, OrderStatus, SavedAddress
from shop.producers.models import ProducerMember
from shop.wishlist.queries import personal_data_of as wishlist_data
from shop.wishlist.services import forget_user as forget_wishlist

# Orders whose goods or money are still moving: the account must stay reachable.
IN_PROGRESS = (OrderStatus.PENDING_PAYMENT, OrderStatus.AWAITING_DELIVERY, OrderStatus.PAID)
DELETED_NAME = "(đã xoá)"
DELETED_DOMAIN = "deleted.invalid"  # RFC 2606: never delivered


class AccountDeletionRefused(Exception):
    def __init__(self, refusals: list[DeletionRefusal]):
        super().__init__(", ".join(refusals))
        self.refusals = refusals


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def personal_data(user: User) -> dict:
    """Everything this account holds about its user, as plain JSON values."""
    addresses = db.session.scalars(
        select(SavedAddress)
        .where(SavedAddress.user_id == user.id)
        .options(selectinload(SavedAddress.ward), selectinload(SavedAddress.province))
        .order_by(SavedAddress.id)
    ).all()
    orders = db.session.scalars(
        select(Order)
        .where(Order.user_id == user.id)
        .options(
            selectinload(Order.lines),
            selectinload(Order.ward),
            selectinload(Order.province),
        )
        .order_by(Order.id)
    ).all()
    complaints = db.session.scalars(complaints_of(user)).all()
    consents = db.session.scalars(consents_of(user)).all()
    return {
        "account": {
            "email": user.email,
            "full_name": user.full_name,
            "role": user.role.value,
            "created_at": _iso(user.created_at),
            "last_login_at": _iso(user.last_login_at),
        },
        "addresses": [
            {
                "customer_name": a.customer_name,
                "phone": a.phone,
                "address": a.address_line,
                "created_at": _iso(a.created_at),
            }
            for a in addresses
        ],
        "orders": [
            {
                "number": o.number,
                "created_at": _iso(o.created_at),
                "status": o.status.value,
                "payment_method": o.payment_method.value,
                "payment_status": o.payment_status.value,
                "customer_name": o.customer_name,
                "phone": o.phone,
                "email": o.email,
                "address": o.address_line,
                "note": o.note,
                "subtotal_vnd": o.subtotal_vnd,
                "shipping_vnd": o.shipping_vnd,
                "total_vnd": o.total_vnd,
                "lines": [
                    {
                        "product_name": line.product_name,
                        "pack": line.pack,
                        "unit_price_vnd": line.unit_price_vnd,
                        "quantity": line.quantity,
                        "line_total_vnd": line.line_total_vnd,
                    }
                    for line in o.lines
                ],
            }
            for o in orders
        ],
        "complaints": [
            {
                "reference": c.reference,
                "created_at": _iso(c.created_at),
                "status": c.status.value,
                "order_number": c.order_number,
                "name": c.name,
                "email": c.email,
                "phone": c.phone,
                "text": c.text,
                "due_on": c.due_on.isoformat(),
                "answer": c.answer,
                "answered_at": _iso(c.answered_at),
            }
            for c in complaints
        ],
        "consents": [
            {
                "purpose": c.purpose,
                "text_version": c.text_version,
                "source": c.source,
                "granted_at": _iso(c.granted_at),
                "withdrawn_at": _iso(c.withdrawn_at),
            }
            for c in consents
        ],
        **wishlist_data(user.id, user.email),  # "wishlist", "stock_alerts"
    }


def _table(rows: list[dict], skip: tuple[str, ...] = ()) -> bytes:
    header = [key for key in (rows[0] if rows else {}) if key not in skip]
    return csv_bytes(header, ([row[key] for key in header] for row in rows))


def personal_data_zip(user: User, now: datetime) -> bytes:
    """data.json (everything) and one CSV per list, for a spreadsheet."""
    data = personal_data(user)
    data["exported_at"] = now.isoformat()
    lines = [{"order_number": o["number"], **line} for o in data["orders"] for line in o["lines"]]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=2))
        archive.writestr("account.csv", _table([data["account"]]))
        archive.writestr("addresses.csv", _table(data["addresses"]))
        archive.writestr("orders.csv", _table(data["orders"], skip=("lines",)))
        archive.writestr("order_lines.csv", _table(lines))
        archive.writestr("complaints.csv", _table(data["complaints"]))
        archive.writestr("consents.csv", _table(data["consents"]))
        archive.writestr("wishlist.csv", _table(data["wishlist"]))
        archive.writestr("stock_alerts.csv", _table(data["stock_alerts"]))
    return buffer.getvalue()


def refusals_for(user: User) -> list[DeletionRefusal]:
    is_member = (
        db.session.scalar(select(ProducerMember.id).where(ProducerMember.user_id == user.id))
        is not None
    )
    in_progress = db.session.scalar(
        select(func.count())
        .select_from(Order)
        .where(Order.user_id == user.id, Order.status.in_(IN_PROGRESS))
    )
    return deletion_refusals(
        is_staff=user.is_staff, is_producer_member=is_member, orders_in_progress=in_progress or 0
    )


def delete_account(user: User, now: datetime) -> None:
    """Anonymise the account and remove what it alone held; orders stay whole.

    Raises AccountDeletionRefused with every reason when it may not go on."""
    refusals = refusals_for(user)
    if refusals:
        raise AccountDeletionRefused(refusals)
    withdraw_marketing_consent(user, now)  # the consent history stays, as proof
    db.session.execute(delete(SavedAddress).where(SavedAddress.user_id == user.id))
    db.session.execute(delete(CartLine).where(CartLine.user_id == user.id))
    forget_wishlist(user)  # before the address changes: alerts are found by it too
    marker = f"deleted-{user.id}-{secrets.token_hex(4)}@{DELETED_DOMAIN}"
    for complaint in db.session.scalars(complaints_of(user)):
        complaint.name = DELETED_NAME
        complaint.email = marker
        complaint.phone = None
    user.full_name = DELETED_NAME
    user.email = marker  # frees the address for a new account
    # A password nobody knows, and an inactive account: no way back in.
    user.password_hash = hash_password(secrets.token_urlsafe(32))
    user.is_active_account = False
    user.last_login_at = None
    user.rotate_session_token()
    db.session.flush()
    record(user, "account.deleted", user)
