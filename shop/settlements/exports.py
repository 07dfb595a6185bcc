"""What the settlement pages and their CSV exports share: the basis-point
format ("5 %", "0,5 %"), the declared tax number and its kind, a CSV response."""

from flask import current_app

from shop.core.csvsafe import csv_bytes
from shop.producers.taxid import kind_of
from shop.settlements.models import Settlement


def format_bps(bps: int) -> str:
    """500 -> "5 %", 50 -> "0,5 %" (a Vietnamese decimal comma)."""
    whole, rest = divmod(bps, 100)
    return f"{whole},{rest:02d}".rstrip("0").rstrip(",") + " %"


def csv_response(header, rows, filename: str):
    response = current_app.response_class(csv_bytes(header, rows), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def tax_id_of(settlement: Settlement) -> str:
    """The number a paid settlement was declared under; the profile's for a draft."""
    return settlement.tax_id or settlement.producer.tax_id or ""


def tax_id_label(tax_id: str) -> str:
    return str(kind_of(tax_id).label) if tax_id else ""
