"""Demo data for `make run`: a few producers, products and certificates.

Idempotent: every object is looked up by a natural key first, so a second run
adds nothing. Refuses to run in production.
"""

from datetime import date

import click
from dateutil.relativedelta import relativedelta
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from shop.auth import services as auth
from shop.auth.models import Role
from shop.catalog.models import Product, ProductSet, ProductStatus
from shop.catalog.services import create_product
from shop.certification.models import Certificate, IssuerLevel, ReviewState
from shop.certification.services import submit_certificate, verify_certificate
from shop.clock import today_vn
from shop.extensions import db
from shop.producers import services as producers
from shop.producers.models import Producer, ProducerKind

DEMO_PASSWORD = "ocop-demo-2026"  # noqa: S105 - demo accounts exist only outside production

STAFF = ("canbo@ocop.local", "Cán bộ Xúc tiến Thương mại", Role.STAFF)
ADMIN = ("admin@ocop.local", "Quản trị viên", Role.ADMIN)

PRODUCERS = [
    {
        "owner": ("htx.lungphin@ocop.local", "Vàng Mí Sính"),
        "profile": {
            "kind": ProducerKind.COOPERATIVE,
            "legal_name": "Hợp tác xã Chè Shan Tuyết Lũng Phìn",
            "registration_number": "5100456789",
            "representative": "Vàng Mí Sính",
            "phone": "0912345678",
            "email": "htx.lungphin@ocop.local",
            "province_code": 8,
            "ward_code": 763,
            "street": "Thôn Sán Trồ",
            "former_locality": "Hà Giang, huyện Đồng Văn",
            "description": "Chè Shan Tuyết cổ thụ trên cao nguyên đá Đồng Văn.",
        },
        "products": [
            ("Chè Shan Tuyết Lũng Phìn", "I.11", 4, "I", 14),
            ("Mật ong bạc hà Mèo Vạc", "I.04", 3, "I", 35),
        ],
    },
    {
        "owner": ("hokinhdoanh.bacha@ocop.local", "Lù Thị Mai"),
        "profile": {
            "kind": ProducerKind.HOUSEHOLD,
            "legal_name": "Hộ kinh doanh Lù Thị Mai",
            "registration_number": None,
            "representative": "Lù Thị Mai",
            "phone": "+84987654321",
            "email": "hokinhdoanh.bacha@ocop.local",
            "province_code": 15,
            "ward_code": 2839,
            "street": "Thôn Na Hối",
            "former_locality": "huyện Bắc Hà",
            "description": "Rượu ngô men lá truyền thống Bắc Hà.",
        },
        "products": [
            ("Rượu ngô men lá Bắc Hà", "II.01", 4, "I", 30),
            ("Đường phên Bắc Hà", "I.06", 3, "I", 34),
        ],
    },
]


def _user(email, name, role):
    user = auth.find_user_by_email(email)
    if user is None:
        user = auth.register_user(email, DEMO_PASSWORD, name, role)
    return user


@click.command("load-demo")
@with_appcontext
def load_demo_command() -> None:
    """Load the demo catalogue (idempotent; refused in production)."""
    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("demo data is never loaded in production")
    staff = _user(*STAFF)
    _user(*ADMIN)
    sets = {s.code: s for s in db.session.scalars(select(ProductSet))}
    today = today_vn()
    created = 0
    for spec in PRODUCERS:
        owner = _user(*spec["owner"], Role.CUSTOMER)
        producer = db.session.scalar(
            select(Producer).where(Producer.legal_name == spec["profile"]["legal_name"])
        )
        if producer is None:
            producer = producers.register_producer(owner, spec["profile"])
            producers.verify_producer(producer, staff)
        for name, set_code, stars, _level, age_months in spec["products"]:
            product = db.session.scalar(select(Product).where(Product.name == name))
            if product is not None:
                continue
            product = create_product(producer, name=name, product_set_id=sets[set_code].id)
            product.status = ProductStatus.PUBLISHED
            decided = today - relativedelta(months=age_months)
            certificate = submit_certificate(
                producer,
                product,
                owner,
                {
                    "star_rank": stars,
                    "score": {3: 62, 4: 78, 5: 92}[stars],
                    "decision_number": f"{1200 + created}/QĐ-UBND",
                    "decision_date": decided,
                    "issuer_level": IssuerLevel.PROVINCE
                    if decided >= date(2025, 7, 1)
                    else IssuerLevel.DISTRICT
                    if stars == 3
                    else IssuerLevel.PROVINCE,
                    "issuer_name": f"UBND {producer.province.name.lower()}",
                    "legal_basis": "148/QĐ-TTg (24/02/2023)",
                    "product_set_id": sets[set_code].id,
                },
            )
            verify_certificate(certificate, staff, today)
            created += 1
    db.session.commit()
    total = db.session.scalar(
        select(db.func.count())
        .select_from(Certificate)
        .where(Certificate.review == ReviewState.VERIFIED)
    )
    click.echo(f"Demo data: {created} products added, {total} verified certificates in all.")
    click.echo(
        f"Demo accounts (password {DEMO_PASSWORD}): {STAFF[0]}, {ADMIN[0]}, "
        + ", ".join(p["owner"][0] for p in PRODUCERS)
    )
