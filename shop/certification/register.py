"""The certificate register: for staff every certificate, for the public every one
valid today (as provinces publish it), each filtered, paginated and exported as CSV.

A read side of its own, not ``queries.py``: the register is a document the provinces
publish, with its columns and status words fixed, and both views of it share them.

Status is derived from dates, so each staff status filter is the same rule written as
SQL (tested against ``Certificate.status`` for every status). The public register is
filterable by province (current, or former: "Hà Giang" under Tuyên Quang), commune
or ward, product set, star rank and year of the decision; paginated on the page and
whole in the CSV. Validity and status come from the certificate rules
(``Certificate.valid_on``, ``Certificate.status``, ``Certificate.valid_until``):
nothing here decides them again.
"""

from dataclasses import dataclass, replace
from datetime import date, timedelta

from sqlalchemy import Select, and_, case, func, select

from shop.catalog.models import Product, ProductSet
from shop.certification.models import Certificate, ReviewState
from shop.certification.rules import EXPIRY_WARNING_DAYS, CertificateStatus
from shop.clock import local_date
from shop.core.csvsafe import csv_bytes
from shop.extensions import db
from shop.localities import former as former_localities
from shop.localities.models import Province, Ward
from shop.producers.models import Producer

PAGE_SIZE = 50
FIRST_YEAR = 2018  # Decision 490/QĐ-TTg, 7 May 2018: the programme's start

# Status in words, as the CSV and the page print it (provinces publish words, not codes).
STATUS_WORDS = {
    CertificateStatus.PENDING: "Chờ xác minh",
    CertificateStatus.REJECTED: "Bị từ chối",
    CertificateStatus.ACTIVE: "Còn hiệu lực",
    CertificateStatus.EXPIRING: "Còn hiệu lực, sắp hết hạn",
    CertificateStatus.EXPIRED: "Hết hiệu lực",
    CertificateStatus.REVOKED: "Đã thu hồi",
    CertificateStatus.SUPERSEDED: "Đã được thay thế bằng quyết định đánh giá lại",
}


@dataclass(frozen=True)
class PublicFilter:
    """The filters of /certificates, parsed leniently: a bad value is dropped."""

    province: int | None = None
    former: str | None = None  # a former province's slug, within ``province``
    ward: int | None = None
    product_set: int | None = None
    stars: int | None = None
    year: int | None = None
    page: int = 1

    @classmethod
    def from_args(cls, args, today: date) -> "PublicFilter":
        def number(name, low, high):
            raw = str(args.get(name) or "").strip()
            if raw.isascii() and raw.isdigit() and low <= int(raw) <= high:
                return int(raw)
            return None

        raw_province = str(args.get("province") or "").strip()
        former = former_localities.former_province(raw_province) if raw_province else None
        province = former.province_code if former else number("province", 1, 10_000)
        ward = number("ward", 1, 10_000_000)
        if ward is not None and province is None:
            ward = None  # a ward means nothing without its province
        return cls(
            province=province,
            former=former.slug if former else None,
            ward=ward,
            product_set=number("set", 1, 1_000_000),
            stars=number("stars", 3, 5),
            year=number("year", FIRST_YEAR, today.year),
            page=number("page", 1, 100_000) or 1,
        )

    def args(self, **changes) -> dict:
        f = replace(self, **changes)
        out = {
            "province": f.former or f.province,
            "ward": f.ward,
            "set": f.product_set,
            "stars": f.stars,
            "year": f.year,
            "page": None if f.page == 1 else f.page,
        }
        return {k: v for k, v in out.items() if v is not None}


def public_query(f: PublicFilter, today: date) -> Select:
    """(Certificate, Product, Producer, Ward, Province, ProductSet) of every
    certificate valid today that matches the filter, newest decision first."""
    query = (
        select(Certificate, Product, Producer, Ward, Province, ProductSet)
        .join(Product, Product.id == Certificate.product_id)
        .join(Producer, Producer.id == Certificate.producer_id)
        .join(Ward, Ward.code == Producer.ward_code)
        .join(Province, Province.code == Producer.province_code)
        .join(ProductSet, ProductSet.id == Certificate.product_set_id)
        .where(Certificate.valid_on(today))
        .order_by(Certificate.decision_date.desc(), Certificate.id.desc())
    )
    if f.province is not None:
        query = query.where(Producer.province_code == f.province)
    if f.former is not None:
        query = query.where(Producer.ward_code.in_(former_localities.wards_formerly_in(f.former)))
    if f.ward is not None:
        query = query.where(Producer.ward_code == f.ward)
    if f.product_set is not None:
        query = query.where(Certificate.product_set_id == f.product_set)
    if f.stars is not None:
        query = query.where(Certificate.star_rank == f.stars)
    if f.year is not None:
        query = query.where(
            Certificate.decision_date >= date(f.year, 1, 1),
            Certificate.decision_date < date(f.year + 1, 1, 1),
        )
    return query


@dataclass(frozen=True)
class Entry:
    """One line of the register, read from one query (no lazy loads)."""

    certificate: Certificate
    product_name: str
    producer_name: str
    street: str
    ward_name: str
    province_name: str
    former_province: str  # "" when the province was not merged or is unknown
    product_set: str
    status: CertificateStatus

    @property
    def status_words(self) -> str:
        return STATUS_WORDS[self.status]


def _entries(rows, today: date) -> list[Entry]:
    out = []
    for certificate, product, producer, ward, province, product_set in rows:
        former = former_localities.former_province_of(producer.ward_code)
        out.append(
            Entry(
                certificate=certificate,
                product_name=product.name,
                producer_name=producer.legal_name,
                street=producer.street,
                ward_name=ward.name,
                province_name=province.name,
                former_province=former.name if former else "",
                product_set=f"{product_set.code} {product_set.name_vi}",
                status=certificate.status(today),
            )
        )
    return out


@dataclass
class RegisterPage:
    entries: list[Entry]
    total: int
    page: int
    pages: int


def register_page(f: PublicFilter, today: date, page_size: int = PAGE_SIZE) -> RegisterPage:
    query = public_query(f, today)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.execute(query.limit(page_size).offset((f.page - 1) * page_size)).all()
    pages = max(1, -(-total // page_size))
    return RegisterPage(_entries(rows, today), total, f.page, pages)


def all_entries(f: PublicFilter, today: date) -> list[Entry]:
    return _entries(db.session.execute(public_query(f, today)).all(), today)


PUBLIC_CSV_COLUMNS = [
    "STT",
    "Mã xác thực",
    "Sản phẩm",
    "Chủ thể",
    "Địa chỉ",
    "Xã/phường",
    "Tỉnh/thành phố",
    "Tỉnh/thành phố cũ",
    "Hạng sao",
    "Số quyết định",
    "Ngày quyết định",
    "Cơ quan ban hành",
    "Hiệu lực đến hết ngày",
    "Tình trạng",
]


def public_csv(entries: list[Entry]) -> bytes:
    """UTF-8 with a BOM through the shared writer (producers type these names)."""
    rows = []
    for n, e in enumerate(entries, start=1):
        c = e.certificate
        rows.append(
            [
                n,
                c.verification_code,
                e.product_name,
                e.producer_name,
                e.street,
                e.ward_name,
                e.province_name,
                e.former_province,
                c.star_rank,
                c.decision_number,
                c.decision_date.strftime("%d/%m/%Y"),
                c.issuer_name,
                c.valid_through.strftime("%d/%m/%Y"),
                e.status_words,
            ]
        )
    return csv_bytes(PUBLIC_CSV_COLUMNS, rows)


# --- The staff register ------------------------------------------------------------


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
