"""Former provinces, districts and wards (before 1 July 2025) and what they became."""

import json

import pytest
from sqlalchemy import func, select

from shop.extensions import db
from shop.localities import former
from shop.localities.build_former import UnmatchedName, build
from shop.localities.models import Province, Ward
from shop.orders.models import Order
from tests.factories import PROVINCE, WARD
from tests.helpers_http import assert_signed_in

HA_GIANG_2, LUNG_CU = 691, 715


def test_the_file_says_where_it_comes_from():
    source = former.source()
    assert source["package"] == "vietnam-address-converter"
    assert source["licence"] == "Apache-2.0"
    assert source["package_version"]
    assert source["data_version"]
    assert source["matched_to"].startswith("vietnam-provinces ")


def test_63_former_provinces_became_34(app):
    provinces = former.data().provinces
    assert len(provinces) == 63
    current = set(db.session.scalars(select(Province.code)))
    assert {p.province_code for p in provinces.values()} == current
    assert provinces["ha-giang"].province_code == PROVINCE  # now Tuyên Quang
    assert provinces["ba-ria-vung-tau"].province_code == 79  # now Hồ Chí Minh City
    assert len(former.merged_provinces()) == 23  # 11 provinces were not merged


def test_every_ward_code_in_the_file_is_one_of_ours(app):
    ours = set(db.session.scalars(select(Ward.code)))
    in_file = {code for ward in former.data().wards for code in ward.ward_codes}
    assert in_file <= ours
    # Every current ward but one (Suối Tọ, Sơn La: no former ward points to it in
    # this data version) has a former origin; a name matched wrongly would leave
    # its true ward out, as "Văn Lăng"/"Văn Lang" did without diacritics.
    assert len(ours - in_file) <= 1
    assert db.session.scalar(select(func.count()).select_from(Ward)) == 3321


def test_names_are_matched_with_their_diacritics():
    # Thái Nguyên has both Xã Văn Lăng (5665) and Xã Văn Lang: without diacritics the
    # two are one name, and Văn Lăng's former communes went to the wrong ward.
    van_lang = [w for w in former.data().wards if w.name == "Xã Văn Lăng"]
    assert [w.ward_codes for w in van_lang] == [(5665,)]
    assert van_lang[0].district.name == "Huyện Đồng Hỷ"


def test_the_file_regenerates_from_the_package_unchanged():
    pytest.importorskip("vietnam_address_converter")
    from shop.localities.build_former import OUTPUT, generate

    assert generate() == OUTPUT.read_text(encoding="utf-8")


def test_a_name_that_matches_none_of_ours_stops_the_build():
    source = {
        "newProvinces": {"1": {"name": "Tuyên Quang", "name_with_type": "Tỉnh Tuyên Quang"}},
        "newWards": {
            "9": {
                "name": "Không Có",
                "name_with_type": "Xã Không Có",
                "parent_code": "1",
                "path_with_type": "Xã Không Có, Tỉnh Tuyên Quang",
            }
        },
        "oldProvinces": {},
        "mapping": {"meta": {"version": "x", "source": "x", "row_count": 0}, "rows": []},
    }
    ours = [{"code": 8, "name": "Tỉnh Tuyên Quang", "wards": [{"code": 1, "name": "Xã Có"}]}]
    with pytest.raises(UnmatchedName, match="Không Có"):
        build(source, ours, {"source": "0", "ours": "0", "ours_data": "0"})


def test_former_provinces_of_a_merged_province():
    assert [p.short_name for p in former.former_provinces_of(PROVINCE)] == [
        "Hà Giang",
        "Tuyên Quang",
    ]
    assert former.former_provinces_of(1) == []  # Hà Nội was not merged


def test_former_names_and_place_of_a_ward():
    assert former.former_names(WARD) == ["Hà Giang", "Đồng Văn"]
    assert former.former_place(WARD) == "Huyện Đồng Văn, Tỉnh Hà Giang"
    assert former.former_province_of(WARD).slug == "ha-giang"
    assert former.former_place(None) == ""
    assert WARD in former.wards_formerly_in("ha-giang")
    assert WARD not in former.wards_formerly_in("tuyen-quang")
    assert former.wards_formerly_in("atlantis") == ()


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Phường Trần Phú, TP Hà Giang, tỉnh Hà Giang", [HA_GIANG_2]),
        ("Phuong Tran Phu, Thanh pho Ha Giang, Ha Giang", [HA_GIANG_2]),
        ("Thôn Lũng Hòa, Xã Lũng Cú, huyện Đồng Văn, Hà Giang", [LUNG_CU]),
        ("Phường 1", []),  # a name in many districts says nothing by itself
        ("Hà Giang, huyện Đồng Văn", []),  # a district, not the town of Đồng Văn
        ("Đồng Văn, Đồng Văn, Hà Giang", [721]),  # the town, named with its district
        ("", []),
        ("123 Đường không tên", []),
    ],
)
def test_suggest_current_ward(text, codes):
    assert [s.ward_code for s in former.suggest_current(text)] == codes


