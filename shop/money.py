"""Vietnamese đồng: whole numbers only, one formatter for every page."""

import re

MIN_PRICE_VND = 1_000
MAX_PRICE_VND = 100_000_000


def format_vnd(amount: int | None) -> str:
    """125000 -> "125.000 ₫" (dot thousands separator, no decimals)."""
    if amount is None:
        return ""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError(f"money must be an int of đồng, got {type(amount).__name__}")
    sign = "-" if amount < 0 else ""
    return f"{sign}{abs(amount):,}".replace(",", ".") + " ₫"


_AMOUNT = re.compile(r"\d+|\d{1,3}(?:\.\d{3})+|\d{1,3}(?: \d{3})+")


def parse_vnd(text: str) -> int:
    """Parse what a person types ("125.000", "125 000 ₫", "125000") into đồng.

    Raises ValueError for anything that is not a whole number of đồng.
    """
    cleaned = text.strip().removesuffix("₫").removesuffix("đ").removesuffix("VND").strip()
    cleaned = cleaned.replace("\u00a0", " ")
    # Thousands are grouped by "." or " " in threes; "12.5" is not 125 đồng.
    if not cleaned.isascii() or not _AMOUNT.fullmatch(cleaned):
        raise ValueError(f"not a whole number of đồng: {text!r}")
    return int(cleaned.replace(".", "").replace(" ", ""))
