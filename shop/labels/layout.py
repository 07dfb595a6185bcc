"""Where things go on a label, and the sheets of common label stock."""

from dataclasses import dataclass
from datetime import date

from shop.labels.drawing import Rect, Shape, Text, text_width
from shop.labels.symbols import badge, ean13, ean13_width, official_badge, qr

PADDING = 2.0  # mm
EAN_MODULE = 0.33  # mm: the GS1 nominal size (100 %)


@dataclass(frozen=True)
class LabelContent:
    code: str
    verify_url: str
    product_name: str
    producer_name: str
    province: str
    pack: str
    stars: int
    year: int
    decision_number: str
    valid_until: date
    gtin: str | None
    artwork: bytes | None = None  # PNG of the official mark uploaded by staff, replaces our emblem


@dataclass(frozen=True)
class SheetLayout:
    name: str
    cols: int
    rows: int
    width: float  # label, mm
    height: float
    left: float  # margins and gaps, mm
    top: float
    col_gap: float = 0.0
    row_gap: float = 0.0

    @property
    def per_sheet(self) -> int:
        return self.cols * self.rows

    def position(self, index: int) -> tuple[float, float]:
        """Top-left (mm) of label ``index`` (0-based, row by row) on an A4 page."""
        row, col = divmod(index, self.cols)
        return (
            self.left + col * (self.width + self.col_gap),
            self.top + row * (self.height + self.row_gap),
        )


A4 = (210.0, 297.0)
SHEETS = {
    "3x8": SheetLayout("3x8", 3, 8, 70.0, 37.0, left=0.0, top=0.5),
    "2x7": SheetLayout("2x7", 2, 7, 99.1, 38.1, left=4.65, top=15.15, col_gap=2.5),
    "2x5": SheetLayout("2x5", 2, 5, 99.1, 57.0, left=4.65, top=6.0, col_gap=2.5),
}
SINGLE = SHEETS["3x8"]  # the size of a single-label download


def _fit(text: str, size: float, width: float, bold: bool = False, lines: int = 1) -> list[str]:
    """Wrap ``text`` into at most ``lines`` lines of ``width`` mm; shorten the last."""
    words, out, line = text.split(), [], ""
    for word in words:
        candidate = f"{line} {word}".strip()
        if text_width(candidate, size, bold) <= width or not line:
            line = candidate
        else:
            out.append(line)
            line = word
    if line:
        out.append(line)
    if len(out) > lines:
        out = out[:lines]
        out[-1] += "…"
    while out and text_width(out[-1], size, bold) > width:
        out[-1] = out[-1][:-2] + "…"
    return out


def label_shapes(content: LabelContent, width: float, height: float) -> list[Shape]:
    p = PADDING
    column = min((height - 2 * p - 1) / 2, width * 0.3)
    shapes: list[Shape] = [Rect(0, 0, width, height, "#ffffff")]
    if content.artwork:
        shapes += official_badge(content.artwork, content.stars, p, p, column)
    else:
        shapes += badge(content.stars, content.year, p, p, column)
    shapes += qr(content.verify_url, p, p + column + 1, column)
    x = p + column + 2.0
    room = width - x - p
    y = p + 2.6
    for line in _fit(content.product_name, 8, room, bold=True, lines=2):
        shapes.append(Text(x, y, line, 8, bold=True))
        y += 3.2
    details = [
        (content.producer_name, 6),
        (content.province, 6),
        (content.pack, 6),
        (f"QĐ OCOP {content.decision_number}", 5.5),
        (f"Hiệu lực đến {content.valid_until.strftime('%d/%m/%Y')}", 5.5),
    ]
    for text, size in details:
        if not text:
            continue
        for line in _fit(text, size, room):
            shapes.append(Text(x, y, line, size))
            y += size * 0.42
    if content.gtin:
        module = EAN_MODULE
        code_width = ean13_width(module)
        digits = module * 9 * 0.73 + module * 1.5  # the digit row under the bars
        bar_height = max(5.0, height - p - y - digits - 0.5)
        bar_height = min(bar_height, 22.85)
        top = height - p - bar_height - digits
        shapes += ean13(
            content.gtin, x + max(0.0, (room - code_width) / 2) - 1.0, top, module, bar_height
        )
    return shapes
