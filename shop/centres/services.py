"""Sales centres' use cases: register centres and their staff, consign and return
stock, read what the till scanned, ring up a sale. They flush; the caller commits."""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from shop.audit.services import record
from shop.auth.models import Role, User
from shop.auth.services import end_all_sessions, find_user_by_email
from shop.catalog import stock as online_stock
from shop.catalog.gtin import InvalidGtin, normalize_gtin13
from shop.catalog.models import Product
from shop.catalog.services import products_with_gtin
from shop.centres import stock
from shop.centres.exceptions import CannotAssign, CentreError, NotFound, NotSellable
from shop.centres.models import (
    Centre,
    CentreStaff,
    CentreStock,
    MovementKind,
    StockMovement,
    TillPayment,
    TillSale,
    TillSaleLine,
)
from shop.centres.rules import normalise_pickup_code
from shop.certification.models import Certificate
from shop.certification.queries import Verification, current_certificate, verify_code
from shop.certification.rules import CertificateStatus
from shop.clock import utcnow
from shop.extensions import db
from shop.orders.models import Shipment, ShipmentStatus
from shop.orders.services import OrderActionError, advance_shipment
from shop.producers.models import Producer, ProducerMember

CENTRE_FIELDS = (
    "name",
    "operator",
    "province_code",
    "ward_code",
    "street",
    "opening_hours",
    "phone",
    "email",
    "latitude_e6",
    "longitude_e6",
    "pickup_fee_vnd",
    "is_active",
)

MAX_MOVE = 100_000  # units in one movement: more is a typing slip


# -- centres and their staff ---------------------------------------------------------


def create_centre(data: Mapping, actor: User) -> Centre:
    centre = Centre(**{k: data[k] for k in CENTRE_FIELDS if k in data})
    db.session.add(centre)
    db.session.flush()
    record(actor, "centre.create", centre, name=centre.name)
    return centre


def update_centre(centre: Centre, data: Mapping, actor: User) -> None:
    changed = {k: data[k] for k in CENTRE_FIELDS if k in data and getattr(centre, k) != data[k]}
    for key, value in changed.items():
        setattr(centre, key, value)
    db.session.flush()
    if changed:
        record(actor, "centre.update", centre, fields=",".join(sorted(changed)))


def centre_of(user: User) -> Centre | None:
    """The centre a signed-in user works at, if any."""
    if not user.is_authenticated or user.role is not Role.CENTRE:
        return None
    return db.session.scalar(select(Centre).join(CentreStaff).where(CentreStaff.user_id == user.id))


def assign_staff(centre: Centre, email: str, actor: User) -> CentreStaff:
    """Make an existing account the centre's staff. The account holder signs up
    first (/register); staff, a producer's people and another centre's staff are
    refused, so no account holds two roles."""
    user = find_user_by_email(email or "")
    if user is None:
        raise CannotAssign(
            _("Chưa có tài khoản với email này. Người đó cần đăng ký tài khoản trước.")
        )
    if user.is_staff:
        raise CannotAssign(_("Cán bộ quản lý không thể làm nhân viên điểm bán."))
    if db.session.scalar(select(ProducerMember.id).where(ProducerMember.user_id == user.id)):
        raise CannotAssign(_("Tài khoản này đang làm việc cho một chủ thể OCOP."))
    if db.session.scalar(select(CentreStaff.id).where(CentreStaff.user_id == user.id)):
        raise CannotAssign(_("Tài khoản này đã là nhân viên của một điểm bán."))
    member = CentreStaff(centre=centre, user=user, added_by_id=actor.id)
    user.role = Role.CENTRE
    db.session.add(member)
    db.session.flush()
    record(actor, "centre.staff_add", centre, user_id=user.id, email=user.email)
    return member


def remove_staff(member: CentreStaff, actor: User) -> None:
    """The account becomes a buyer's again and is signed out everywhere."""
    user, centre = member.user, member.centre
    db.session.delete(member)
    user.role = Role.CUSTOMER
    end_all_sessions(user)
    record(actor, "centre.staff_remove", centre, user_id=user.id, email=user.email)


# -- consignment and the centre's own movements --------------------------------------


def _check_quantity(quantity: int) -> None:
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 0 < quantity <= MAX_MOVE:
        raise CentreError(_("Số lượng phải là số nguyên từ 1 đến 100.000."))


