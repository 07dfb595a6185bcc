"""The listing rule: verified producer, published product, certificate valid today."""

from datetime import date, timedelta

import pytest
from werkzeug.datastructures import MultiDict

from shop.catalog.services import archive_product, unpublish_product
from shop.certification.rules import last_valid_day
from shop.certification.services import revoke_certificate
from shop.extensions import db
from shop.storefront.queries import CatalogQuery, facets, search_products
from tests.factories import OTHER_PROVINCE, OTHER_WARD, make_producer

TODAY = date(2026, 11, 28)


def names(cq=None, today=TODAY):
    return [item.name for item in search_products(cq or CatalogQuery(), today).items]


def test_listed_product_is_seen(make_listed):
    make_listed("Chè Shan Tuyết Lũng Phìn")
    assert names() == ["Chè Shan Tuyết Lũng Phìn"]


def test_draft_and_archived_products_are_not_listed(make_listed, make_product, make_certificate):
    draft = make_product(name="Bản nháp")
    make_certificate(draft)
    archived = make_listed("Lưu trữ")
    archive_product(archived)
    unpublished = make_listed("Ngừng bán")
    unpublish_product(unpublished)
    db.session.commit()
    assert names() == []


def test_product_of_unverified_producer_is_not_listed(
    make_producer, make_product, make_certificate
):
    producer = make_producer(verified=False)
    product = make_product(producer, name="Chưa xác minh")
    product.status = product.status.PUBLISHED  # published earlier, before a new review
    make_certificate(product, verified=False)
    db.session.commit()
    assert names() == []


def test_product_without_verified_certificate_is_not_listed(make_product, make_certificate):
    product = make_product(name="Chờ duyệt", published=True)
    make_certificate(product, verified=False)
    assert names() == []


def test_certificate_expiring_between_two_requests(make_listed):
    decided = date(2023, 12, 1)
    make_listed("Sắp hết hạn", decision_date=decided)
    last_valid = last_valid_day(decided)
    assert last_valid == date(2026, 12, 1)
    assert names(today=last_valid) == ["Sắp hết hạn"]
    assert names(today=last_valid + timedelta(days=1)) == []


def test_revoked_certificate_unlists_at_once(make_listed, staff):
    product = make_listed("Bị thu hồi")
    assert names() == ["Bị thu hồi"]
    from shop.certification.queries import current_certificate

    revoke_certificate(current_certificate(product), staff, "Không đạt")
    db.session.commit()
    assert names() == []


def test_re_rated_product_is_listed_once_with_its_new_stars(make_listed, make_certificate):
    product = make_listed("Đánh giá lại", stars=3, decision_date=date(2024, 1, 10))
    make_certificate(product, stars=4, decision_date=date(2026, 10, 1))
    page = search_products(CatalogQuery(), TODAY)
    assert [(i.name, i.stars) for i in page.items] == [("Đánh giá lại", 4)]
    assert page.total == 1


def _q(**args):
    return CatalogQuery.from_args(MultiDict({k: str(v) for k, v in args.items()}))


@pytest.fixture
def catalogue(make_listed):
    other = make_producer(province_code=OTHER_PROVINCE, ward_code=OTHER_WARD)
    make_listed("Chè xanh", stars=3, price=100_000)
    make_listed("Chè đen", stars=4, price=200_000, stock=0)
    make_listed("Rượu ngô", stars=5, price=300_000, set_code="II.01", producer=other)
    return other


def test_filters(catalogue):
    assert set(names(_q(stars=4))) == {"Chè đen", "Rượu ngô"}
    assert names(_q(stars=5)) == ["Rượu ngô"]
    assert set(names(_q(min_price=150000))) == {"Chè đen", "Rượu ngô"}
    assert names(_q(max_price="100.000")) == ["Chè xanh"]
    assert "Chè đen" not in names(_q(in_stock=1))
    assert names(_q(province=OTHER_PROVINCE)) == ["Rượu ngô"]
    from tests.factories import product_set

    assert names(_q(set=product_set("II.01").id)) == ["Rượu ngô"]


def test_sorts(catalogue):
    assert names(_q(sort="price_asc")) == ["Chè xanh", "Chè đen", "Rượu ngô"]
    assert names(_q(sort="price_desc")) == ["Rượu ngô", "Chè đen", "Chè xanh"]
    assert names(_q(sort="stars"))[0] == "Rượu ngô"


def test_facets_count_each_dimension_with_the_other_filters(catalogue):
    from tests.factories import PROVINCE

    result = facets(_q(stars=4), TODAY)
    provinces = {f.key: f.count for f in result.provinces}
    assert provinces == {PROVINCE: 1, OTHER_PROVINCE: 1}
    assert dict(result.stars) == {3: 3, 4: 2, 5: 1}  # stars ignore their own filter
    result = facets(_q(province=OTHER_PROVINCE), TODAY)
    assert dict(result.stars) == {3: 1, 4: 1, 5: 1}
    assert {f.label_vi: f.count for f in result.product_sets} == {"Rượu trắng": 1}
    assert {f.key: f.count for f in result.provinces} == {PROVINCE: 2, OTHER_PROVINCE: 1}


def test_pagination(make_listed):
    for n in range(30):
        make_listed(f"Sản phẩm {n:02d}", stars=3)
    first = search_products(_q(sort="newest"), TODAY)
    second = search_products(_q(sort="newest", page=2), TODAY)
    assert (len(first.items), len(second.items), first.total, first.pages) == (24, 6, 30, 2)
    assert not {i.id for i in first.items} & {i.id for i in second.items}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"page": "-1"}, {"page": 1}),
        ({"page": "abc"}, {"page": 1}),
        ({"stars": "abc"}, {"stars": None}),
        ({"stars": "2"}, {"stars": 3}),
        ({"stars": "9"}, {"stars": None}),
        ({"min_price": "1e99"}, {"min_price": None}),
        ({"min_price": "99999999999999999999999"}, {"min_price": None}),
        ({"max_price": "-5"}, {"max_price": None}),
        ({"province": "0x10"}, {"province": None}),
        ({"sort": "drop table"}, {"sort": "relevance"}),
        ({"q": "x" * 500}, {"q": "x" * 200}),
    ],
)
def test_bad_parameters_are_ignored_cleanly(args, expected):
    cq = CatalogQuery.from_args(MultiDict(args))
    for key, value in expected.items():
        assert getattr(cq, key) == value


def test_args_round_trip_into_a_shareable_url():
    cq = _q(q="chè", stars=4, province=8, min_price=1000, in_stock=1, sort="price_asc", page=2)
    assert CatalogQuery.from_args(MultiDict(cq.args())) == cq
