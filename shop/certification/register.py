"""The certificate register: every certificate, filtered, and exported as CSV.

Status is derived from dates, so each status filter is the same rule written as
SQL (tested against ``Certificate.status`` for every status).
"""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, case, func, select

from shop.catalog.models import Product
from shop.certification.models import Certificate, ReviewState
from shop.certification.public_register import STATUS_WORDS
from shop.certification.rules import EXPIRY_WARNING_DAYS, CertificateStatus
from shop.clock import local_date
from shop.core.csvsafe import csv_bytes
from shop.extensions import db
from shop.localities import former as former_localities
from shop.producers.models import Producer


def status_condition(status: CertificateStatus, today: date):
    verified = and_(Certificate.review == ReviewState.VERIFIED, Certificate.revoked_at.is_(None))
    current = and_(verified, Certificate.superseded_by_id.is_(None))
    soon = today + timedelta(days=EXPIRY_WARNING_DAYS)
    return {
        CertificateStatus.PENDING: Certificate.review == ReviewState.PENDING,
        CertificateStatus.REJECTED: Certificate.review == ReviewState.REJECTED,
        CertificateStatus.REVOKED: and_(
            Certificate.review == ReviewState.VERIFIED, Certificate.revoked_at.is_not(None)
        ),
        CertificateStatus.SUPERSEDED: and_(verified, Certificate.superseded_by_id.is_not(None)),
        CertificateStatus.EXPIRED: and_(current, Certificate.valid_through < today),
        CertificateStatus.EXPIRING: and_(
            current, Certificate.valid_through >= today, Certificate.valid_through <= soon
        ),
        CertificateStatus.ACTIVE: and_(current, Certificate.valid_through > soon),
    }[status]


@dataclass(frozen=True)
class RegisterFilter:
    province: int | None = None
    former: str | None = None  # a former province's slug ("ha-giang"), within ``province``
    product_set: int | None = None
    stars: int | None = None
    status: CertificateStatus | None = None
    expires_within: int | None = None  # days from today to the last valid day

    @classmethod
    def from_args(cls, args) -> "RegisterFilter":
        def number(name, low, high):
            raw = (args.get(name) or "").strip()
            if raw.isascii() and raw.isdigit() and low <= int(raw) <= high:
                return int(raw)
            return None

        try:
            status = CertificateStatus(args.get("status")) if args.get("status") else None
        except ValueError:
            status = None
        raw_province = (args.get("province") or "").strip()
        former = former_localities.former_province(raw_province) if raw_province else None
        return cls(
            province=former.province_code if former else number("province", 1, 100_000),
            former=former.slug if former else None,
            product_set=number("set", 1, 1_000_000),
            stars=number("stars", 3, 5),
            status=status,
            expires_within=number("expires_within", 1, 3650),
        )

    def args(self) -> dict:
        out = {
            "province": self.former or self.province,
            "set": self.product_set,
            "stars": self.stars,
            "status": self.status.value if self.status else None,
            "expires_within": self.expires_within,
        }
        return {k: v for k, v in out.items() if v is not None}


def register_query(f: RegisterFilter, today: date):
    query = (
        select(Certificate)
        .join(Producer, Producer.id == Certificate.producer_id)
        .order_by(Certificate.valid_through, Certificate.id)
    )
    if f.province is not None:
        query = query.where(Producer.province_code == f.province)
    if f.former is not None:
        query = query.where(Producer.ward_code.in_(former_localities.wards_formerly_in(f.former)))
    if f.product_set is not None:
        query = query.where(Certificate.product_set_id == f.product_set)
    if f.stars is not None:
        query = query.where(Certificate.star_rank == f.stars)
    if f.status is not None:
        query = query.where(status_condition(f.status, today))
    if f.expires_within is not None:
        query = query.where(
            status_condition(CertificateStatus.ACTIVE, today)
            | status_condition(CertificateStatus.EXPIRING, today),
            Certificate.valid_through <= today + timedelta(days=f.expires_within),
        )
    return query


# The public register's columns (address, commune/ward, former province, status in
# words) and the staff's own (status code, score, level, legal basis, revocation).
CSV_COLUMNS = [
    "Mã xác thực",
    "Trạng thái",
    "Sản phẩm",
    "Chủ thể",
    "Địa chỉ",
    "Xã/phường",
    "Tỉnh/thành phố",
    "Tỉnh/thành phố cũ",
    "Bộ sản phẩm",
    "Hạng sao",
    "Điểm",
    "Số quyết định",
    "Ngày quyết định",
    "Cơ quan ban hành",
    "Cấp",
    "Căn cứ pháp lý",
    "Hiệu lực đến hết ngày",
    "Tình trạng",
    "Thu hồi ngày",
    "Lý do thu hồi",
]


def register_csv(certificates, today: date) -> bytes:
    """The register for Excel, through the shared writer: producers type these
    names, so a name starting with "=" must stay text."""
    rows = []
    for c in certificates:
        product: Product = c.product
        producer = product.producer
        status = c.status(today)
        former = former_localities.former_province_of(producer.ward_code)
        rows.append(
            [
                c.verification_code,
                status.value,
                product.name,
                producer.legal_name,
                producer.street,
                producer.ward.name,
                producer.province.name,
                former.name if former else "",
                f"{c.product_set.code} {c.product_set.name_vi}",
                c.star_rank,
                c.score,
                c.decision_number,
                c.decision_date.strftime("%d/%m/%Y"),
                c.issuer_name,
                c.issuer_level.value,
                c.legal_basis,
                c.valid_through.strftime("%d/%m/%Y"),
                STATUS_WORDS[status],
                local_date(c.revoked_at).strftime("%d/%m/%Y") if c.revoked_at else "",
                c.revocation_reason,
            ]
        )
    return csv_bytes(CSV_COLUMNS, rows)


def expiry_watch(today: date) -> list[dict]:
    """Per province: certificates whose last valid day is within 30, 60, 90 days,
    and expired ones."""
    current = and_(
        Certificate.review == ReviewState.VERIFIED,
        Certificate.revoked_at.is_(None),
        Certificate.superseded_by_id.is_(None),
    )

    def within(days):
        soon = and_(
            Certificate.valid_through >= today,
            Certificate.valid_through <= today + timedelta(days=days),
        )
        return func.sum(case((soon, 1), else_=0))

    expired = func.sum(case((Certificate.valid_through < today, 1), else_=0))
    from shop.localities.models import Province

    rows = db.session.execute(
        select(Province.code, Province.name, within(30), within(60), within(90), expired)
        .join(Producer, Producer.province_code == Province.code)
        .join(Certificate, Certificate.producer_id == Producer.id)
        .where(current)
        .group_by(Province.code, Province.name)
        .order_by(Province.name)
    ).all()
    return [
        {
            "code": code,
            "province": name,
            "d30": a or 0,
            "d60": b or 0,
            "d90": c or 0,
            "expired": e or 0,
        }
        for code, name, a, b, c, e in rows
    ]
