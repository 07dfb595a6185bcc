"""Alcohol: Law 44/2019/QH14 on preventing the harms of alcohol and its Decree
24/2020/NĐ-CP.

A product's alcohol content is stored in tenths of a percent by volume
(``Product.abv_tenths``: 295 is 29.5 %). A product whose ABV is above 0 is
alcohol; products of the alcoholic product sets (``ProductSet.alcoholic``: white
spirits, other alcoholic drinks) must declare it. The law's own definition starts
at 0.5 %; we treat any declared alcohol as alcohol, the stricter reading.

* Spirits of 15 % or more are never advertised: they join no campaign and no
  promotional block (the home page's featured, campaign and newest sections).
  The law restricts advertising, not listing or selling: they stay in the
  catalogue, its search and their product pages, which state the facts a label
  states.
* No alcohol is sold to anyone under 18: a buyer whose cart holds alcohol
  confirms being 18 or older at checkout (the form and ``place_order`` both
  refuse without it), and product pages carry an "18+" note.
"""

from decimal import Decimal, InvalidOperation

ADVERTISING_BAN_FROM_TENTHS = 150  # 15 % ABV
MAX_ABV_TENTHS = 1000  # 100 %


def is_alcohol(abv_tenths: int | None) -> bool:
    return abv_tenths is not None and abv_tenths > 0


def advertising_banned(abv_tenths: int | None) -> bool:
    return abv_tenths is not None and abv_tenths >= ADVERTISING_BAN_FROM_TENTHS


def parse_abv(text: str) -> int:
    """ "29,5", "29.5", "29,5 %" or "40" -> tenths of a percent (295, 400).

    ValueError for anything else: more than one decimal, out of 0-100."""
    cleaned = text.strip().removesuffix("%").strip().replace(",", ".")
    if not cleaned or not all(c.isdigit() or c == "." for c in cleaned) or not cleaned.isascii():
        raise ValueError(text)
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(text) from None
    tenths = value * 10
    if tenths != tenths.to_integral_value() or not 0 <= tenths <= MAX_ABV_TENTHS:
        raise ValueError(text)
    return int(tenths)


def format_abv(abv_tenths: int) -> str:
    """295 -> "29,5%", 400 -> "40%" (Vietnamese decimal comma)."""
    whole, tenth = divmod(abv_tenths, 10)
    return f"{whole},{tenth}%" if tenth else f"{whole}%"


def advertisable():
    """The SQL condition of a product that may be advertised (no spirits of 15 %+)."""
    from sqlalchemy import or_

    from shop.catalog.models import Product

    return or_(Product.abv_tenths.is_(None), Product.abv_tenths < ADVERTISING_BAN_FROM_TENTHS)
