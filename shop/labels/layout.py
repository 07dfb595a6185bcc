"""Where things go on a label, and the sheets of common label stock.

Three rules shape every label:
- the EAN-13 is printed at 100 % (X = 0.33 mm) with its nominal bar height,
  22.85 mm, and its quiet zones: never truncated to make room;
- nothing is inked nearer than 4 mm to the sheet's edge (office printers clip):
  a sheet's labels keep the insets that its outermost labels need;
- the verification code is printed in words beside the QR, with the short
  address to type it at, for a buyer without a phone.
"""

from dataclasses import dataclass, field
from datetime import date

from shop.certification.queries import group_code
from shop.labels.drawing import PT, Box, Shape, Text, fit_size, text_ink, text_width
from shop.labels.symbols import (
    EAN_MODULES,
    EAN_QUIET_LEFT,
    EAN_QUIET_RIGHT,
    QR_BORDER,
    badge,
    ean13,
    ean13_height,
    official_badge,
    qr,
    qr_modules,
)

PADDING = 2.0  # mm: the least room inside a label's own edge (die-cut tolerance)
SHEET_MARGIN = 4.0  # mm: nothing nearer the sheet's edge than this
EAN_MODULE = 0.33  # mm: the X-dimension of GS1's nominal size (100 % magnification)
EAN_NOMINAL_HEIGHT = 22.85  # mm: the bar height at 100 %
GAP = 1.2  # mm between blocks
LINE_GAP = 0.45  # mm between one line's ink and the next's
SMALLEST_TEXT = 5.0  # pt: an x-height of about 1 mm
MAX_OFFSET = 10.0  # mm: a print offset beyond this is a wrong setting, not a printer


def ean_magnification() -> float:
    return EAN_MODULE / 0.33


def ean_bar_height() -> float:
    """Nominal bar height at the printed magnification."""
    return EAN_NOMINAL_HEIGHT * ean_magnification()


@dataclass(frozen=True)
class LabelContent:
    code: str
    verify_url: str
    product_name: str
    producer_name: str
    province: str
    pack: str
    stars: int
    year: int  # of recognition: the decision's year
    decision_number: str
    valid_until: date
    gtin: str | None
    issuer: str = ""  # the authority that decided, as printed on the decision
    short_url: str = ""  # where to type the code, e.g. "cho-ocop.vn/verify"
    artwork: bytes | None = None  # PNG of the official mark uploaded by staff, replaces our emblem