def consign(
    producer: Producer,
    centre: Centre,
    product: Product,
    quantity: int,
    actor: User,
    *,
    from_online: bool,
    note: str = "",
) -> StockMovement:
    """The producer brings ``quantity`` units of its own product to a centre,
    taken from the online stock when ``from_online`` (never below zero)."""
    if product.producer_id != producer.id:
        raise CentreError(_("Sản phẩm không thuộc chủ thể này."))
    if not centre.is_active:
        raise CentreError(_("Điểm bán này đang tạm ngừng nhận hàng."))
    _check_quantity(quantity)
    if from_online:
        stock.take_online(product.id, quantity)
    return stock.move(
        centre_id=centre.id,
        product=product,
        kind=MovementKind.CONSIGNED,
        change=quantity,
        actor=actor,
        note=note,
        online_stock=from_online,
    )


def return_to_producer(
    centre: Centre,
    product: Product,
    quantity: int,
    actor: User,
    *,
    to_online: bool,
    note: str = "",
) -> StockMovement:
    """The centre hands units back to their producer, into the online stock when
    ``to_online``."""
    _check_quantity(quantity)
    movement = stock.move(
        centre_id=centre.id,
        product=product,
        kind=MovementKind.RETURNED,
        change=-quantity,
        actor=actor,
        note=note,
        online_stock=to_online,
    )
    if to_online:
        online_stock.return_stock([(product.id, quantity)])
    return movement


def adjust(centre: Centre, product: Product, change: int, reason: str, actor: User):
    """A stock count's correction (broken, lost, found), signed, with its reason."""
    reason = (reason or "").strip()
    if not reason:
        raise CentreError(_("Vui lòng ghi lý do điều chỉnh."))
    if isinstance(change, bool) or not isinstance(change, int) or change == 0:
        raise CentreError(_("Số lượng điều chỉnh phải khác 0."))
    _check_quantity(abs(change))
    return stock.move(
        centre_id=centre.id,
        product=product,
        kind=MovementKind.ADJUSTED,
        change=change,
        actor=actor,
        note=reason[:300],
    )


def held(centre_id: int, product_id: int) -> int:
    return (
        db.session.scalar(
            select(CentreStock.quantity).where(
                CentreStock.centre_id == centre_id, CentreStock.product_id == product_id
            )
        )
        or 0
    )


# -- the till: what was scanned -------------------------------------------------------

_VERIFY_PATH = re.compile(r"/verify/([^/?#\s]+)", re.IGNORECASE)
_DIGITAL_LINK = re.compile(r"/01/(\d{14})(?:[/?#]|$)")


@dataclass(frozen=True)
class Scan:
    """A product the till may sell: its current certificate valid today."""

    product: Product
    certificate: Certificate
    status: CertificateStatus
    held: int


def _gtin_of(text: str) -> str | None:
    """The GTIN-13 in what a scanner typed: 13 digits, a GTIN-14 with its leading
    zero, a UPC-A (12 digits), or a GS1 Digital Link path; None when it is none."""
    found = _DIGITAL_LINK.search(text)
    digits = found.group(1) if found else text.replace(" ", "").replace("-", "")
    if not digits.isascii() or not digits.isdigit():
        return None
    if len(digits) == 14 and digits.startswith("0"):
        digits = digits[1:]
    elif len(digits) == 12:
        digits = "0" + digits
    if len(digits) != 13:
        return None
    try:
        return normalize_gtin13(digits)
    except InvalidGtin:
        return None


def _refusal(verification: Verification) -> str:
    return _("Không bán: %(reason)s", reason=verification.explanation)


