"""schema.org structured data as plain dicts, and their one safe way into a page."""

import json
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

SCHEMA = "https://schema.org"
IN_STOCK = f"{SCHEMA}/InStock"
OUT_OF_STOCK = f"{SCHEMA}/OutOfStock"
NEW_CONDITION = f"{SCHEMA}/NewConditionOffer"

# JSON is JavaScript, and an HTML parser ends a script at the first "</": every
# character that could close the element, open a comment or start an entity is
# written as its \\u escape, which JSON reads back as the same character.
_SCRIPT_SAFE = str.maketrans(
    {
        "<": "\\u003c",
        ">": "\\u003e",
        "&": "\\u0026",
        "'": "\\u0027",
        "\u2028": "\\u2028",
        "\u2029": "\\u2029",
    }
)


def script_tag(data: dict) -> Markup:
    """``<script type="application/ld+json">`` holding ``data``, safe whatever its text."""
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_SAFE)
    # The payload cannot contain "<", ">" or "&" any more (translated above).
    return Markup('<script type="application/ld+json">%s</script>') % Markup(payload)  # noqa: S704


@dataclass(frozen=True)
class Party:
    """A producer as the brand and the seller: its name and its page."""

    name: str
    url: str


def product(
    *,
    name: str,
    url: str,
    description: str,
    images: Sequence[str],
    price_vnd: int,
    in_stock: bool,
    producer: Party,
    gtin: str | None = None,
    rating: tuple[float, int] | None = None,
) -> dict:
    """A schema.org Product with one Offer in whole đồng.

    ``rating`` is (average, count) of published reviews: aggregateRating only
    when there is at least one, since a rating of nothing is a false claim."""
    data: dict = {
        "@context": SCHEMA,
        "@type": "Product",
        "name": name,
        "url": url,
        "description": description,
        "brand": {"@type": "Brand", "name": producer.name, "url": producer.url},
        "manufacturer": {"@type": "Organization", "name": producer.name, "url": producer.url},
        "offers": {
            "@type": "Offer",
            "url": url,
            "price": int(price_vnd),  # VND has no minor unit: the integer is the price
            "priceCurrency": "VND",
            "availability": IN_STOCK if in_stock else OUT_OF_STOCK,
            "itemCondition": NEW_CONDITION,
            "seller": {"@type": "Organization", "name": producer.name, "url": producer.url},
        },
    }
    if images:
        data["image"] = list(images)
    if gtin:
        data["sku"] = gtin
        data[_gtin_property(gtin)] = gtin
    if rating is not None:
        average, count = rating
        if count > 0:
            data["aggregateRating"] = {
                "@type": "AggregateRating",
                "ratingValue": round(float(average), 1),
                "reviewCount": int(count),
                "bestRating": 5,
                "worstRating": 1,
            }
    return data


def _gtin_property(gtin: str) -> str:
    return {8: "gtin8", 12: "gtin12", 13: "gtin13", 14: "gtin14"}.get(len(gtin), "gtin")


def breadcrumbs(items: Sequence[tuple[str, str]]) -> dict:
    """A BreadcrumbList of (name, absolute url), outermost first."""
    return {
        "@context": SCHEMA,
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": n, "name": name, "item": url}
            for n, (name, url) in enumerate(items, start=1)
        ],
    }
