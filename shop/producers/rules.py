"""Shipping fees, as pure rules in whole đồng.

A producer charges either one flat fee per order ("flat", the default, as before)
or a fee by weight and destination zone ("zones"): for each zone a base fee that
covers the first ``base_grams`` of the parcel, plus a fee for every further 500 g
or part of it. Both modes share the free-shipping threshold: an order whose
subtotal reaches it ships free.

Zones compare the destination province with the producer's: the same province,
the same region (shop/localities/regions.py), or farther.
"""

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from shop.localities.regions import region_of

STEP_GRAMS = 500
MAX_FEE_VND = 5_000_000
MAX_BASE_GRAMS = 100_000


class ShippingMode(enum.StrEnum):
    FLAT = "flat"  # one fee per order
    ZONES = "zones"  # by weight and destination zone


class Zone(enum.StrEnum):
    SAME_PROVINCE = "same_province"  # nội tỉnh
    SAME_REGION = "same_region"  # nội miền
    FAR = "far"  # liên miền


ZONES = (Zone.SAME_PROVINCE, Zone.SAME_REGION, Zone.FAR)


def zone_of(origin_province: int, destination_province: int) -> Zone:
    """An unknown province (not in the region table) is far: never undercharged."""
    if origin_province == destination_province:
        return Zone.SAME_PROVINCE
    origin = region_of(origin_province)
    if origin is not None and origin == region_of(destination_province):
        return Zone.SAME_REGION
    return Zone.FAR


@dataclass(frozen=True)
class Rate:
    base_vnd: int  # the first ``base_grams``
    per_step_vnd: int  # each further 500 g or part of it


@dataclass(frozen=True)
class ShippingTerms:
    mode: ShippingMode = ShippingMode.FLAT
    flat_fee_vnd: int = 30_000
    free_over_vnd: int | None = None
    base_grams: int = 1_000
    rates: Mapping[Zone, Rate] = field(default_factory=dict)


def extra_steps(grams: int, base_grams: int) -> int:
    """How many 500 g steps beyond the base weight: 1 g over is one step."""
    over = grams - base_grams
    return -(-over // STEP_GRAMS) if over > 0 else 0


def ships_free(terms: ShippingTerms, subtotal_vnd: int) -> bool:
    return terms.free_over_vnd is not None and subtotal_vnd >= terms.free_over_vnd


def shipping_fee(terms: ShippingTerms, *, subtotal_vnd: int, grams: int, zone: Zone) -> int:
    """The fee of one producer's parcel (nothing to ship costs nothing)."""
    if subtotal_vnd <= 0 or ships_free(terms, subtotal_vnd):
        return 0
    if terms.mode is ShippingMode.FLAT:
        return terms.flat_fee_vnd
    rate = terms.rates[zone]
    return rate.base_vnd + extra_steps(grams, terms.base_grams) * rate.per_step_vnd


def lowest_fee(terms: ShippingTerms, *, subtotal_vnd: int, grams: int) -> int:
    """The least the parcel can cost anywhere: the cart's "from" figure before
    the buyer names a province."""
    return min(shipping_fee(terms, subtotal_vnd=subtotal_vnd, grams=grams, zone=z) for z in ZONES)


def depends_on_destination(terms: ShippingTerms, *, subtotal_vnd: int, grams: int) -> bool:
    fees = {shipping_fee(terms, subtotal_vnd=subtotal_vnd, grams=grams, zone=z) for z in ZONES}
    return len(fees) > 1
