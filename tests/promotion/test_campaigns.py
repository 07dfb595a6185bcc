from datetime import date, timedelta

import pytest
from sqlalchemy import select

from shop.certification.queries import current_certificate
from shop.certification.services import revoke_certificate
from shop.clock import today_vn
from shop.extensions import db
from shop.promotion.campaigns import (
    NotFeaturable,
    campaign_cards,
    create_campaign,
    feature_product,
)
from shop.promotion.models import Campaign
from tests.helpers_http import assert_redirect, follow


@pytest.fixture
def campaign(staff):
    today = today_vn()
    item = create_campaign(
        staff,
        title="Đặc sản Hà Giang",
        description="Quà Tết",
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=30),
    )
    db.session.commit()
    return item


def test_only_listed_certified_products_can_be_featured(campaign, staff, make_listed, make_product):
    today = today_vn()
    feature_product(campaign, make_listed("Chè Shan Tuyết"), staff, today)
    with pytest.raises(NotFeaturable):
        feature_product(
            campaign, make_product(name="Chưa có chứng nhận", published=True), staff, today
        )
    expired = make_listed("Hết hạn", decision_date=date(2022, 1, 1))
    with pytest.raises(NotFeaturable):
        feature_product(campaign, expired, staff, today)
    assert [i.product_id for i in campaign.items] == [campaign.items[0].product_id]


def test_revoked_product_drops_out_by_itself(campaign, staff, make_listed, client):
    today = today_vn()
    keep, lose = make_listed("Mật ong"), make_listed("Thịt bò khô")
    for product in (keep, lose):
        feature_product(campaign, product, staff, today)
    db.session.commit()
    revoke_certificate(current_certificate(lose), staff, "Không đạt")
    db.session.commit()
    assert [c.name for c in campaign_cards(campaign, today)] == ["Mật ong"]
    page = client.get(f"/campaigns/{campaign.slug}").get_data(as_text=True)
    assert "Mật ong" in page
    assert "Thịt bò khô" not in page
    home = client.get("/").get_data(as_text=True)
    assert "Đặc sản Hà Giang" in home


def test_campaign_outside_its_dates_is_not_public(client, staff):
    today = today_vn()
    future = create_campaign(
        staff,
        title="Tết 2030",
        description="",
        starts_on=today + timedelta(days=10),
        ends_on=today + timedelta(days=20),
    )
    db.session.commit()
    assert client.get(f"/campaigns/{future.slug}").status_code == 404
    assert client.get("/campaigns/khong-co").status_code == 404


def test_staff_build_a_campaign_through_the_pages(client, staff, auth, make_listed):
    product = make_listed("Chè Shan Tuyết Lũng Phìn")
    draft = make_listed("Bản nháp sau này")
    draft.status = draft.status.DRAFT
    db.session.commit()
    assert_redirect(auth.login(staff.email), "/staff/")
    today = today_vn()
    response = client.post(
        "/staff/campaigns",
        data={
            "title": "Tết 2027",
            "description": "Quà Tết từ vùng cao",
            "starts_on": (today - timedelta(days=1)).isoformat(),
            "ends_on": (today + timedelta(days=60)).isoformat(),
        },
    )
    campaign = db.session.scalar(select(Campaign))
    path = f"/staff/campaigns/{campaign.id}"
    assert_redirect(response, path)
    added = client.post(path, data={"product": f"https://x/products/{product.slug}"})
    assert "Đã thêm Chè Shan Tuyết Lũng Phìn" in follow(client, added, path).get_data(as_text=True)
    refused = client.post(path, data={"product": draft.slug})
    assert refused.status_code == 400
    assert "Chỉ thêm được sản phẩm đang bán" in refused.get_data(as_text=True)
    unknown = client.post(path, data={"product": "khong-co"})
    assert unknown.status_code == 400
    assert "Không có sản phẩm với đường dẫn này." in unknown.get_data(as_text=True)
    public = client.get(f"/campaigns/{campaign.slug}")
    assert public.status_code == 200
    assert "Chè Shan Tuyết Lũng Phìn" in public.get_data(as_text=True)
    assert "Bản nháp sau này" not in public.get_data(as_text=True)


def test_end_before_start_is_refused(client, staff, auth):
    assert_redirect(auth.login(staff.email), "/staff/")
    response = client.post(
        "/staff/campaigns",
        data={
            "title": "Sai ngày",
            "starts_on": "2026-12-10",
            "ends_on": "2026-12-01",
        },
    )
    assert response.status_code == 400
    assert "Ngày kết thúc phải sau ngày bắt đầu." in response.get_data(as_text=True)
