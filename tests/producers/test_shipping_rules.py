"""Shipping fees as pure rules: zones, weights at their boundaries, the
free-shipping threshold, and the flat fee as the simple case."""

import pytest

from shop.localities.regions import REGION_OF_PROVINCE, Region, region_of
from shop.producers.rules import (
    Rate,
    ShippingMode,
    ShippingTerms,
    Zone,
    depends_on_destination,
    extra_steps,
    lowest_fee,
    shipping_fee,
    zone_of,
)

TUYEN_QUANG, LAO_CAI, HA_NOI, HUE, DA_NANG, HCM, CA_MAU = 8, 15, 1, 46, 48, 79, 96

ZONED = ShippingTerms(
    mode=ShippingMode.ZONES,
    flat_fee_vnd=30_000,
    free_over_vnd=None,
    base_grams=1_000,
    rates={
        Zone.SAME_PROVINCE: Rate(20_000, 3_000),
        Zone.SAME_REGION: Rate(30_000, 5_000),
        Zone.FAR: Rate(40_000, 8_000),
    },
)


def fee(terms=ZONED, subtotal=200_000, grams=800, zone=Zone.FAR):
    return shipping_fee(terms, subtotal_vnd=subtotal, grams=grams, zone=zone)


def test_zones_compare_the_provinces_and_their_regions():
    assert zone_of(TUYEN_QUANG, TUYEN_QUANG) is Zone.SAME_PROVINCE
    assert zone_of(TUYEN_QUANG, LAO_CAI) is Zone.SAME_REGION
    assert zone_of(TUYEN_QUANG, HA_NOI) is Zone.SAME_REGION
    assert zone_of(HUE, DA_NANG) is Zone.SAME_REGION
    assert zone_of(HCM, CA_MAU) is Zone.SAME_REGION
    assert zone_of(TUYEN_QUANG, HCM) is Zone.FAR
    assert zone_of(HUE, HCM) is Zone.FAR
    assert zone_of(HA_NOI, HUE) is Zone.FAR


def test_an_unknown_province_is_far_never_cheaper():
    assert zone_of(TUYEN_QUANG, 9999) is Zone.FAR
    assert zone_of(9999, 9998) is Zone.FAR
    assert region_of(None) is None


def test_the_region_table_covers_the_34_provinces(app):
    from sqlalchemy import select

    from shop.extensions import db
    from shop.localities.models import Province

    codes = set(db.session.scalars(select(Province.code)))
    assert len(codes) == 34
    assert set(REGION_OF_PROVINCE) == codes
    counts = {r: list(REGION_OF_PROVINCE.values()).count(r) for r in Region}
    assert counts == {Region.NORTH: 15, Region.CENTRAL: 11, Region.SOUTH: 8}


@pytest.mark.parametrize(
    ("grams", "steps"),
    [(0, 0), (1, 0), (1_000, 0), (1_001, 1), (1_500, 1), (1_501, 2), (2_000, 2), (10_000, 18)],
)
def test_each_further_500_g_or_part_of_it_is_one_step(grams, steps):
    assert extra_steps(grams, 1_000) == steps


def test_a_base_of_zero_grams_charges_every_half_kilo():
    assert extra_steps(1, 0) == 1
    assert extra_steps(500, 0) == 1
    assert extra_steps(501, 0) == 2


def test_fee_by_zone_and_weight():
    assert fee(zone=Zone.SAME_PROVINCE, grams=1_000) == 20_000
    assert fee(zone=Zone.SAME_PROVINCE, grams=1_001) == 23_000
    assert fee(zone=Zone.SAME_REGION, grams=1_500) == 35_000
    assert fee(zone=Zone.SAME_REGION, grams=1_501) == 40_000
    assert fee(zone=Zone.FAR, grams=3_000) == 40_000 + 4 * 8_000


def test_free_shipping_from_the_threshold_in_both_modes():
    zoned = ShippingTerms(**{**ZONED.__dict__, "free_over_vnd": 500_000})
    assert fee(zoned, subtotal=499_999, grams=5_000) == 40_000 + 8 * 8_000
    assert fee(zoned, subtotal=500_000, grams=5_000) == 0
    flat = ShippingTerms(flat_fee_vnd=25_000, free_over_vnd=500_000)
    assert fee(flat, subtotal=499_999) == 25_000
    assert fee(flat, subtotal=500_000) == 0


def test_flat_fee_ignores_weight_and_zone():
    flat = ShippingTerms(mode=ShippingMode.FLAT, flat_fee_vnd=30_000, rates=ZONED.rates)
    assert {fee(flat, grams=g, zone=z) for g in (0, 999_999) for z in Zone} == {30_000}
    assert not depends_on_destination(flat, subtotal_vnd=100_000, grams=5_000)


def test_nothing_to_ship_costs_nothing():
    assert fee(subtotal=0, grams=0) == 0
    assert fee(ShippingTerms(), subtotal=0) == 0


def test_the_cart_shows_the_lowest_fee_until_a_province_is_named():
    assert lowest_fee(ZONED, subtotal_vnd=200_000, grams=1_200) == 23_000
    assert depends_on_destination(ZONED, subtotal_vnd=200_000, grams=1_200)
    free = ShippingTerms(**{**ZONED.__dict__, "free_over_vnd": 100_000})
    assert not depends_on_destination(free, subtotal_vnd=200_000, grams=1_200)


def test_fees_are_whole_dong():
    assert all(isinstance(fee(zone=z, grams=g), int) for z in Zone for g in (0, 1_234, 7_777))
