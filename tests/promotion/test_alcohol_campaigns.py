"""Campaigns are advertising: spirits of 15 % ABV or more never join one and never
show on a campaign page, though the catalogue still lists them (Law 44/2019)."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from shop.clock import today_vn
from shop.extensions import db
from shop.promotion.campaigns import (
    AdvertisingBanned,
    campaign_cards,
    create_campaign,
    feature_product,
)
from shop.promotion.models import CampaignItem


@pytest.fixture
def campaign(staff):
    today = today_vn()
    item = create_campaign(
        staff,
        title="Quà Tết vùng cao",
        description="",
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=30),
    )
    db.session.commit()
    return item


def test_spirits_of_15_percent_cannot_join_a_campaign(campaign, staff, make_listed):
    today = today_vn()
    spirit = make_listed("Rượu ngô men lá", set_code="II.01", abv_tenths=295)
    edge = make_listed("Rượu 15 độ", set_code="II.01", abv_tenths=150)
    wine = make_listed("Rượu sim", set_code="II.02", abv_tenths=149)
    for product in (spirit, edge):
        with pytest.raises(AdvertisingBanned):
            feature_product(campaign, product, staff, today)
    feature_product(campaign, wine, staff, today)
    db.session.commit()
    assert [i.product_id for i in campaign.items] == [wine.id]


def test_a_product_whose_abv_rises_drops_out_of_campaign_pages(
    client, campaign, staff, make_listed
):
    today = today_vn()
    tea = make_listed("Chè Shan Tuyết")
    drink = make_listed("Rượu táo mèo", set_code="II.02", abv_tenths=120)
    feature_product(campaign, tea, staff, today)
    feature_product(campaign, drink, staff, today)
    db.session.commit()
    drink.abv_tenths = 250  # the producer corrects the label
    db.session.commit()
    assert [c.name for c in campaign_cards(campaign, today)] == ["Chè Shan Tuyết"]
    page = client.get(f"/campaigns/{campaign.slug}")
    assert page.status_code == 200
    assert "Rượu táo mèo" not in page.get_data(as_text=True)
    home = client.get("/")
    assert home.status_code == 200
    assert "Rượu táo mèo" not in home.get_data(as_text=True)


def test_staff_page_says_why_a_spirit_is_refused(client, auth, campaign, staff, make_listed):
    spirit = make_listed("Rượu ngô men lá", set_code="II.01", abv_tenths=295)
    auth.login(staff.email)
    response = client.post(f"/staff/campaigns/{campaign.id}", data={"product": spirit.slug})
    assert response.status_code == 400
    assert "Không quảng cáo rượu từ 15 độ trở lên" in response.get_data(as_text=True)
    assert db.session.scalar(select(CampaignItem)) is None
