"""A small storefront whose public pages the edge-cache tests fetch."""

from dataclasses import dataclass
from datetime import timedelta

import pytest

from shop.certification.queries import current_certificate
from shop.clock import today_vn
from shop.extensions import db
from shop.promotion.campaigns import create_campaign, feature_product


@dataclass
class Storefront:
    product: object
    certificate: object
    urls: list[str]


@pytest.fixture
def storefront(make_listed, staff):
    """One listed product in a running campaign; the public pages that show it."""
    today = today_vn()
    product = make_listed("Chè Shan Tuyết Lũng Phìn", price=185_000, stock=20)
    certificate = current_certificate(product)
    campaign = create_campaign(
        staff,
        title="Đặc sản Hà Giang",
        description="Quà Tết",
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=30),
    )
    feature_product(campaign, product, staff, today)
    db.session.commit()
    urls = [
        "/",
        "/products",
        "/products?q=che+shan+tuyet",
        f"/products/{product.slug}",
        f"/producers/{product.producer.slug}",
        f"/campaigns/{campaign.slug}",
        f"/verify/{certificate.verification_code}",
    ]
    return Storefront(product, certificate, urls + ["/en" + url for url in urls])
