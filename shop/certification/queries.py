"""Certification's read side: what the public may see and buy today (the listing
rule: verified producer, published product, a certificate valid today), the card a
listed product shows, a product's current certificate, and what the QR code on a
package answers (is this certificate real and valid today?).
"""

import unicodedata
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, select

from shop.catalog.gtin import InvalidGtin, normalize_gtin13
from shop.catalog.models import Product, ProductPhoto, ProductStatus
from shop.catalog.services import products_with_gtin
from shop.certification.models import CODE_ALPHABET, Certificate, ReviewState
from shop.certification.rules import CertificateStatus
from shop.clock import local_date, today_vn
from shop.extensions import db
from shop.i18n import format_date_vn
from shop.localities.models import Province, short_province_name
from shop.producers.models import Producer, ProducerStatus
from shop.text import fold

# The public word for each status. A superseded certificate is no longer valid: the
# public status says expired, and ``replaced_by`` points to the re-rating.
PUBLIC_STATUS = {
    CertificateStatus.ACTIVE: "valid",
    CertificateStatus.EXPIRING: "expiring",
    CertificateStatus.EXPIRED: "expired",
    CertificateStatus.SUPERSEDED: "expired",
    CertificateStatus.REVOKED: "revoked",
}

# The big word on the verify page, per status.
VERDICT_WORDS = {
    CertificateStatus.ACTIVE: _l("CÒN HIỆU LỰC"),
    CertificateStatus.EXPIRING: _l("SẮP HẾT HẠN"),
    CertificateStatus.EXPIRED: _l("HẾT HIỆU LỰC"),
    CertificateStatus.SUPERSEDED: _l("HẾT HIỆU LỰC"),
    CertificateStatus.REVOKED: _l("ĐÃ THU HỒI"),
}


@dataclass(frozen=True)
class Verification:
    certificate: Certificate
    status: CertificateStatus
    today: date

    @property
    def public_status(self) -> str:
        return PUBLIC_STATUS[self.status]

    @property
    def replaced_by(self) -> Certificate | None:
        return self.certificate.superseded_by

    @property
    def verdict(self):
        return VERDICT_WORDS[self.status]

    @property
    def explanation(self) -> str:
        """The sentence under the verdict."""
        c, status = self.certificate, self.status
        if status is CertificateStatus.ACTIVE:
            return _(
                "Chứng nhận thật, còn hiệu lực đến hết ngày %(d)s.", d=format_date_vn(c.valid_until)
            )
        if status is CertificateStatus.EXPIRING:
            return _(
                "Chứng nhận thật, nhưng chỉ còn hiệu lực đến hết ngày %(d)s.",
                d=format_date_vn(c.valid_until),
            )
        if status is CertificateStatus.REVOKED:
            return _(
                "Chứng nhận đã bị thu hồi ngày %(d)s. Lý do: %(r)s",
                d=format_date_vn(c.revoked_at),
                r=c.revocation_reason,
            )
        if status is CertificateStatus.SUPERSEDED:
            return _("Sản phẩm đã được đánh giá lại; chứng nhận này được thay bằng chứng nhận mới.")
        return _(
            "Chứng nhận đã hết hạn ngày %(d)s. Sản phẩm không còn là sản phẩm OCOP được công nhận.",
            d=format_date_vn(c.expires_on),
        )

    @property
    def shows_replacement(self) -> bool:
        return self.status is CertificateStatus.SUPERSEDED and self.replaced_by is not None


# What a buyer types is read with one meaning per character: codes have 0 and 1 but
# never O, I or L (models.CODE_ALPHABET), so O is 0 and I, L are 1.
LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
GROUP = 5  # characters per group where a code is printed or shown for typing


def normalize_code(typed: str | None) -> str:
    """The code a buyer meant: without spaces, dashes, dots or other separators,
    upper case, full-width digits of a phone keyboard as ASCII, and each look-alike
    read as the one character that codes contain ("32jy 9w8m-f5", "O" for "0")."""
    # fold: a Vietnamese keyboard may add a mark (Đ for D, Ú for U).
    text = fold(unicodedata.normalize("NFKC", typed or "")).upper()
    return "".join(c for c in text if c.isascii() and c.isalnum()).translate(LOOK_ALIKES)


def is_code_shaped(code: str) -> bool:
    return 0 < len(code) <= 16 and set(code) <= set(CODE_ALPHABET)


def group_code(code: str) -> str:
    """ "32JY9W8MF5" -> "32JY9 W8MF5": printed and shown in groups, typed any way."""
    return " ".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def verify_code(code: str, today: date) -> Verification | None:
    """The public answer for a verification code, typed any forgiving way; None when
    no verified certificate has it (pending and rejected submissions are not
    certificates)."""
    code = normalize_code(code)
    if not is_code_shaped(code):
        return None
    certificate = db.session.scalar(
        select(Certificate).where(
            Certificate.verification_code == code, Certificate.review == ReviewState.VERIFIED
        )
    )
    if certificate is None:
        return None
    return Verification(certificate, certificate.status(today), today)


def code_for_gtin14(gtin14: str) -> str | None:
    """GS1 Digital Link ``/01/<GTIN-14>``: the current certificate of the product
    carrying that GTIN (a GTIN-13 is the GTIN-14 without its leading zero)."""
    if len(gtin14) != 14 or not gtin14.startswith("0"):
        return None
    try:
        gtin13 = normalize_gtin13(gtin14[1:])
    except InvalidGtin:
        return None
    # Several products may share a GTIN: the owner's first, then by age (see there).
    for product in db.session.scalars(products_with_gtin(gtin13)):
        certificate = current_certificate(product)
        if certificate is not None:
            return certificate.verification_code
    return None