def scan(centre: Centre, text: str, today: date) -> Scan:
    """What the till scanned or typed: an EAN-13, the label's QR (its
    ``/verify/<code>`` address, or ``/01/<GTIN-14>``) or the verification code in
    words. Raises NotFound, or NotSellable with the reason: no certificate, not
    valid today (expired, revoked) or the label of a replaced certificate."""
    text = (text or "").strip()[:300]
    if not text:
        raise NotFound(_("Hãy quét mã vạch hoặc nhập mã xác minh."))
    gtin = _gtin_of(text)
    if gtin is not None:
        candidates = db.session.scalars(products_with_gtin(gtin)).all()
        if not candidates:
            raise NotFound(_("Không có sản phẩm nào mang mã vạch %(gtin)s.", gtin=gtin))
        # A number shared by several listings: the one this centre holds.
        product = max(candidates, key=lambda p: held(centre.id, p.id) > 0)
        certificate = current_certificate(product)
    else:
        found = _VERIFY_PATH.search(text)
        code = found.group(1) if found else text
        verification = verify_code(code, today)
        if verification is None:
            raise NotFound(_("Không tìm thấy mã xác minh hoặc mã vạch này."))
        product = verification.certificate.product
        if verification.status is CertificateStatus.SUPERSEDED:
            raise NotSellable(
                _(
                    "Không bán: nhãn này mang chứng nhận đã được thay bằng kết quả đánh giá "
                    "lại. Dán nhãn mới của sản phẩm trước khi bán."
                ),
                product=product,
                certificate=verification.certificate,
                status=verification.status,
            )
        certificate = verification.certificate
    return _sellable(centre, product, certificate, today)


def _sellable(centre: Centre, product: Product, certificate, today: date) -> Scan:
    if certificate is None:
        raise NotSellable(
            _("Không bán: sản phẩm chưa có chứng nhận OCOP đã được xác minh."), product=product
        )
    status = certificate.status(today)
    if not status.is_valid:
        raise NotSellable(
            _refusal(Verification(certificate, status, today)),
            product=product,
            certificate=certificate,
            status=status,
        )
    units = held(centre.id, product.id)
    if units <= 0:
        raise NotSellable(
            _("Điểm bán không còn sản phẩm này trong kho."),
            product=product,
            certificate=certificate,
            status=status,
        )
    return Scan(product, certificate, status, units)


def basket_lines(centre: Centre, basket: Mapping[int, int], today: date) -> list[Scan]:
    """The basket's products, each checked again (a certificate may have been
    revoked since it was scanned); products in id order."""
    products = db.session.scalars(
        select(Product).where(Product.id.in_(list(basket))).order_by(Product.id)
    ).all()
    return [_sellable(centre, p, current_certificate(p), today) for p in products]


# -- the till: a sale -----------------------------------------------------------------


def record_sale(
    centre: Centre,
    cashier: User,
    basket: Mapping[int, int],
    method: TillPayment,
    token: str,
    today: date,
    *,
    age_confirmed: bool = False,
) -> TillSale:
    """Ring up a basket ({product id: quantity}): one receipt, its lines copied at
    today's price, each product's centre stock taken by a conditional UPDATE in
    product-id order with its ledger row. Raises NotSellable, CentreShort (roll
    back: nothing is taken) or CentreError; a reused ``token`` makes the receipt's
    unique key fail (IntegrityError: the caller looks the first one up)."""
    if not basket:
        raise CentreError(_("Chưa có sản phẩm nào trong giỏ."))
    for quantity in basket.values():
        _check_quantity(quantity)
    scans = basket_lines(centre, basket, today)
    if len(scans) != len(basket):
        raise CentreError(_("Một sản phẩm trong giỏ không còn tồn tại."))
    if any(s.product.is_alcohol for s in scans) and not age_confirmed:
        raise CentreError(_("Giỏ có đồ uống có cồn: xác nhận người mua đủ 18 tuổi trước khi bán."))
    sale = TillSale(
        centre_id=centre.id,
        sale_token=token,
        cashier_id=cashier.id,
        payment_method=method,
        total_vnd=0,
        age_confirmed=age_confirmed,
    )
    db.session.add(sale)
    db.session.flush()  # the token's unique key: a second submit stops here
    total = 0
    for s in scans:
        product, quantity = s.product, basket[s.product.id]
        stock.move(
            centre_id=centre.id,
            product=product,
            kind=MovementKind.SOLD,
            change=-quantity,
            actor=cashier,
            sale_id=sale.id,
        )
        line_total = product.price_vnd * quantity
        total += line_total
        sale.lines.append(
            TillSaleLine(
                product_id=product.id,
                producer_id=product.producer_id,
                product_name=product.name,
                gtin=product.gtin,
                certificate_code=s.certificate.verification_code,
                star_rank=s.certificate.star_rank,
                product_set_id=product.product_set_id,
                province_code=product.producer.province_code,
                unit_price_vnd=product.price_vnd,
                quantity=quantity,
                line_total_vnd=line_total,
            )
        )
    sale.total_vnd = total
    db.session.flush()
    return sale


