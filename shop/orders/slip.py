"""The packing slip's QR code: the order number, as inline SVG for the page and
as PNG for whoever needs a picture (and the tests, which decode it)."""

import io

import segno
from markupsafe import Markup

QR_BORDER = 4  # modules of quiet zone, as the QR standard asks


def _order_qr(number: str) -> segno.QRCode:
    if not number:
        raise ValueError("an order number is needed")
    return segno.make(number, error="m", micro=False)


def order_qr_svg(number: str, *, scale: int = 4) -> Markup:
    """Inline <svg> (no XML declaration); segno escapes the title."""
    svg = _order_qr(number).svg_inline(scale=scale, border=QR_BORDER, title=number)
    return Markup(svg)  # noqa: S704 - segno's own markup, the title escaped by it


def order_qr_png(number: str, *, scale: int = 8) -> bytes:
    buf = io.BytesIO()
    _order_qr(number).save(buf, kind="png", scale=scale, border=QR_BORDER)
    return buf.getvalue()
