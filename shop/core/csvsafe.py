"""CSV files for Excel, safe against formula injection: every export goes through here.

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is a formula to Excel and LibreOffice: a producer who names itself
``=HYPERLINK("http://x", "Bấm vào đây")`` would put a live link (or worse) in the
accountant's sheet. Such text gets a leading ``'`` (OWASP's advice), which the
spreadsheet shows as plain text. Numbers stay numbers: ints, and text that is a
plain number ("-5", "+84912345678") cannot run anything, so it is left alone.
"""

import csv
import io
import re
from collections.abc import Iterable
from decimal import Decimal

BOM = "\ufeff"  # so Excel reads the file as UTF-8 and shows Vietnamese letters
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A sign and digits (a decimal part allowed): a negative amount or a +84 phone.
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


def safe_cell(value) -> object:
    """The value as it may go into a CSV cell: numbers as they are, text defused."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal):
        return value
    text = str(value)  # lazy translations, enums
    if text.startswith(FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_bytes(header: Iterable, rows: Iterable[Iterable]) -> bytes:
    """UTF-8 with a byte-order mark; every cell, the header's too, through ``safe_cell``."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return (BOM + out.getvalue()).encode("utf-8")
