"""Former province names, synonyms and the nearest-results fallback in search."""

import pytest
from werkzeug.datastructures import MultiDict

from shop.catalog.search import query_terms
from shop.storefront.queries import CatalogQuery, nearest
from tests.catalog.test_listing import TODAY, names
from tests.factories import OTHER_PROVINCE, OTHER_WARD, PROVINCE

# Tuyên Quang (8): Lũng Cú (715) was in Đồng Văn district of Hà Giang province;
# Minh Xuân (2215) was in the former Tuyên Quang province.
LUNG_CU, MINH_XUAN = 715, 2215


def q(text, **args):
    return CatalogQuery.from_args(MultiDict({"q": text, **{k: str(v) for k, v in args.items()}}))


@pytest.fixture
def places(make_listed, make_producer):
    dong_van = make_producer(ward_code=LUNG_CU, former_locality=None)
    make_listed("Mật ong bạc hà", producer=dong_van, set_code="I.04")
    tuyen_quang = make_producer(ward_code=MINH_XUAN)
    make_listed("Mật ong rừng Na Hang", producer=tuyen_quang, set_code="I.04")
    lao_cai = make_producer(province_code=OTHER_PROVINCE, ward_code=OTHER_WARD)
    make_listed("Mật ong Bắc Hà", producer=lao_cai, set_code="I.04")


def test_former_province_finds_a_producer_who_never_typed_it(places):
    assert names(q("mật ong hà giang")) == ["Mật ong bạc hà"]
    assert names(q("mat ong ha giang")) == ["Mật ong bạc hà"]


def test_former_district_is_searchable_too(places):
    assert names(q("mật ong đồng văn")) == ["Mật ong bạc hà"]


def test_the_current_province_still_finds_both_parts(places):
    assert set(names(q("tuyên quang"))) == {"Mật ong bạc hà", "Mật ong rừng Na Hang"}


def test_province_filter_takes_a_former_province(places):
    cq = CatalogQuery.from_args(MultiDict({"province": "ha-giang"}))
    assert (cq.province, cq.former) == (PROVINCE, "ha-giang")
    assert names(cq) == ["Mật ong bạc hà"]
    assert cq.args() == {"province": "ha-giang"}
    assert names(CatalogQuery.from_args(MultiDict({"province": "tuyen-quang"}))) == [
        "Mật ong rừng Na Hang"
    ]
    assert set(names(CatalogQuery.from_args(MultiDict({"province": str(PROVINCE)})))) == {
        "Mật ong bạc hà",
        "Mật ong rừng Na Hang",
    }


def test_unknown_former_province_is_dropped():
    cq = CatalogQuery.from_args(MultiDict({"province": "atlantis"}))
    assert (cq.province, cq.former) == (None, None)
    assert "province" in cq.ignored


def test_filter_sidebar_offers_the_former_provinces(client, places):
    response = client.get("/products")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'value="ha-giang"' in html
    assert "Hà Giang (cũ)" in html
    assert "Lào Cai (cũ)" in html
    assert "Yên Bái (cũ)" in html
    response = client.get("/products?province=ha-giang")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'value="ha-giang" selected' in html
    assert "Mật ong bạc hà" in html
    assert "Mật ong rừng Na Hang" not in html


@pytest.fixture
def pantry(make_listed):
    make_listed("Chè Shan Tuyết", set_code="I.12")
    make_listed("Trà hoa vàng", set_code="I.12")
    make_listed("Thịt heo gác bếp", set_code="I.08")
    make_listed("Kẹo lạc", set_code="I.07")
    make_listed("Muối mè đen", set_code="I.10")
    make_listed("Gạo nếp vùng cao", set_code="I.03")
    make_listed("Bột mì nguyên cám", set_code="I.06")
    make_listed("Miến dong", set_code="I.06", description="<p>Chế biến thủ công.</p>")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("trà shan tuyết", {"Chè Shan Tuyết"}),
        ("chè hoa vàng", {"Trà hoa vàng"}),
        ("thịt lợn", {"Thịt heo gác bếp"}),
        ("đậu phộng", {"Kẹo lạc"}),
        ("vừng đen", {"Muối mè đen"}),
        ("bột mỳ", {"Bột mì nguyên cám"}),
    ],
)
def test_synonyms(pantry, query, expected):
    assert set(names(q(query))) == expected


def test_synonyms_keep_to_phrases_that_cannot_catch_other_words(pantry):
    # "vừng" alone is not expanded: "vung" is also "vùng" (region).
    assert "Muối mè đen" not in names(q("vừng"))
    assert names(q("lợn")) == []  # "lon" alone is also "lớn": only "thịt lợn" is pork


def test_synonym_in_the_name_ranks_above_a_folded_lookalike(pantry):
    # "trà" finds both teas, and "chế biến" (che) in a description only after them.
    found = names(q("trà"))
    assert found[:2] == ["Trà hoa vàng", "Chè Shan Tuyết"]
    assert found.index("Miến dong") > 1


def test_query_terms_group_synonym_phrases():
    terms = query_terms("Thịt heo sấy")
    assert [t.text for t in terms] == ["thit heo", "say"]
    assert terms[0].alternatives == (("thit", "heo"), ("thit", "lon"))
    assert terms[0].shown == "Thịt heo"


def test_nearest_results_when_one_word_matches_nothing(pantry):
    cq = q("chè xyzabc")
    assert names(cq) == []
    found = nearest(cq, TODAY)
    assert found is not None
    assert found.missing == ["xyzabc"]
    found_names = names(found.query)
    # Every product with "chè" (as trà too) or "chế" (in the set name "Chế biến…"),
    # the teas by name first.
    assert set(found_names[:2]) == {"Chè Shan Tuyết", "Trà hoa vàng"}
    assert {"Miến dong", "Kẹo lạc"} <= set(found_names)
    assert "Gạo nếp vùng cao" not in found_names


def test_nearest_ranks_rows_matching_most_words_first(pantry):
    cq = q("chè hoa muối")  # no product has all three
    found = nearest(cq, TODAY)
    assert found is not None
    assert found.missing == []
    assert names(found.query)[0] == "Trà hoa vàng"  # chè (as trà) and hoa


def test_no_fallback_for_one_word(pantry):
    assert nearest(q("xyzabc"), TODAY) is None


def test_products_page_shows_the_note(client, pantry):
    response = client.get("/products", query_string={"q": "Chè Xyzabc"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Không tìm thấy “Xyzabc”; hiển thị kết quả gần đúng." in html
    assert "Chè Shan Tuyết" in html
    response = client.get("/products", query_string={"q": "xyzabc"})
    assert response.status_code == 200
    assert "hiển thị kết quả gần đúng" not in response.get_data(as_text=True)


def test_names_holding_more_of_the_words_rank_first(make_listed):
    make_listed("Mật ong bạc hà")
    make_listed("Hồng trà cổ thụ", description="<p>Hương mật ong, vùng Hà Giang.</p>")  # newer
    assert names(q("mật ong hà giang")) == ["Mật ong bạc hà", "Hồng trà cổ thụ"]
