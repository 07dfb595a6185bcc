"""Demo and bulk catalogues. Idempotent; refused outside development and testing."""

import functools
import random
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import func, insert, select, text

from shop.auth import services as auth
from shop.auth.models import Role, User
from shop.catalog import services as catalog
from shop.catalog.models import Product, ProductSet, ProductStatus
from shop.certification.models import Certificate, IssuerLevel, ReviewState, new_verification_code
from shop.certification.rules import VALIDITY_MONTHS, last_valid_day
from shop.certification.services import (
    revoke_certificate,
    submit_certificate,
    verify_certificate,
)
from shop.clock import utcnow
from shop.demo import data
from shop.demo.photos import product_photo
from shop.extensions import db
from shop.producers import services as producers
from shop.producers.models import Producer, ProducerKind, ProducerStatus
from shop.text import fold, slugify
from shop.uploads import reencode_variants, store_bytes

LEGAL_BASIS = "148/QĐ-TTg (24/02/2023)"


def _user(email: str, name: str, role: Role) -> User:
    user = auth.find_user_by_email(email)
    if user is None:
        user = auth.register_user(email, data.DEMO_PASSWORD, name, role)
    return user


def _decision_date(state: str, today: date, n: int) -> date:
    """A decision date that gives the certificate state wanted today."""
    if state == "expiring":
        return today - relativedelta(months=VALIDITY_MONTHS) + timedelta(days=12 + n % 10)
    if state == "expired":
        return today - relativedelta(months=VALIDITY_MONTHS + 2 + n % 6)
    return today - relativedelta(months=3 + (n * 7) % 24, days=n % 20)


def _issuer(stars: int, decided: date, province_name: str) -> tuple[IssuerLevel, str]:
    if stars == 5:
        return IssuerLevel.CENTRAL, "Bộ Nông nghiệp và Môi trường"
    if stars == 3 and decided < date(2025, 7, 1):
        return IssuerLevel.DISTRICT, f"UBND huyện thuộc {province_name}"
    return IssuerLevel.PROVINCE, f"UBND {province_name}"


def _certify(product, producer, owner, staff, stars, state, today, n) -> None:
    if state == "none":
        return
    decided = _decision_date(state, today, n)

    def submit(star_rank, decision_date, number):
        lvl, iss = _issuer(star_rank, decision_date, producer.province.name)
        return submit_certificate(
            producer,
            product,
            owner,
            {
                "star_rank": star_rank,
                "score": {3: 60 + n % 9, 4: 72 + n % 15, 5: 91 + n % 8}[star_rank],
                "decision_number": f"{number}/QĐ-UBND"
                if lvl != IssuerLevel.CENTRAL
                else f"{number}/QĐ-BNNMT",
                "decision_date": decision_date,
                "issuer_level": lvl,
                "issuer_name": iss,
                "legal_basis": LEGAL_BASIS,
                "product_set_id": product.product_set_id,
            },
        )

    if state == "rerated":  # an older, lower rating superseded by a re-rating
        old = submit(3, today - relativedelta(months=VALIDITY_MONTHS - 1), 900 + n)
        verify_certificate(old, staff, today)
        stars = max(stars, 4)
    certificate = submit(stars, decided, 1200 + n)
    if state != "pending":
        verify_certificate(certificate, staff, today)
    if state == "revoked":
        revoke_certificate(certificate, staff, "Không đạt khi đánh giá lại theo Bộ tiêu chí OCOP")


@functools.cache
def _photo_variants(name: str, industry: str, variant: int) -> tuple[tuple[bytes, int, int], ...]:
    """The photo and its thumbnail, as an upload makes them. The same bytes each
    time: a process that seeds more than once (the tests) draws and encodes once."""
    return tuple(reencode_variants(product_photo(name, industry, variant), (1600, 400)))


