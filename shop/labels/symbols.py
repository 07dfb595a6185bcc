"""The three things on every label, as vector shapes: the star badge, the EAN-13
barcode and the verification QR code."""

import math

import barcode
import segno

from shop.catalog.gtin import normalize_gtin13
from shop.labels.drawing import Picture, Polygon, Rect, Shape, Text, fit_size

GREEN = "#1f6f43"
GOLD = "#c98a00"
BLACK = "#000000"
WHITE = "#ffffff"

EAN_QUIET_LEFT, EAN_QUIET_RIGHT = 11, 7  # modules, as GS1 requires for EAN-13
EAN_MODULES = 95
QR_BORDER = 4  # modules of quiet zone around a QR code


def _runs(bits) -> list[tuple[int, int]]:
    """(start, length) of each run of dark modules: one rectangle per bar."""
    runs, start = [], None
    for i, bit in enumerate(bits):
        if bit and start is None:
            start = i
        elif not bit and start is not None:
            runs.append((start, i - start))
            start = None
    if start is not None:
        runs.append((start, len(bits) - start))
    return runs


def ean13_height(module: float, bar_height: float) -> float:
    """From the top of the bars to the foot of the digits under them (round digits
    dip a little below their baseline)."""
    return bar_height + module * 9 * 0.73 + module * 0.8 + module * 0.25


def ean13(gtin: str, x: float, y: float, module: float, bar_height: float) -> list[Shape]:
    """EAN-13 at (x, y) top-left of its quiet zone: bars, longer guard bars and the
    human-readable digits. The GTIN is validated first: python-barcode would
    silently "correct" a wrong check digit into somebody else's number."""
    gtin = normalize_gtin13(gtin)
    pattern = barcode.get_barcode_class("ean13")(gtin, writer=None).build()[0]
    guards = set(range(0, 3)) | set(range(45, 50)) | set(range(92, 95))
    digit_size = module * 9 / 25.4 * 72  # font size of about 9 modules, in points
    digit_cap = module * 9 * 0.73  # how tall a digit stands above its baseline, mm
    guard_extra = digit_cap * 0.55  # guard bars reach down between the digit groups
    left = x + EAN_QUIET_LEFT * module
    shapes: list[Shape] = []
    for start, length in _runs([c == "1" for c in pattern]):
        long = start in guards
        shapes.append(
            Rect(
                left + start * module,
                y,
                length * module,
                bar_height + (guard_extra if long else 0),
                BLACK,
            )
        )
    baseline = y + bar_height + digit_cap + module * 0.8
    shapes.append(
        Text(x + EAN_QUIET_LEFT * module - module, baseline, gtin[0], digit_size, anchor="end")
    )
    for i, digit in enumerate(gtin[1:7]):
        shapes.append(
            Text(left + (3 + 7 * i + 3.5) * module, baseline, digit, digit_size, anchor="middle")
        )
    for i, digit in enumerate(gtin[7:]):
        shapes.append(
            Text(left + (50 + 7 * i + 3.5) * module, baseline, digit, digit_size, anchor="middle")
        )
    return shapes


def qr_modules(data: str) -> int:
    """Modules across the QR code of ``data``, quiet zone not counted."""
    return int(segno.make(data, error="m", micro=False).symbol_size(border=0)[0])


def qr(data: str, x: float, y: float, size: float) -> list[Shape]:
    """A QR code filling a ``size`` × ``size`` square, quiet zone included."""
    code = segno.make(data, error="m", micro=False)
    matrix = [list(row) for row in code.matrix]
    count = len(matrix) + 2 * QR_BORDER
    module = size / count
    shapes: list[Shape] = []
    for r, row in enumerate(matrix):
        for start, length in _runs(row):
            shapes.append(
                Rect(
                    x + (QR_BORDER + start) * module,
                    y + (QR_BORDER + r) * module,
                    length * module,
                    module,
                    BLACK,
                )
            )
    return shapes


def _star(cx: float, cy: float, r: float, fill: str) -> Polygon:
    points = []
    for k in range(10):
        angle = math.pi / 2 + k * math.pi / 5
        radius = r if k % 2 == 0 else r * 0.42
        points.append((cx + radius * math.cos(angle), cy - radius * math.sin(angle)))
    return Polygon(tuple(points), fill)


def _rounded(x: float, y: float, w: float, h: float, r: float, fill: str) -> Polygon:
    points = []
    for cx, cy, start in (
        (x + w - r, y + r, -90),
        (x + w - r, y + h - r, 0),
        (x + r, y + h - r, 90),
        (x + r, y + r, 180),
    ):
        for k in range(7):
            angle = math.radians(start + k * 15)
            points.append((cx + r * math.cos(angle), cy + r * math.sin(angle)))
    return Polygon(tuple(points), fill)


def _stars(stars: int, cx: float, cy: float, r: float) -> list[Shape]:
    gap = r * 2.1
    first = cx - gap * (stars - 1) / 2
    return [_star(first + i * gap, cy, r, GOLD) for i in range(stars)]


def official_badge(
    artwork: bytes, stars: int, year: int, x: float, y: float, size: float
) -> list[Shape]:
    """The official mark uploaded by staff, with the star rank and the year below it."""
    art = size * 0.7
    words = f"{stars} SAO · {year}"
    shapes: list[Shape] = [Picture(x + (size - art) / 2, y, art, art, artwork)]
    shapes += _stars(stars, x + size / 2, y + art + size * 0.08, size * 0.055)
    pt = fit_size(words, size * 0.9, size * 0.14 / 0.3528, bold=True)
    shapes.append(Text(x + size / 2, y + size * 0.97, words, pt, bold=True, anchor="middle"))
    return shapes


def badge(stars: int, year: int, x: float, y: float, size: float) -> list[Shape]:
    """Our own star-rank emblem (the official mark is a registered certification mark
    we do not have): "SẢN PHẨM OCOP", the stars, "4 SAO · 2026" (the year of
    recognition), in a square with rounded corners, whose width holds longer words
    than a ring of the same size. Dark green and gold with black text: legible in
    black and white at 11 mm."""
    ring = size * 0.055
    inner = size - 2 * ring
    cx = x + size / 2
    text_w = inner * 0.9
    mm_pt = 72 / 25.4
    product_pt = fit_size("SẢN PHẨM", text_w, size * 0.12 * mm_pt, bold=True)
    ocop_pt = fit_size("OCOP", text_w, size * 0.3 * mm_pt, bold=True)
    rank = f"{stars} SAO · {year}"
    rank_pt = fit_size(rank, text_w, size * 0.12 * mm_pt, bold=True)
    shapes: list[Shape] = [
        _rounded(x, y, size, size, size * 0.16, GREEN),
        _rounded(x + ring, y + ring, inner, inner, size * 0.11, WHITE),
        Text(cx, y + size * 0.25, "SẢN PHẨM", product_pt, bold=True, anchor="middle", fill=BLACK),
        Text(cx, y + size * 0.52, "OCOP", ocop_pt, bold=True, anchor="middle", fill=GREEN),
    ]
    shapes += _stars(stars, cx, y + size * 0.655, size * 0.062)
    shapes.append(Text(cx, y + size * 0.86, rank, rank_pt, bold=True, anchor="middle", fill=BLACK))
    return shapes
