"""Pick-up codes: short, ASCII, read aloud or typed without confusion."""

import secrets

# No 0/O, 1/I: a code read off a phone screen is typed right the first time.
PICKUP_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
PICKUP_CODE_LENGTH = 8  # 32**8: about 10**12 codes


def new_pickup_code() -> str:
    return "".join(secrets.choice(PICKUP_ALPHABET) for _ in range(PICKUP_CODE_LENGTH))


def normalise_pickup_code(text: str | None) -> str | None:
    """What was typed or scanned ("abcd-efgh", " ABCD EFGH ") as a stored code, or
    None when it cannot be one."""
    code = "".join((text or "").split()).replace("-", "").upper()[:40]
    if len(code) != PICKUP_CODE_LENGTH or any(c not in PICKUP_ALPHABET for c in code):
        return None
    return code


def display_pickup_code(code: str) -> str:
    """ "ABCD-EFGH": two groups of four, easier to read out."""
    return f"{code[:4]}-{code[4:]}" if code else ""
