"""Vietnamese đồng: whole numbers only, one formatter for every page."""

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


def parse_vnd(text: str) -> int:
    """Parse what a person types ("125.000", "125 000 ₫", "125000") into đồng.

    Raises ValueError for anything that is not a whole number of đồng.
    """
    cleaned = text.strip().removesuffix("₫").removesuffix("đ").removesuffix("VND").strip()
    cleaned = cleaned.replace(".", "").replace(" ", "").replace("\u00a0", "")
    if not cleaned.isdigit() or not cleaned.isascii():
        raise ValueError(f"not a whole number of đồng: {text!r}")
    return int(cleaned)
