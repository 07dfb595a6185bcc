"""Alcohol (Law 44/2019, Decree 24/2020): products declare their ABV; spirits of
15 % or more are listed and sold but never advertised; product pages say 18+."""

import pytest

from shop.catalog.alcohol import (
    advertising_banned,
    format_abv,
    is_alcohol,
    parse_abv,
)
from shop.catalog.exceptions import AbvRequired
from shop.catalog.models import Product
from shop.catalog.services import create_product, update_product
from shop.extensions import db
from tests.factories import product_set
from tests.helpers_http import assert_redirect


@pytest.mark.parametrize(
    ("text", "tenths"),
    [("29,5", 295), ("29.5", 295), ("40", 400), (" 13,0 % ", 130), ("0", 0), ("100", 1000)],
)
def test_parse_abv(text, tenths):
    assert parse_abv(text) == tenths


@pytest.mark.parametrize("text", ["", "abc", "29,55", "-5", "100,1", "1e2", "29,5,1", "٢٩"])
def test_parse_abv_refuses(text):
    with pytest.raises(ValueError, match=r".*"):
        parse_abv(text)


def test_format_abv_uses_the_decimal_comma():
    assert (format_abv(295), format_abv(400), format_abv(5)) == ("29,5%", "40%", "0,5%")


def test_alcohol_and_the_advertising_line_at_15_percent():
    assert not is_alcohol(None)
    assert not is_alcohol(0)
    assert is_alcohol(1)
    assert not advertising_banned(None)
    assert not advertising_banned(149)
    assert advertising_banned(150)
    assert advertising_banned(295)


def test_the_alcoholic_sets_are_marked_by_the_migration(app):
    alcoholic = {
        code for code in ("II.01", "II.02", "II.03", "II.04", "I.11") if product_set(code).alcoholic
    }
    assert alcoholic == {"II.01", "II.02"}


def test_a_spirit_must_declare_its_abv(app, make_producer):
    producer = make_producer()
    base = {
        "name": "Rượu ngô",
        "product_set_id": product_set("II.01").id,
        "price_vnd": 150_000,
        "stock": 5,
        "unit": "Chai",
        "net_quantity": "500 ml",
    }
    with pytest.raises(AbvRequired):
        create_product(producer, **base)
    db.session.rollback()
    with pytest.raises(AbvRequired):
        create_product(producer, **base, abv_tenths=0)
    db.session.rollback()
    product = create_product(producer, **base, abv_tenths=295)
    assert product.is_alcohol
    assert product.advertising_banned
    with pytest.raises(AbvRequired):
        update_product(product, abv_tenths=None)
    db.session.rollback()
    # Any product with alcohol is alcohol, whatever its set (a herbal wine in III.01).
    herbal = create_product(
        producer, **{**base, "product_set_id": product_set("III.01").id}, abv_tenths=250
    )
    assert herbal.is_alcohol


def _login_producer(auth, producer):
    auth.login(producer.members[0].user.email)


def test_product_form_asks_spirits_for_their_abv(app, client, auth, make_producer):
    producer = make_producer()
    _login_producer(auth, producer)
    form = {
        "name": "Rượu ngô men lá",
        "product_set_id": str(product_set("II.01").id),
        "price_vnd": "150.000",
        "stock": "10",
        "unit": "Chai",
        "net_quantity": "500 ml",
    }
    missing = client.post("/producer/products/new", data=form)
    assert missing.status_code == 400
    assert "phải ghi độ cồn" in missing.get_data(as_text=True)
    bad = client.post("/producer/products/new", data={**form, "abv_tenths": "29,55"})
    assert bad.status_code == 400
    assert db.session.scalar(db.select(Product)) is None
    made = client.post("/producer/products/new", data={**form, "abv_tenths": "29,5"})
    product = db.session.scalar(db.select(Product))
    assert_redirect(made, f"/producer/products/{product.id}")
    assert product.abv_tenths == 295
    page = client.get(f"/producer/products/{product.id}")
    assert page.status_code == 200
    assert 'value="29,5"' in page.get_data(as_text=True)


def test_product_page_shows_the_abv_and_18_plus(client, make_listed):
    spirit = make_listed("Rượu ngô men lá", set_code="II.01", abv_tenths=295)
    tea = make_listed("Chè Shan Tuyết")
    page = client.get(f"/products/{spirit.slug}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "29,5%" in html
    assert "18+" in html
    tea_page = client.get(f"/products/{tea.slug}")
    assert tea_page.status_code == 200
    assert "18+" not in tea_page.get_data(as_text=True)


def test_spirits_of_15_percent_are_listed_but_not_promoted_on_the_home_page(client, make_listed):
    make_listed("Rượu ngô men lá", stars=5, set_code="II.01", abv_tenths=295)
    make_listed("Rượu sim rừng", stars=5, set_code="II.02", abv_tenths=130)
    make_listed("Rượu mạnh đúng 15 độ", stars=5, set_code="II.01", abv_tenths=150)
    make_listed("Chè Shan Tuyết", stars=5)
    home = client.get("/")
    assert home.status_code == 200
    html = home.get_data(as_text=True)
    assert "Chè Shan Tuyết" in html
    assert "Rượu sim rừng" in html  # 13 %: may be advertised
    assert "Rượu ngô men lá" not in html
    assert "Rượu mạnh đúng 15 độ" not in html
    catalogue = client.get("/products")
    assert catalogue.status_code == 200
    listed = catalogue.get_data(as_text=True)
    assert "Rượu ngô men lá" in listed
    assert "Rượu mạnh đúng 15 độ" in listed


def test_every_demo_drink_of_an_alcoholic_set_declares_its_abv():
    from shop.demo import data

    drinks = {
        product[0]
        for producer in data.PRODUCERS
        for product in producer["products"]
        if product[1] in ("II.01", "II.02")
    }
    assert drinks
    assert drinks == set(data.ABV_TENTHS)
    assert data.ABV_TENTHS["Rượu ngô men lá Bắc Hà"] == 295
