"""GTIN-13 (EAN-13) checks. The marketplace never invents a number.

python-barcode silently replaces a wrong check digit with the right one, which
would turn a typo into somebody else's product: check first, reject a wrong one.
"""

VIETNAM_GS1_PREFIX = "893"


class InvalidGtin(ValueError):
    pass


def check_digit(first12: str) -> int:
    """Weights 1,3,1,3… over the first 12 digits; check = (10 − sum mod 10) mod 10."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return (10 - total % 10) % 10


def normalize_gtin13(text: str) -> str:
    """Return the 13 digits, or raise InvalidGtin with a reason."""
    digits = "".join(text.split()).replace("-", "")
    if not (digits.isascii() and digits.isdigit()) or len(digits) != 13:
        raise InvalidGtin("length")
    if check_digit(digits[:12]) != int(digits[12]):
        raise InvalidGtin("check digit")
    return digits


def is_vietnamese(gtin13: str) -> bool:
    return gtin13.startswith(VIETNAM_GS1_PREFIX)


def gtin14(gtin13: str) -> str:
    """The GTIN-14 of a GTIN-13 (for GS1 Digital Link paths): a leading zero."""
    return "0" + gtin13
