"""CSV files for Excel: UTF-8 with a byte-order mark, money as whole đồng."""

import csv
import io
from collections.abc import Iterable

BOM = "\ufeff"
# A cell starting with one of these is a formula to Excel: a producer named
# "=HYPERLINK(...)" must stay text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_bytes(header: Iterable, rows: Iterable[Iterable]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([str(h) for h in header])
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return (BOM + out.getvalue()).encode("utf-8")