def test_a_split_ward_offers_every_ward_it_became():
    found = former.suggest_current("Phường Đội Cấn, Quận Ba Đình, Hà Nội")
    assert len(found) == 2
    assert all(s.split and s.province_code == 1 for s in found)
    assert found[0].former == "Phường Đội Cấn, Quận Ba Đình, Thành phố Hà Nội"


def test_district_disambiguates_a_common_ward_name():
    found = former.suggest_current("Phường 1, Quận 3, Thành phố Hồ Chí Minh")
    assert len(found) == 1
    assert found[0].province_code == 79
    assert found[0].former.startswith("Phường 1, Quận 3")


def test_order_keeps_the_locality_names_and_version(app, make_listed):
    from tests.orders.helpers import order_for

    order = order_for({make_listed(): 1})
    province = db.session.get(Province, PROVINCE)
    assert (order.province_name, order.ward_name) == ("Tuyên Quang", "Xã Lũng Phìn")
    assert order.locality_version == province.data_version
    # A later rename of the locality data does not rewrite the order's address.
    db.session.get(Ward, WARD).name = "Xã Đổi Tên"
    db.session.flush()
    assert "Xã Lũng Phìn" in db.session.get(Order, order.id).address_line
    db.session.rollback()


def test_checkout_suggests_the_current_ward_for_an_old_address(app, client, make_listed):
    from tests.orders.helpers import checkout_form
    from tests.orders.test_checkout import fill_cart

    total = fill_cart(client, (make_listed(), 1))
    old = "Số 5, Phường Trần Phú, TP Hà Giang, tỉnh Hà Giang"
    response = client.post("/checkout", data=checkout_form(total, ward_code="", street=old))
    assert response.status_code == 400  # no ward chosen
    html = response.get_data(as_text=True)
    assert f'name="refresh_wards" value="{PROVINCE}:{HA_GIANG_2}"' in html
    assert "Phường Hà Giang 2, Tuyên Quang" in html

    # The suggestion button fills in the ward and shows the form again: no order yet.
    response = client.post(
        "/checkout",
        data=checkout_form(
            total, ward_code="", street=old, refresh_wards=f"{PROVINCE}:{HA_GIANG_2}"
        ),
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'<option selected value="{HA_GIANG_2}">' in html
    assert f'value="{PROVINCE}:{HA_GIANG_2}"' not in html  # chosen: no more suggestion
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0

    response = client.post("/checkout", data=checkout_form(total, ward_code=str(HA_GIANG_2)))
    assert response.status_code == 303
    order = db.session.scalar(select(Order))
    assert order.ward_name == "Phường Hà Giang 2"


def test_a_suggestion_of_a_ward_outside_its_province_is_ignored(app, client, make_listed):
    from tests.orders.helpers import checkout_form
    from tests.orders.test_checkout import fill_cart

    total = fill_cart(client, (make_listed(), 1))
    response = client.post(
        "/checkout", data=checkout_form(total, ward_code="", refresh_wards="1:691")
    )
    assert response.status_code == 200
    assert '<option selected value="691">' not in response.get_data(as_text=True)


def test_producer_page_prints_the_former_place(client, make_listed):
    product = make_listed("Chè Shan Tuyết")
    response = client.get(f"/producers/{product.producer.slug}")
    assert response.status_code == 200
    assert "trước đây: Huyện Đồng Văn, Tỉnh Hà Giang" in response.get_data(as_text=True)


def test_the_file_is_compact_json():
    text = former.DATA_FILE.read_text(encoding="utf-8")
    assert len(text) < 600_000
    assert json.loads(text)["source"]["package"] == "vietnam-address-converter"


def test_load_localities_reindex_puts_former_names_into_old_search_text(runner, make_listed):
    product = make_listed("Mật ong bạc hà")
    # A product indexed before the former names existed.
    product.search_folded = "mat ong bac ha"
    db.session.commit()
    result = runner.invoke(args=["load-localities", "--reindex"])
    assert result.exit_code == 0, result.output
    assert "Former localities: 63 provinces" in result.output
    assert "Search text: 1 products updated" in result.output
    db.session.refresh(product)
    assert "ha giang" in product.search_folded
    assert "dong van" in product.search_folded


def test_producer_registration_suggests_the_current_ward(client, auth, make_user):
    make_user(email="owner@example.vn")
    assert_signed_in(auth.login("owner@example.vn"))
    data = {
        "kind": "cooperative",
        "legal_name": "Hợp tác xã Mật ong Lũng Cú",
        "registration_number": "5100456789",
        "representative": "Vàng Mí Sính",
        "phone": "0912 345 678",
        "email": "htx@example.vn",
        "province_code": str(PROVINCE),
        "ward_code": "",
        "street": "Thôn Lô Lô Chải",
        "former_locality": "Xã Lũng Cú, huyện Đồng Văn, tỉnh Hà Giang",
    }
    response = client.post("/producer/register", data=data)
    assert response.status_code == 400
    assert f'value="{PROVINCE}:{LUNG_CU}"' in response.get_data(as_text=True)
    response = client.post(
        "/producer/register", data={**data, "refresh_wards": f"{PROVINCE}:{LUNG_CU}"}
    )
    assert response.status_code == 200
    assert f'<option selected value="{LUNG_CU}">' in response.get_data(as_text=True)
