"""Vietnamese phone numbers: 0xxxxxxxxx or +84xxxxxxxxx, stored as 0xxxxxxxxx."""

import re

_SEPARATORS = re.compile(r"[\s.\-()]")
# Mobile numbers: 0 + 3/5/7/8/9 + 8 digits; landlines: 02 + 9 digits.
_VALID = re.compile(r"^0(?:[35789]\d{8}|2\d{9})$")


def normalize_phone(text: str) -> str | None:
    """Return the national form "0912345678", or None when it is not a VN number."""
    number = _SEPARATORS.sub("", text.strip())
    if number.startswith("+84"):
        number = "0" + number[3:]
    elif number.startswith("84") and len(number) in (11, 12):
        number = "0" + number[2:]
    if not number.isascii() or not _VALID.match(number):
        return None
    return number
