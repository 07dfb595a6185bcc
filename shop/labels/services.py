"""Label use cases: who may print which certificate, what goes on it, the print log."""

import unicodedata
from datetime import date
from urllib.parse import urlsplit

from sqlalchemy import func, select

from shop.auth.models import User
from shop.certification.models import Certificate, ReviewState
from shop.certification.rules import CertificateStatus
from shop.extensions import db
from shop.labels.layout import LabelContent
from shop.labels.models import LabelPrint
from shop.producers.services import producer_of
from shop.text import fold


class LabelError(Exception):
    pass


class NoSuchLabel(LabelError):
    """Unknown code, or a certificate of another producer: both answer 404."""


class NotPrintable(LabelError):
    """Pending, expired, revoked or superseded: never labelled."""

    def __init__(self, status: CertificateStatus):
        super().__init__(status.value)
        self.status = status


def printable_certificate(code: str, user: User, today: date) -> Certificate:
    certificate = db.session.scalar(
        select(Certificate).where(Certificate.verification_code == code.strip().upper())
    )
    if certificate is None:
        raise NoSuchLabel(code)
    if not user.is_staff:
        producer = producer_of(user)
        if producer is None or producer.id != certificate.producer_id:
            raise NoSuchLabel(code)
    status = certificate.status(today)
    if certificate.review != ReviewState.VERIFIED or not status.is_valid:
        raise NotPrintable(status)
    return certificate


def short_verify_url(configured: str, public_base_url: str) -> str:
    """Where a buyer types the code: the configured address, else the public host
    and "/verify" ("https://www.cho-ocop.vn" -> "cho-ocop.vn/verify")."""
    if configured.strip():
        return configured.strip()
    host = urlsplit(public_base_url).netloc.removeprefix("www.")
    return f"{host}/verify"


def label_content(certificate: Certificate, verify_url: str, short_url: str = "") -> LabelContent:
    product = certificate.product
    producer = product.producer
    return LabelContent(
        code=certificate.verification_code,
        verify_url=verify_url,
        # NFC: one code point per Vietnamese letter, whatever the keyboard produced.
        product_name=unicodedata.normalize("NFC", product.name),
        producer_name=unicodedata.normalize("NFC", producer.legal_name),
        province=producer.province.name,
        pack=product.pack,
        stars=certificate.star_rank,
        year=certificate.decision_date.year,
        decision_number=certificate.decision_number,
        issuer=unicodedata.normalize("NFC", certificate.issuer_name),
        short_url=short_url,
        valid_until=certificate.valid_until,
        gtin=product.gtin,
        artwork=_artwork_image(producer.province_code),
    )


def _artwork_image(province_code: int) -> bytes | None:
    """The official artwork's PNG, or None (our own emblem) when there is none.

    A storage outage is not "none": it propagates (a 503), so that no label is
    printed with the wrong mark.
    """
    from shop.labels.artwork import artwork_for
    from shop.storage import MissingFile, storage

    artwork = artwork_for(province_code)
    if artwork is None:
        return None
    try:
        return storage().read(artwork.path)
    except MissingFile:
        return None


def record_print(
    certificate: Certificate, user: User, fmt: str, quantity: int, layout: str | None = None
) -> LabelPrint:
    entry = LabelPrint(
        certificate_id=certificate.id,
        product_id=certificate.product_id,
        user_id=user.id,
        format=fmt,
        layout=layout,
        quantity=quantity,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def labels_printed(certificate_id: int) -> int:
    return db.session.execute(
        select(func.coalesce(func.sum(LabelPrint.quantity), 0)).where(
            LabelPrint.certificate_id == certificate_id
        )
    ).scalar_one()


def download_name(content: LabelContent, suffix: str) -> str:
    base = "-".join(fold(content.product_name).split())[:60] or "nhan"
    return f"nhan-ocop-{base}-{content.code}.{suffix}"


def print_offset(producer) -> tuple[float, float]:
    """The producer's printer shift to undo, in mm (right, down); none for staff."""
    if producer is None:
        return (0.0, 0.0)
    return (producer.label_offset_x / 10, producer.label_offset_y / 10)


def set_print_offset(producer, x_mm, y_mm) -> None:
    """Store the offset measured on the calibration page, to a tenth of a millimetre."""
    from decimal import ROUND_HALF_UP, Decimal

    from shop.labels.layout import MAX_OFFSET

    tenths = []
    for value in (x_mm, y_mm):
        value = Decimal(str(value))
        if not -MAX_OFFSET <= value <= MAX_OFFSET:
            raise ValueError(value)
        tenths.append(int((value * 10).quantize(Decimal(1), rounding=ROUND_HALF_UP)))
    producer.label_offset_x, producer.label_offset_y = tenths
    db.session.flush()


def printable_certificates(producer, today: date) -> list[Certificate]:
    """The producer's certificates that may be labelled today."""
    candidates = db.session.scalars(
        select(Certificate)
        .where(Certificate.producer_id == producer.id, Certificate.valid_on(today))
        .order_by(Certificate.decision_date.desc())
    ).all()
    return [c for c in candidates if c.status(today).is_valid]
