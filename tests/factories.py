"""Plain factory functions; each commits so the object is visible to every connection."""

import itertools
from datetime import date

from shop.auth.models import Role
from shop.auth.services import register_user
from shop.catalog.models import ProductSet
from shop.catalog.services import create_product, publish_product
from shop.certification.models import IssuerLevel
from shop.certification.services import submit_certificate, verify_certificate
from shop.clock import today_vn
from shop.extensions import db
from shop.producers.models import ProducerKind
from shop.producers.services import register_producer, verify_producer

PASSWORD = "correct horse battery"
_seq = itertools.count(1)

# Tuyên Quang (8) and its commune Lũng Phìn (763); Lào Cai (15), Bắc Hà (2839).
PROVINCE, WARD = 8, 763
OTHER_PROVINCE, OTHER_WARD = 15, 2839
# A default ABV (tenths of a percent) for products of the alcoholic sets.
ALCOHOL_BY_SET = {"II.01": 295, "II.02": 120}


def make_user(email=None, password=PASSWORD, role=Role.CUSTOMER, full_name="Nguyễn Văn A"):
    email = email or f"user{next(_seq)}@example.vn"
    user = register_user(email, password, full_name, role)
    db.session.commit()
    return user


def producer_profile(**overrides):
    n = next(_seq)
    profile = {
        "kind": ProducerKind.COOPERATIVE,
        "legal_name": f"Hợp tác xã Nông sản số {n}",
        "registration_number": f"51004{n:05d}",
        "representative": "Vàng Mí Sính",
        "phone": "0912345678",
        "email": f"htx{n}@example.vn",
        "province_code": PROVINCE,
        "ward_code": WARD,
        "street": "Thôn Sán Trồ",
        "former_locality": None,
        "description": "",
    }
    profile.update(overrides)
    return profile


def make_producer(owner=None, verified=True, staff=None, **overrides):
    owner = owner or make_user()
    producer = register_producer(owner, producer_profile(**overrides))
    if verified:
        verify_producer(producer, staff or make_user(role=Role.STAFF))
    db.session.commit()
    return producer


def product_set(code="I.11"):
    return db.session.scalar(db.select(ProductSet).where(ProductSet.code == code))


def make_product(
    producer=None,
    name=None,
    set_code="I.11",
    price=350_000,
    stock=10,
    published=False,
    description="",
    **extra,
):
    producer = producer or make_producer()
    if set_code in ALCOHOL_BY_SET:  # the alcoholic sets must declare an ABV
        extra.setdefault("abv_tenths", ALCOHOL_BY_SET[set_code])
    product = create_product(
        producer,
        name=name or f"Sản phẩm thử {next(_seq)}",
        product_set_id=product_set(set_code).id,
        price_vnd=price,
        stock=stock,
        unit="Hộp",
        net_quantity="200 g",
        description=description,
        **extra,
    )
    if published:
        publish_product(product)
    db.session.commit()
    return product


def make_listed(name=None, stars=4, producer=None, decision_date=None, **product_args):
    """A product the public can see: verified producer, published, valid certificate."""
    product = make_product(producer, name=name, published=True, **product_args)
    make_certificate(product, stars=stars, decision_date=decision_date or date(2025, 9, 15))
    return product


def make_certificate(
    product=None,
    stars=4,
    decision_date=None,
    verified=True,
    staff=None,
    issuer_level=IssuerLevel.PROVINCE,
):
    product = product or make_product()
    decision_date = decision_date or date(2025, 9, 15)
    certificate = submit_certificate(
        product.producer,
        product,
        product.producer.members[0].user,
        {
            "star_rank": stars,
            "score": None,
            "decision_number": f"{next(_seq)}/QĐ-UBND",
            "decision_date": decision_date,
            "issuer_level": IssuerLevel.CENTRAL if stars == 5 else issuer_level,
            "issuer_name": "UBND tỉnh Tuyên Quang",
            # The basis in force on the decision date (1048/2019 until 23/02/2023).
            "legal_basis": "148/QĐ-TTg (24/02/2023)"
            if decision_date >= date(2023, 2, 24)
            else "1048/QĐ-TTg (21/8/2019)",
            "product_set_id": product.product_set_id,
        },
    )
    if verified:
        verify_certificate(certificate, staff or make_user(role=Role.STAFF), today_vn())
    db.session.commit()
    return certificate