def sale_by_token(token: str) -> TillSale | None:
    return db.session.scalar(select(TillSale).where(TillSale.sale_token == token))


# -- pick-up at a centre ---------------------------------------------------------------


def reserve_for_pickup(
    centre_id: int, lines: list[tuple[Product, int]], *, order_number: str, actor: User | None
) -> None:
    """Take a pick-up order's units off the centre's shelf (checkout, in the order's
    transaction): the conditional decrement and a ``picked_up`` ledger row per line,
    in product-id order. CentreShort when a line is not held in full: the caller
    rolls the whole order back."""
    for product, quantity in sorted(lines, key=lambda pair: pair[0].id):
        stock.move(
            centre_id=centre_id,
            product=product,
            kind=MovementKind.PICKED_UP,
            change=-quantity,
            actor=actor,
            note=order_number,
        )


def release_pickup(shipment, *, lines: list[tuple[int | None, int]], **_kwargs) -> None:
    """``orders.events.pickup_released``: a pick-up shipment was cancelled (by the
    buyer, staff, the producer, the unpaid-order clock or the pick-up clock); its
    units go back on the centre's shelf with a ``released`` row, in the same
    transaction. A product since deleted is skipped, as the online stock does."""
    products = {
        p.id: p
        for p in db.session.scalars(
            select(Product).where(Product.id.in_([pid for pid, _ in lines if pid is not None]))
        )
    }
    number = shipment.order.number or ""
    for product_id, quantity in sorted(
        ((pid, q) for pid, q in lines if pid in products), key=lambda pair: pair[0]
    ):
        stock.move(
            centre_id=shipment.pickup_centre_id,
            product=products[product_id],
            kind=MovementKind.RELEASED,
            change=quantity,
            actor=None,
            note=number,
        )


def pickup_by_code(centre: Centre, text: str) -> Shipment:
    """The pick-up shipment with this code at this centre; NotFound otherwise
    (another centre's code too: a centre sees only its own)."""
    code = normalise_pickup_code(text)
    shipment = (
        db.session.scalar(
            select(Shipment).where(
                Shipment.pickup_code == code, Shipment.pickup_centre_id == centre.id
            )
        )
        if code
        else None
    )
    if shipment is None:
        raise NotFound(_("Không có đơn nhận hàng nào với mã này tại điểm bán."))
    return shipment


def hand_over(centre: Centre, shipment: Shipment, actor: User) -> Shipment:
    """The buyer collected the order: the shipment moves to delivered through the
    orders' own transitions (confirmed, handed over, delivered; a cash order is
    paid as on delivery), ``collected_at`` is set and the hand-over audited. The
    units left the shelf when the order was placed. Flushes."""
    if shipment.pickup_centre_id != centre.id:
        raise NotFound(_("Không có đơn nhận hàng nào với mã này tại điểm bán."))
    if shipment.collected_at is not None:
        raise CentreError(_("Đơn này đã được giao cho khách."))
    if shipment.status == ShipmentStatus.CANCELLED:
        raise CentreError(_("Đơn này đã bị huỷ: không giao hàng."))
    now = utcnow()
    try:
        if shipment.status == ShipmentStatus.NEW:
            advance_shipment(
                shipment.id, ShipmentStatus.CONFIRMED, actor=actor, actor_label="centre", now=now
            )
        if shipment.status == ShipmentStatus.CONFIRMED:
            advance_shipment(
                shipment.id,
                ShipmentStatus.SHIPPED,
                actor=actor,
                actor_label="centre",
                carrier=centre.name[:80],
                tracking_number=shipment.pickup_code,
                now=now,
            )
        advance_shipment(
            shipment.id, ShipmentStatus.DELIVERED, actor=actor, actor_label="centre", now=now
        )
    except OrderActionError as exc:
        raise CentreError(exc.message) from exc
    shipment.collected_at = now
    record(actor, "centre.pickup_handover", shipment, centre_id=centre.id)
    db.session.flush()
    return shipment


def centre_by_id(centre_id: int | None) -> Centre | None:
    """A centre for a template (the order page's pick-up), or None."""
    return db.session.get(Centre, centre_id) if centre_id is not None else None