def as_json(v: Verification, product_url: str | None) -> dict:
    c = v.certificate
    product = c.product
    producer = product.producer
    return {
        "code": c.verification_code,
        "status": v.public_status,
        "checked_on": v.today.isoformat(),
        "product": {"name": product.name, "url": product_url},
        "producer": {"name": producer.legal_name, "province": producer.province.name},
        "star_rank": c.star_rank,
        "decision": {
            "number": c.decision_number,
            "date": c.decision_date.isoformat(),
            "issuer": c.issuer_name,
            "issuer_level": c.issuer_level.value,
            "legal_basis": c.legal_basis,
        },
        # Dates are days in Vietnam (Asia/Ho_Chi_Minh), ISO 8601. The certificate
        # is valid from the decision date through ``valid_through``, both included.
        "valid_from": c.decision_date.isoformat(),
        "valid_through": c.valid_through.isoformat(),
        "valid_until": c.valid_through.isoformat(),  # the older name, same day
        "revoked": (
            {"on": local_date(c.revoked_at).isoformat(), "reason": c.revocation_reason}
            if c.revoked_at
            else None
        ),
        "replaced_by": v.replaced_by.verification_code if v.replaced_by else None,
    }


# --- The listing --------------------------------------------------------------------


def listed(today: date) -> Select:
    """(Product, Certificate) of every product the public may see and buy today."""
    return (
        select(Product, Certificate)
        .join(Producer, Producer.id == Product.producer_id)
        .join(Province, Province.code == Producer.province_code)
        .join(Certificate, and_(Certificate.product_id == Product.id, Certificate.valid_on(today)))
        .where(
            Producer.status == ProducerStatus.VERIFIED, Product.status == ProductStatus.PUBLISHED
        )
    )


@dataclass(frozen=True, slots=True)
class Card:
    """What a product card shows, read as plain columns (no ORM objects to build):
    a catalogue page is 24 of these from a single query."""

    id: int
    slug: str
    name: str
    price_vnd: int
    stock: int
    stars: int
    producer_name: str
    province_name: str
    thumb_path: str | None

    @property
    def in_stock(self) -> bool:
        return self.stock > 0

    @property
    def province(self) -> str:
        return short_province_name(self.province_name)


def _first_thumb():
    return (
        select(ProductPhoto.thumb_path)
        .where(ProductPhoto.product_id == Product.id)
        .order_by(ProductPhoto.position, ProductPhoto.id)
        .limit(1)
        .scalar_subquery()
    )


def cards(query: Select) -> list[Card]:
    query = query.with_only_columns(
        Product.id,
        Product.slug,
        Product.name,
        Product.price_vnd,
        Product.stock,
        Certificate.star_rank,
        Producer.legal_name,
        Province.name,
        _first_thumb(),
    )
    return [Card(*row) for row in db.session.execute(query)]


def current_certificate(product: Product) -> Certificate | None:
    """The certificate that covers the product now, valid or not (expired,
    revoked): the newest verified one that no re-rating replaced."""
    return db.session.scalar(
        select(Certificate)
        .where(
            Certificate.product_id == product.id,
            Certificate.review == ReviewState.VERIFIED,
            Certificate.superseded_by_id.is_(None),
        )
        .order_by(Certificate.decision_date.desc(), Certificate.id.desc())
        .limit(1)
    )


def pending_product_ids(product_ids) -> set[int]:
    """Which of these products have a certificate waiting for staff to verify it."""
    ids = list(product_ids)
    if not ids:
        return set()
    return set(
        db.session.scalars(
            select(Certificate.product_id).where(
                Certificate.product_id.in_(ids), Certificate.review == ReviewState.PENDING
            )
        )
    )


def certificate_pending(product: Product) -> bool:
    """Has the product a certificate waiting for verification? Pages tell that apart
    from a product that never had one (a template helper, registered by create_app)."""
    return product.id in pending_product_ids([product.id])


@dataclass(frozen=True)
class Standing:
    """What a producer needs to know of a product's certificate: the current verified
    one's status (None: never verified) and whether another waits for verification."""

    status: CertificateStatus | None
    pending: bool

    @property
    def listed(self) -> bool:
        return self.status is not None and self.status.is_valid


def certificate_on_product_form(product: Product) -> dict:
    """The producer's product page shows the product's current certificate
    (connected to ``catalog.producer.product_form_shown`` by create_app)."""
    certificate = current_certificate(product)
    today = today_vn()
    return {
        "certificate": certificate,
        "standing": Standing(
            certificate.status(today) if certificate else None, certificate_pending(product)
        ),
    }


def standings_of(products) -> dict:
    """The producer's product list: a Standing per product id, in two queries
    (connected to ``catalog.producer.products_listed`` by create_app)."""
    ids = [p.id for p in products]
    if not ids:
        return {"standings": {}}
    today = today_vn()
    current = {}
    for certificate in db.session.scalars(
        select(Certificate)
        .where(
            Certificate.product_id.in_(ids),
            Certificate.review == ReviewState.VERIFIED,
            Certificate.superseded_by_id.is_(None),
        )
        .order_by(Certificate.decision_date, Certificate.id)
    ):
        current[certificate.product_id] = certificate  # the newest wins
    pending = pending_product_ids(ids)
    return {
        "standings": {
            i: Standing(current[i].status(today) if i in current else None, i in pending)
            for i in ids
        }
    }


def is_listed(product_id: int, today: date) -> bool:
    return (
        db.session.scalar(
            listed(today).where(Product.id == product_id).with_only_columns(Product.id)
        )
        is not None
    )
