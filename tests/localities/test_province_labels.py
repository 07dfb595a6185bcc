"""Province lists are labelled and ordered so that people find their province by
typing its name ("Hà" finds Hà Nội in a native select), while orders keep the
official names."""

import re

from sqlalchemy import select

from shop.extensions import db
from shop.localities.collation import collation_key
from shop.localities.models import province_label
from shop.localities.services import list_provinces, province_options
from shop.orders.models import Order
from tests.helpers_http import assert_redirect
from tests.orders.helpers import checkout_form

HA_NOI, HUE, DA_NANG, HO_CHI_MINH = 1, 46, 48, 79
SAI_GON = 26740  # Phường Sài Gòn (Thành phố Hồ Chí Minh), formerly Phường Bến Nghé, …


def test_a_city_is_labelled_by_its_short_name_first():
    assert province_label("Thành phố Hà Nội") == "Hà Nội (thành phố)"
    assert province_label("Thành phố Huế") == "Huế (thành phố)"
    assert province_label("Tuyên Quang") == "Tuyên Quang"


def test_vietnamese_alphabetical_order():
    names = ["Hải Phòng", "Điện Biên", "Đà Nẵng", "Hà Tĩnh", "Cà Mau", "Hà Nội", "Dak", "Huế"]
    assert sorted(names, key=collation_key) == [
        "Cà Mau",
        "Dak",
        "Đà Nẵng",  # đ is a letter after d
        "Điện Biên",
        "Hà Nội",  # word by word: "Hà Nội" before "Hà Tĩnh" before "Hải"
        "Hà Tĩnh",
        "Hải Phòng",
        "Huế",
    ]
    # Tones only break ties, in dictionary order.
    assert sorted(["má", "mạ", "ma", "mà", "mã", "mả"], key=collation_key) == [
        "ma", "mà", "mả", "mã", "má", "mạ"
    ]  # fmt: skip
    letters = ["ơ", "o", "ô", "a", "â", "ă"]
    assert sorted(letters, key=collation_key) == ["a", "ă", "â", "o", "ô", "ơ"]


def test_province_options_start_with_the_short_name_in_alphabetical_order(app):
    options = dict(province_options())
    assert len(options) == 34
    assert options[HA_NOI] == "Hà Nội (thành phố)"
    assert options[HUE] == "Huế (thành phố)"
    assert options[DA_NANG] == "Đà Nẵng (thành phố)"
    assert options[HO_CHI_MINH] == "Hồ Chí Minh (thành phố)"
    labels = [label for _code, label in province_options()]
    assert labels == sorted(labels, key=collation_key)
    assert labels.index("Đà Nẵng (thành phố)") == labels.index("Cần Thơ (thành phố)") + 1
    assert [p.code for p in list_provinces()] == [code for code, _ in province_options()]


def fill_cart(client, product, quantity=1):
    response = client.post("/cart/add", data={"product_id": product.id, "quantity": quantity})
    assert_redirect(response, "/cart", 303)
    return client.get("/cart.json").get_json()["total_price"]


def test_checkout_lists_hue_by_its_name_and_the_order_keeps_the_official_one(client, make_listed):
    total = fill_cart(client, make_listed(price=100_000, stock=5))
    page = client.get("/checkout")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    select_html = re.search(r'<select[^>]*id="province_code".*?</select>', html, re.S).group(0)
    labels = re.findall(r"<option[^>]*>([^<]*)</option>", select_html)
    for short in ("Hà Nội", "Huế", "Đà Nẵng", "Hồ Chí Minh"):
        assert f"{short} (thành phố)" in labels
    assert not any(label.startswith("Thành phố") for label in labels)
    assert f'value="{HUE}"' in select_html

    ward_of_hue = db.session.execute(
        db.text("SELECT code FROM wards WHERE province_code = :p ORDER BY code LIMIT 1"),
        {"p": HUE},
    ).scalar_one()
    response = client.post(
        "/checkout",
        data=checkout_form(total, province_code=str(HUE), ward_code=str(ward_of_hue)),
    )
    order = db.session.scalar(select(Order))
    assert order is not None, response.get_data(as_text=True)[:2000]
    assert_redirect(response, f"/orders/{order.number}", 303, query={"key": order.access_key})
    assert (order.province_code, order.province_name) == (HUE, "Thành phố Huế")


def test_wards_json_carries_former_names_for_the_ward_search(client):
    response = client.get(f"/localities/{HO_CHI_MINH}/wards.json")
    assert response.status_code == 200
    wards = {w["code"]: w for w in response.get_json()}
    assert wards[SAI_GON]["name"] == "Phường Sài Gòn"
    assert "Phường Bến Nghé" in wards[SAI_GON]["former"]


def test_a_ward_of_another_province_is_still_refused(client, make_listed):
    total = fill_cart(client, make_listed(price=100_000, stock=5))
    response = client.post(
        "/checkout",
        data=checkout_form(total, province_code=str(HA_NOI), ward_code=str(SAI_GON)),
    )
    assert response.status_code == 400  # the form again, with its errors
    assert "Xã/phường không thuộc tỉnh/thành phố đã chọn." in response.get_data(as_text=True)
    assert db.session.scalar(select(Order)) is None
