"""Vietnamese text folding for search and slugs."""

import re
import unicodedata

_D_MAP = str.maketrans({"đ": "d", "Đ": "D"})


def fold(text: str) -> str:
    """Lower-case, without diacritics: "Chè Shan Tuyết" -> "che shan tuyet".

    "đ" has no Unicode decomposition, so it is mapped by hand; NFC and NFD input
    give the same result.
    """
    decomposed = unicodedata.normalize("NFD", text.translate(_D_MAP))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped).lower()


def slugify(text: str, max_length: int = 80) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")
    return slug[:max_length].rstrip("-") or "x"
