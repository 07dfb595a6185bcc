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


# Well-formed EAN-13s that no OCOP package may carry: they are not a brand owner's
# trade item number. GS1 General Specifications, prefix table: 02, 04 and 20–29 are
# restricted circulation numbers (in-store and variable-measure items, valid only
# inside one company or country), 977 is ISSN (periodicals), 978–979 ISBN/ISMN
# (books, music), 98–99 refund receipts and coupons. All zeros is no number at all.
# The first matching row wins; prefixes are compared on the GTIN-13's first digits.
REFUSED_PREFIXES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("02", "04", *(str(n) for n in range(20, 30))), "restricted"),
    (("977", "978", "979"), "publication"),
    (("98", "99"), "coupon"),
)


def refusal(gtin13: str) -> str | None:
    """Why a well-formed GTIN-13 may not go on an OCOP product, or None:
    ``restricted``, ``publication``, ``coupon`` or ``zeros``."""
    if gtin13 == "0" * 13:
        return "zeros"
    for prefixes, reason in REFUSED_PREFIXES:
        if gtin13.startswith(prefixes):
            return reason
    return None


def ocop_gtin13(text: str) -> str:
    """The 13 digits of a number an OCOP product may carry, or InvalidGtin with a
    reason: ``length``, ``check digit``, or one of :func:`refusal`'s. A non-893
    prefix is accepted here (the listing form warns about it)."""
    gtin13 = normalize_gtin13(text)
    reason = refusal(gtin13)
    if reason is not None:
        raise InvalidGtin(reason)
    return gtin13
