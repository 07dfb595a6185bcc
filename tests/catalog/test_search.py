import unicodedata

import pytest

from shop.storefront.queries import CatalogQuery
from shop.text import fold
from tests.catalog.test_listing import TODAY, names
from tests.factories import OTHER_PROVINCE, OTHER_WARD


def q(text):
    return CatalogQuery(q=text)


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("Chè Shan Tuyết", "che shan tuyet"),
        ("Đường phên", "duong phen"),
        ("ĐƯỜNG", "duong"),
        ("hoà", "hoa"),
        ("hòa", "hoa"),
        (unicodedata.normalize("NFD", "Chè Shan Tuyết"), "che shan tuyet"),
    ],
)
def test_fold(raw, folded):
    assert fold(raw) == folded


@pytest.fixture
def catalogue(make_listed, make_producer):
    make_listed("Chè Shan Tuyết Lũng Phìn")
    make_listed("Đường phên Bắc Hà")
    make_listed("Mật ong bạc hà Mèo Vạc")
    make_listed("Trà hoa vàng", set_code="I.12")
    # Lào Cai's Bắc Hà ward (OTHER_WARD): the former names of the factories' own ward
    # (Lũng Phìn, once in Hà Giang) would match "Hà Giang" without anyone typing it.
    typed = make_producer(
        former_locality="Mường Khương",
        legal_name="Hộ kinh doanh Sùng Mí Chơ",
        province_code=OTHER_PROVINCE,
        ward_code=OTHER_WARD,
    )
    make_listed("Thịt bò khô gác bếp", producer=typed)
    lao_cai = make_producer(
        former_locality="Bắc Hà",
        legal_name="Hộ kinh doanh Lù Thị Mai",
        province_code=OTHER_PROVINCE,
        ward_code=OTHER_WARD,
    )
    make_listed("Rượu ngô men lá", producer=lao_cai, set_code="II.01")


def test_without_diacritics_finds_the_accented_name(catalogue):
    assert names(q("che shan tuyet")) == ["Chè Shan Tuyết Lũng Phìn"]


def test_d_finds_đ(catalogue):
    assert "Đường phên Bắc Hà" in names(q("duong"))


def test_nfc_and_nfd_queries_are_the_same(catalogue):
    nfc = unicodedata.normalize("NFC", "chè shan tuyết")
    nfd = unicodedata.normalize("NFD", "chè shan tuyết")
    assert names(q(nfc)) == names(q(nfd)) == ["Chè Shan Tuyết Lũng Phìn"]


@pytest.mark.parametrize("text", ["hoa", "hoà", "hòa"])
def test_tone_marks_fold_together(catalogue, text):
    assert "Trà hoa vàng" in names(q(text))


def test_exact_accents_rank_first(catalogue):
    found = names(q("Bắc Hà"))
    assert found.index("Đường phên Bắc Hà") < found.index("Mật ong bạc hà Mèo Vạc")
    found = names(q("bạc hà"))
    assert found.index("Mật ong bạc hà Mèo Vạc") < found.index("Đường phên Bắc Hà")


def test_former_locality_is_searchable(catalogue):
    assert names(q("Mường Khương")) == ["Thịt bò khô gác bếp"]
    assert "Rượu ngô men lá" in names(q("bac ha"))


def test_producer_and_province_names_are_searchable(catalogue):
    assert names(q("sung mi cho")) == ["Thịt bò khô gác bếp"]
    assert len(names(q("tuyen quang"))) >= 4  # the factories' province


def test_last_word_may_be_unfinished(catalogue):
    assert names(q("che shan tuy")) == ["Chè Shan Tuyết Lũng Phìn"]


def test_punctuation_and_operators_are_just_text(catalogue):
    for text in ['"', "che OR", "NEAR(", "che* -shan", "' or 1=1 --", "%_", ":*&|!"]:
        names(q(text))  # never an error


def test_search_sees_a_rename(make_listed, make_product):
    from shop.catalog.services import update_product
    from shop.extensions import db

    product = make_listed("Tên cũ")
    update_product(product, name="Mứt gừng")
    db.session.commit()
    assert names(q("mut gung")) == ["Mứt gừng"]
    assert names(q("ten cu")) == []


def test_unknown_word_finds_nothing(catalogue):
    assert names(q("xyzzy")) == []


def test_today_is_used(catalogue):
    assert names(q("che shan tuyet"), today=TODAY.replace(year=2035)) == []


def test_in_stock_name_matches_lead_then_the_producers_other_goods(make_listed, make_producer):
    """The issue's case: "che shan tuyet" found a producer's beef and oranges (its
    name holds the words) and a sold-out tea second. Name matches in stock first, then
    the producer's other goods in stock, and what is sold out after them."""
    tea_house = make_producer(legal_name="Hợp tác xã Chè Shan Tuyết Lũng Phìn")
    make_listed("Thịt bò khô", producer=tea_house, stock=9)
    make_listed("Chè Shan Tuyết túi lọc", producer=tea_house, stock=0)
    make_listed("Cam sành", producer=tea_house, stock=9)
    make_listed("Chè Shan Tuyết cổ thụ", producer=tea_house, stock=5)

    found = names(q("che shan tuyet"))

    assert found[0] == "Chè Shan Tuyết cổ thụ"
    assert set(found[1:3]) == {"Thịt bò khô", "Cam sành"}
    assert found[3] == "Chè Shan Tuyết túi lọc"