def _photos(product: Product, industry: str, count: int) -> None:
    for variant in range(count):
        (full, width, height), (thumb, _w, _h) = _photo_variants(product.name, industry, variant)
        catalog.add_photo(
            product,
            path=store_bytes(full, "photos", "image/webp").path,
            thumb_path=store_bytes(thumb, "photos", "image/webp").path,
            width=width,
            height=height,
        )


def missing_localities() -> list[tuple[int, int]]:
    """The (province, ward) codes of the demo producers that the database lacks."""
    from shop.localities.models import Ward

    wanted = {(p["profile"]["province_code"], p["profile"]["ward_code"]) for p in data.PRODUCERS}
    found = set(
        db.session.execute(
            select(Ward.province_code, Ward.code).where(Ward.code.in_([w for _p, w in wanted]))
        ).all()
    )
    return sorted(wanted - found)


def seed_demo(today: date) -> dict:
    """The demo catalogue. Returns counts of what it added (all zero on a second run)."""
    staff = _user(*data.STAFF, Role.STAFF)
    _user(*data.ADMIN, Role.ADMIN)
    _user(*data.CUSTOMER, Role.CUSTOMER)
    sets = {s.code: s for s in db.session.scalars(select(ProductSet))}
    added = {"producers": 0, "products": 0}
    n = 0
    for spec in data.PRODUCERS:
        owner_email, owner_name = spec["owner"]
        owner = _user(owner_email, owner_name, Role.CUSTOMER)
        producer = db.session.scalar(
            select(Producer).where(Producer.legal_name == spec["profile"]["legal_name"])
        )
        if producer is None:
            producer = producers.register_producer(owner, spec["profile"])
            producers.verify_producer(producer, staff)
            added["producers"] += 1
        for name, set_code, price, stock, unit, net, stars, state, description in spec["products"]:
            n += 1
            if db.session.scalar(select(Product.id).where(Product.name == name)):
                continue
            product = catalog.create_product(
                producer,
                name=name,
                product_set_id=sets[set_code].id,
                price_vnd=price,
                stock=stock,
                unit=unit,
                net_quantity=net,
                description=description,
                abv_tenths=data.ABV_TENTHS.get(name),
            )
            if state != "none":
                catalog.publish_product(product)
                product.published_at = utcnow() - timedelta(hours=n * 7)
            _photos(product, set_code.split(".")[0], 1 + n % 3)
            _certify(product, producer, owner, staff, stars, state, today, n)
            added["products"] += 1
    db.session.flush()
    added["orders"] = _demo_orders(today, staff)
    added["centres"] = _demo_centre(today, staff)
    return added


def _demo_centre(today: date, staff) -> int:
    """A sales centre with its cashier and the cooperative's goods on its shelf."""
    from shop.centres import services as centres
    from shop.centres.models import Centre
    from shop.certification.queries import listed

    if db.session.scalar(select(Centre.id).limit(1)) is not None:
        return 0
    owner_email = data.PRODUCERS[0]["owner"][0]
    coop = db.session.scalar(
        select(Producer).where(Producer.legal_name == data.PRODUCERS[0]["profile"]["legal_name"])
    )
    if coop is None:
        return 0
    centre = centres.create_centre(
        {**data.CENTRE, "province_code": coop.province_code, "ward_code": coop.ward_code}, staff
    )
    cashier = _user(*data.CENTRE_STAFF, Role.CUSTOMER)
    centres.assign_staff(centre, cashier.email, staff)
    owner = db.session.scalar(select(User).where(User.email == owner_email))
    if owner is None:
        return 0
    rows = db.session.execute(
        listed(today).where(Product.producer_id == coop.id).order_by(Product.id).limit(3)
    ).all()
    for product, _certificate in rows:
        centres.consign(
            coop, centre, product, data.CENTRE_UNITS, owner, from_online=False, note="Demo"
        )
    db.session.commit()
    return 1


