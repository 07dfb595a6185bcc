"""One product as a shopping engine reads it: the fields both feeds share."""

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from shop.feeds.queries import Row
from shop.seo.rules import plain_text, shorten

TITLE_MAX = 150  # Google's limit; Meta's is 200
DESCRIPTION_MAX = 5000  # Google's limit; Meta's is 9,999
IN_STOCK, OUT_OF_STOCK = "in stock", "out of stock"
CONDITION = "new"

# Characters XML 1.0 cannot hold at all (not even escaped): C0 controls other than
# tab and newlines, lone surrogates, U+FFFE and U+FFFF. A producer's text pasted
# from a word processor can carry them; a feed with one is unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean(text: str | None) -> str:
    return _NOT_XML.sub("", text or "")


@dataclass(frozen=True, slots=True)
class FeedItem:
    id: str
    title: str
    description: str
    link: str
    image_link: str | None
    price: str  # "123000 VND": whole đồng, as both engines read a price
    availability: str
    brand: str
    gtin: str | None
    product_type: str
    condition: str = CONDITION


def price_text(price_vnd: int) -> str:
    return f"{int(price_vnd)} VND"


def feed_items(
    rows: Iterable[Row], link: Callable[[str], str], image: Callable[[str], str]
) -> Iterator[FeedItem]:
    """``link(slug)`` and ``image(path)`` make the absolute addresses."""
    for row in rows:
        name = clean(row.name)
        title = shorten(f"{name} {clean(row.pack)}".strip(), TITLE_MAX)
        # Cleaned after the tags go too: an entity (&#1;) unescapes to a control character.
        description = " ".join(clean(plain_text(row.description_html, DESCRIPTION_MAX)).split())
        if not description:
            # Both engines require one: say what the product is and who makes it.
            description = shorten(f"{title}. {clean(row.brand)}.", DESCRIPTION_MAX)
        yield FeedItem(
            id=str(row.id),
            title=title,
            description=description,
            link=link(row.slug),
            image_link=image(row.photo_path) if row.photo_path else None,
            price=price_text(row.price_vnd),
            availability=IN_STOCK if row.in_stock else OUT_OF_STOCK,
            brand=clean(row.brand),
            gtin=row.gtin or None,
            product_type=f"{clean(row.industry)} > {clean(row.product_set)}",
        )