@dataclass(frozen=True)
class Insets:
    left: float
    top: float
    right: float
    bottom: float


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

    @property
    def insets(self) -> Insets:
        """Room kept empty inside every label of the sheet: PADDING, or more where the
        outermost labels reach nearer the sheet's edge than SHEET_MARGIN. One set for
        all labels, so that every label of a sheet looks the same."""
        right_edge = self.left + self.cols * self.width + (self.cols - 1) * self.col_gap
        bottom_edge = self.top + self.rows * self.height + (self.rows - 1) * self.row_gap
        return Insets(
            max(PADDING, SHEET_MARGIN - self.left),
            max(PADDING, SHEET_MARGIN - self.top),
            max(PADDING, SHEET_MARGIN - (A4[0] - right_edge)),
            max(PADDING, SHEET_MARGIN - (A4[1] - bottom_edge)),
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
        out[-1] = out[-1][:-2].rstrip() + "…"
    return out


def _leading(size: float) -> float:
    return size * PT * 1.2


@dataclass
class _Frame:
    x: float
    y: float
    w: float
    h: float
    used: float = 0.0

    def room(self) -> float:
        return self.h - self.used


@dataclass(frozen=True)
class _Item:
    text: str
    size: float
    bold: bool = False
    lines: int = 1
    optional: bool = False  # left out when there is no room


def _height(lines: list[str], item: _Item) -> float:
    """From the top of the first line's ink to the foot of the last line's."""
    top = -text_ink(lines[0], item.size, item.bold)[1]
    foot = max(0.0, text_ink(lines[-1], item.size, item.bold)[3])
    return top + _leading(item.size) * (len(lines) - 1) + foot


def _flow(items: list[_Item], frames: list[_Frame]) -> tuple[list[Shape], list[_Item]]:
    """Lines of text into frames, in order: an item goes whole into the first frame
    from the current one that holds it; if none does, its first lines go where
    there is room (the last shortened) or, when optional, it is left out. Returns
    the shapes and the items not printed whole."""
    shapes: list[Shape] = []
    left_out: list[_Item] = []
    current = 0
    for item in items:
        placed = False
        for n in range(current, len(frames)):
            lines = _fit(item.text, item.size, frames[n].w, item.bold, item.lines)
            whole = "".join(lines).replace(" ", "") == item.text.replace(" ", "")
            if whole and _height(lines, item) <= frames[n].room():
                _draw(shapes, frames[n], lines, item)
                current, placed = n, True
                break
        if placed or item.optional:
            left_out += [] if placed else [item]
            continue
        for n in range(current, len(frames)):
            for count in range(item.lines - 1, 0, -1):
                lines = _fit(item.text, item.size, frames[n].w, item.bold, count)
                if _height(lines, item) <= frames[n].room():
                    _draw(shapes, frames[n], lines, item)
                    current, placed = n, True
                    break
            if placed:
                break
        # Shortened or left out: either way, not all of it is on the label.
        left_out.append(item)
    return shapes, left_out


def _draw(shapes: list[Shape], frame: _Frame, lines: list[str], item: _Item) -> None:
    y = frame.y + frame.used - text_ink(lines[0], item.size, item.bold)[1]
    for line in lines:
        shapes.append(Text(frame.x, y, line, item.size, bold=item.bold))
        y += _leading(item.size)
    foot = max(0.0, text_ink(lines[-1], item.size, item.bold)[3])
    frame.used = y - _leading(item.size) + foot + LINE_GAP - frame.y


@dataclass
class Arrangement:
    """A label's shapes and the areas the rules are about (for tests and the page)."""

    shapes: list[Shape] = field(default_factory=list)
    qr: Box | None = None  # the modules
    qr_quiet: Box | None = None  # with the quiet zone
    ean_bars: Box | None = None
    ean_quiet: Box | None = None  # quiet zones, bars and digits
    badge: Box | None = None
    left_out: list[str] = field(default_factory=list)


def arrange(content: LabelContent, width: float, height: float, insets: Insets) -> Arrangement:
    """The label: badge and QR top left, the code and where to type it under them,
    the EAN-13 bottom right at full height, the words in the room that is left."""
    out = Arrangement()
    left, top = insets.left, insets.top
    right, bottom = width - insets.right, height - insets.bottom
    inner_h = bottom - top

    # The EAN-13, bottom right: quiet zones may lie in the insets (they are empty),
    # never beyond the label.
    ean_top = bottom
    ean_clear = right
    if content.gtin:
        module = EAN_MODULE
        bars_right = min(right, width - EAN_QUIET_RIGHT * module)
        bars_left = bars_right - EAN_MODULES * module
        quiet_left = bars_left - EAN_QUIET_LEFT * module
        bar_height = ean_bar_height()
        ean_top = bottom - ean13_height(module, bar_height)
        out.shapes += ean13(content.gtin, quiet_left, ean_top, module, bar_height)
        out.ean_bars = (bars_left, ean_top, bars_right, ean_top + bar_height)
        out.ean_quiet = (quiet_left, ean_top, bars_right + EAN_QUIET_RIGHT * module, bottom)
        ean_clear = quiet_left

    # Badge and QR side by side, the same size, with the code in words under them.
    side = min(18.0, max(11.0, inner_h * 0.37))
    count = qr_modules(content.verify_url)
    quiet = QR_BORDER * side / count
    qr_x = max(left, quiet)
    qr_y = max(top, quiet)
    out.shapes += qr(content.verify_url, qr_x - quiet, qr_y - quiet, side + 2 * quiet)
    out.qr = (qr_x, qr_y, qr_x + side, qr_y + side)
    out.qr_quiet = (qr_x - quiet, qr_y - quiet, qr_x + side + quiet, qr_y + side + quiet)
    badge_x = qr_x + side + quiet
    if content.artwork:
        out.shapes += official_badge(
            content.artwork, content.stars, content.year, badge_x, top, side
        )
    else:
        out.shapes += badge(content.stars, content.year, badge_x, top, side)
    out.badge = (badge_x, top, badge_x + side, top + side)
    ident_right = badge_x + side
    ident_w = ident_right - left

    # The code in words and where to type it, under the QR and the badge; the
    # words of the label continue under them.
    y = max(qr_y + side + quiet, top + side + GAP * 0.5)
    under_w = (ean_clear - GAP * 0.5 - left) if content.gtin else ident_w
    code = group_code(content.code)
    code_pt = max(6.0, fit_size(code, ident_w, 10.0 if inner_h > 45 else 8.0, bold=True))
    url_pt = fit_size(content.short_url, ident_w, 7.0 if inner_h > 45 else 5.5)
    url_pt = max(SMALLEST_TEXT, url_pt)
    text_x = ident_right + GAP * 1.5
    place = ", ".join(p for p in (content.producer_name, content.province) if p)
    decision = f"QĐ {content.decision_number}"
    if content.issuer:
        decision += f" · {content.issuer}"

    def attempt(scale: float) -> tuple[list[Shape], list[_Item]]:
        shapes: list[Shape] = []
        under = _Frame(left, y, under_w, bottom - y)
        _draw(shapes, under, [code], _Item(code, code_pt, bold=True))
        if content.short_url:
            _draw(shapes, under, [content.short_url], _Item(content.short_url, url_pt))
        under.used += GAP * 0.3
        # The words: beside the badge and above the EAN, then between the code and
        # the EAN, then under the code.
        frames = [_Frame(text_x, top, right - text_x, (ean_top - GAP * 0.5) - top)]
        if content.gtin and ean_clear - GAP - text_x >= 15:
            frames.append(
                _Frame(text_x, ean_top - GAP * 0.5, ean_clear - GAP - text_x, bottom - ean_top)
            )
        frames.append(under)
        frames = [f for f in frames if f.w > 8 and f.h > 2]
        name_pt = fit_size(content.product_name, frames[0].w, 8.0 * scale, True)
        name_pt = max(6.0, name_pt)
        name_lines = 2 if frames[0].h >= name_pt * PT * 2.4 else 1
        small = SMALLEST_TEXT * scale
        items = [
            _Item(content.product_name, name_pt, bold=True, lines=name_lines),
            _Item(place, small, lines=2),
            _Item(decision, small, lines=2),
            _Item(f"Hiệu lực đến {content.valid_until.strftime('%d/%m/%Y')}", small),
            # Not among the OCOP mark's words (the package states its net quantity).
            _Item(content.pack, small, optional=True) if content.pack else None,
        ]
        words, left_out = _flow([i for i in items if i], frames)
        return shapes + words, left_out

    # The largest words that all fit; the smallest size otherwise.
    for scale in (1.5, 1.4, 1.3, 1.2, 1.1, 1.0):
        words, left_out = attempt(scale)
        if not left_out:
            break
    out.shapes += words
    out.left_out = [i.text for i in left_out]
    return out


def label_shapes(
    content: LabelContent, width: float, height: float, insets: Insets | None = None
) -> list[Shape]:
    insets = insets or Insets(PADDING, PADDING, PADDING, PADDING)
    return arrange(content, width, height, insets).shapes