def _demo_orders(today: date, staff) -> int:
    """Three orders of the demo customer, so producer and staff pages have work:
    cash on delivery, an unpaid transfer, and a transfer already received."""
    import secrets

    from shop.cart.services import build_view
    from shop.certification.queries import listed
    from shop.checkout.services import CheckoutError, Contact, place_order, remember_address
    from shop.orders.models import Order, PaymentMethod
    from shop.payments.services import record_transfer

    if db.session.scalar(select(Order.id).limit(1)) is not None:
        return 0
    customer = db.session.scalar(select(User).where(User.email == data.CUSTOMER[0]))
    if customer is None:
        return 0
    rows = db.session.execute(listed(today).order_by(Product.id).limit(6)).all()
    products = [row[0] for row in rows if row[0].stock >= 5 and row[0].ships_as_parcel]
    if len(products) < 3:
        return 0
    contact = Contact(
        customer_name=customer.full_name,
        phone="0912345678",
        email=customer.email,
        province_code=products[0].producer.province_code,
        ward_code=products[0].producer.ward_code,
        street="Số 5 đường Nguyễn Trãi",
    )
    remember_address(customer.id, contact)
    plans = [
        ({products[0].id: 2, products[1].id: 1}, PaymentMethod.COD),
        ({products[2].id: 1}, PaymentMethod.VIETQR),
        ({products[0].id: 1}, PaymentMethod.VIETQR),
    ]
    made = []
    for lines, method in plans:
        try:
            order, _created = place_order(
                lines=lines,
                contact=contact,
                payment_method=method,
                token=secrets.token_urlsafe(32),
                user=customer,
                today=today,
                expected_total_vnd=build_view(lines, today)
                .ship_to(contact.province_code)
                .total_vnd,
                adult_confirmed=True,  # the demo customer is an adult
            )
        except CheckoutError:
            continue
        db.session.commit()
        made.append(order)
    if len(made) == 3:
        record_transfer(made[2].id, made[2].total_vnd, "FT26DEMO", staff)
        db.session.commit()
    return len(made)


# --- A large synthetic catalogue for benchmarks -----------------------------------------

_WORDS = [
    "Chè",
    "Mật ong",
    "Cà phê",
    "Nước mắm",
    "Gạo",
    "Rượu",
    "Mứt",
    "Miến",
    "Bánh",
    "Nấm",
    "Tinh dầu",
    "Trà",
    "Măng",
    "Tương",
    "Tỏi",
    "Gốm",
    "Lụa",
    "Mây tre",
    "Hạt điều",
    "Tiêu",
]
_ADJECTIVES = [
    "Shan Tuyết",
    "bạc hà",
    "rừng",
    "đặc sản",
    "hữu cơ",
    "truyền thống",
    "sấy dẻo",
    "rang xay",
    "cổ thụ",
    "nếp cái",
    "thơm",
    "ông bà",
    "Tây Bắc",
    "miền núi",
    "làng nghề",
    "thủ công",
]


def seed_bulk(products: int, today: date, batch: int = 5000) -> int:
    """Insert ``products`` listed products (with producers and valid certificates) fast:
    core bulk inserts, no photos. Returns how many products were added."""
    rng = random.Random(products)  # noqa: S311 - synthetic data, not security
    staff = _user(*data.STAFF, Role.STAFF)
    sets = list(db.session.scalars(select(ProductSet)))
    ward_rows = db.session.execute(
        text("SELECT code, province_code FROM wards ORDER BY code")
    ).all()
    start = db.session.scalar(select(func.count()).select_from(Product)) or 0
    producer_count = max(1, products // 100)
    producer_rows = []
    for i in range(producer_count):
        ward, province = ward_rows[(i * 7919) % len(ward_rows)]
        kind = (ProducerKind.COOPERATIVE, ProducerKind.ENTERPRISE, ProducerKind.HOUSEHOLD)[i % 3]
        name = f"Hợp tác xã {rng.choice(_WORDS)} số {start + i}"
        producer_rows.append(
            {
                "slug": f"bulk-{start}-{i}",
                "kind": kind.value,
                "legal_name": name,
                "registration_number": None
                if kind == ProducerKind.HOUSEHOLD
                else f"{5000000000 + i}",
                "representative": "Nguyễn Văn A",
                "phone": "0912345678",
                "email": f"bulk{start + i}@example.vn",
                "province_code": province,
                "ward_code": ward,
                "street": "Thôn 1",
                "former_locality": None,
                "description": "",
                "status": ProducerStatus.VERIFIED.value,
                "created_at": utcnow(),
            }
        )
    db.session.execute(insert(Producer), producer_rows)
    producer_ids = list(
        db.session.scalars(
            select(Producer.id).where(Producer.slug.like(f"bulk-{start}-%")).order_by(Producer.id)
        )
    )
    provinces: dict[int, str] = dict(
        db.session.execute(text("SELECT code, name FROM provinces")).all()
    )
    producer_province = {
        pid: producer_rows[k]["province_code"] for k, pid in enumerate(producer_ids)
    }
    now = utcnow()
    added = 0
    while added < products:
        rows: list[dict[str, object]] = []
        for _ in range(min(batch, products - added)):
            k = start + added + len(rows)
            product_set = sets[k % len(sets)]
            producer_id = producer_ids[k % len(producer_ids)]
            name = f"{rng.choice(_WORDS)} {rng.choice(_ADJECTIVES)} {k}"
            exact = (
                f"{name} {provinces[producer_province[producer_id]]} {product_set.name_vi}".lower()
            )
            rows.append(
                {
                    "producer_id": producer_id,
                    "slug": f"{slugify(name)}-b{k}",
                    "name": name,
                    "product_set_id": product_set.id,
                    "description": "",
                    "price_vnd": rng.randrange(20, 2000) * 1000,
                    "stock": rng.randrange(0, 200),
                    "unit": "Hộp",
                    "net_quantity": "200 g",
                    "gtin": None,
                    "abv_tenths": 295 if product_set.alcoholic else None,
                    "status": ProductStatus.PUBLISHED.value,
                    "published_at": now - timedelta(minutes=k),
                    "search_folded": fold(exact),
                    "search_exact": exact,
                    "name_folded": fold(name),
                    "created_at": now,
                    "updated_at": now,
                }
            )
        db.session.execute(insert(Product), rows)
        ids = db.session.scalars(
            select(Product.id).where(Product.slug.in_([r["slug"] for r in rows]))
        ).all()
        certificates = []
        for j, product_id in enumerate(ids):
            k = start + added + j
            decided = today - timedelta(days=30 + (k * 37) % 1000)  # all still valid
            stars = (3, 3, 4, 4, 5)[k % 5]
            certificates.append(
                {
                    "product_id": product_id,
                    "producer_id": rows[j]["producer_id"],
                    "star_rank": stars,
                    "score": None,
                    "decision_number": f"{k}/QĐ-UBND",
                    "decision_date": decided,
                    "valid_through": last_valid_day(decided),
                    "issuer_level": (
                        IssuerLevel.CENTRAL if stars == 5 else IssuerLevel.PROVINCE
                    ).value,
                    "issuer_name": "UBND tỉnh",
                    "legal_basis": LEGAL_BASIS,
                    "product_set_id": rows[j]["product_set_id"],
                    "verification_code": new_verification_code(),
                    "submitted_at": now,
                    "review": ReviewState.VERIFIED.value,
                    "reviewed_by_id": staff.id,
                    "reviewed_at": now,
                }
            )
        db.session.execute(insert(Certificate), certificates)
        added += len(rows)
    db.session.flush()
    # Fresh statistics, so the planner walks products in published order and stops
    # after one page instead of sorting every match (SQLite and PostgreSQL alike).
    db.session.execute(text("ANALYZE"))
    if db.session.get_bind().dialect.name == "postgresql":
        # Bulk inserts leave GIN entries in the pending list, which every search
        # then scans; merge them now rather than at the next autovacuum.
        db.session.execute(text("SELECT gin_clean_pending_list('ix_products_search_tsv')"))
    else:
        db.session.execute(text("INSERT INTO product_fts(product_fts) VALUES ('optimize')"))
    return added
