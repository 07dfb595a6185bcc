"""Small bar charts drawn as SVG on the server: no script, no library, no other host.

Every text goes through ``Markup.format``, which escapes it. No text is clipped:
each is measured (``text_width``, a generous estimate of a sans-serif font, since
the server cannot ask the browser), the label column and the value margin are as
wide as their longest text (up to a cap), a longer label wraps onto a second line
and ends in "…" only past that, and the full text is always in the row's <title>.
Each chart is an
``img`` with a <title> and a <desc> for screen readers, and each bar repeats its
label and value in its own <title> (a tooltip). The table printed beside each
chart carries the same numbers. Geometry is whole pixels computed with integers;
colours are presentation attributes, so the page's CSP (no inline styles) holds.
"""

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

PALETTE = ("#1f6f43", "#c98a00", "#2f5f9e")
INK = "#1d1d1b"
MUTED = "#5d5d57"
GRID = "#dcd8cc"
WIDTH = 760


@dataclass(frozen=True)
class Bar:
    label: str
    values: tuple[int, ...]  # one per series, stacked in order
    text: str  # written after the bar, e.g. "1.250.000 ₫"


FONT = 13  # px, the charts' font-size
LINE = 16  # px between two lines of a wrapped label
LABEL_MIN, LABEL_MAX = 60, 300  # the label column's width follows its longest label

# Advance widths in em of a common sans-serif (DejaVu Sans, the widest of the usual
# fallbacks, rounded up); letters with diacritics measure as their base letter.
_NARROW = {**dict.fromkeys("fijlrtI.,:;'|!()[] ", 0.36), **dict.fromkeys("-/", 0.42)}
_WIDE = dict.fromkeys("mwMWĐ@%", 0.98)
_DIGIT = 0.64
_UPPER = 0.74
_LOWER = 0.62
_OTHER = 1.0  # ₫, …, ★ and anything unknown


def _char_width(char: str) -> float:
    base = unicodedata.normalize("NFD", char)[0] if char != "Đ" else char
    if base in _NARROW:
        return _NARROW[base]
    if base in _WIDE:
        return _WIDE[base]
    if base.isdigit():
        return _DIGIT
    if base.isascii() and base.isalpha():
        return _UPPER if base.isupper() else _LOWER
    if base == "đ":
        return _LOWER
    return _OTHER


def text_width(text: str, size: int = FONT) -> int:
    """Pixels the text takes at ``size`` px, rounded up (an overestimate)."""
    return int(sum(_char_width(c) for c in text) * size) + 1


def _ellipsis(text: str, width: int) -> str:
    """The text, cut at a word or character and ended by "…", to fit ``width``."""
    if text_width(text) <= width:
        return text
    while text and text_width(text + "…") > width:
        text = text[:-1]
    return text.rstrip(" ,-") + "…"


def wrap(text: str, width: int, lines: int = 2) -> list[str]:
    """The text in at most ``lines`` lines of ``width`` px, cut between words; the
    last line ends in "…" when the text is longer still."""
    out: list[str] = []
    words = text.split()
    while words and len(out) < lines:
        line = words.pop(0)
        while words and text_width(f"{line} {words[0]}") <= width:
            line += " " + words.pop(0)
        out.append(line)
    if words:
        out[-1] = out[-1] + " " + " ".join(words)
    return [_ellipsis(line, width) for line in out] or [""]


def _clamp(middle: int, width: int, total: int) -> int:
    """The middle of a centred text of ``width`` moved to stay inside 0..total."""
    half = width // 2 + 1
    return max(half, min(total - half, middle))


def _open(chart_id: str, title: str, description: str, height: int) -> list[Markup]:
    return [
        Markup(
            '<svg class="chart" id="{id}" xmlns="http://www.w3.org/2000/svg" role="img"'
            ' aria-labelledby="{id}-title {id}-desc" viewBox="0 0 {w} {h}"'
            ' width="100%" font-size="13" fill="{ink}">'
        ).format(id=chart_id, w=WIDTH, h=height, ink=INK),
        Markup('<title id="{}-title">{}</title>').format(chart_id, title),
        Markup('<desc id="{}-desc">{}</desc>').format(chart_id, description),
    ]


def _colour(k: int) -> str:
    return PALETTE[k % len(PALETTE)]


def _peak(bars: Sequence[Bar]) -> int:
    return max((sum(max(v, 0) for v in b.values) for b in bars), default=0) or 1


def _label_lines(bars: Sequence[Bar]) -> tuple[int, list[list[str]]]:
    """The label column's width and each label's lines (one, or two when it is long)."""
    longest = max((text_width(b.label) for b in bars), default=0)
    width = max(LABEL_MIN, min(LABEL_MAX, longest))
    return width, [wrap(b.label, width) for b in bars]


def _text_lines(lines: list[str], x: int, y: int, anchor: str, fill: str = "") -> Markup:
    fill_attr = Markup(' fill="{}"').format(fill) if fill else Markup("")
    if len(lines) == 1:
        return Markup('<text x="{}" y="{}" text-anchor="{}"{}>{}</text>').format(
            x, y, anchor, fill_attr, lines[0]
        )
    spans = Markup("").join(
        Markup('<tspan x="{}" dy="{}">{}</tspan>').format(x, 0 if i == 0 else LINE, line)
        for i, line in enumerate(lines)
    )
    return Markup('<text x="{}" y="{}" text-anchor="{}"{}>{}</text>').format(
        x, y, anchor, fill_attr, spans
    )


def _legend(series: Sequence[str], y: int) -> tuple[list[Markup], int]:
    """The legend's swatches, wrapping onto a new row at the chart's edge; returns
    its parts and the height it takes."""
    parts, x, row = [], 0, 0
    for k, name in enumerate(series):
        width = 18 + text_width(name) + 16
        if x and x + width > WIDTH:
            x, row = 0, row + 1
        top = y + row * 20
        parts.append(
            Markup(
                '<rect x="{x}" y="{y}" width="12" height="12" fill="{c}"/>'
                '<text x="{tx}" y="{ty}">{name}</text>'
            ).format(x=x, y=top, c=_colour(k), tx=x + 18, ty=top + 11, name=name)
        )
        x += width
    return parts, (row + 1) * 20


def bar_chart(
    chart_id: str,
    title: str,
    description: str,
    bars: Sequence[Bar],
    series: Sequence[str] = (),
) -> Markup:
    """Horizontal bars, one row per item; the largest total fills the width left
    between the labels (as wide as the longest, up to a cap) and the values."""
    label_w, lines = _label_lines(bars)
    gap = 8
    text_w = max((text_width(b.text) for b in bars), default=0) + 8
    wrapped = any(len(ls) > 1 for ls in lines)
    row_h = 26 + (LINE if wrapped else 0)
    legend, legend_h = _legend(series, 4) if series else ([], 0)
    top = legend_h + 10 if series else 6
    height = top + row_h * len(bars) + 6
    axis = label_w + gap
    area = WIDTH - axis - text_w
    peak = _peak(bars)
    parts = _open(chart_id, title, description, height)
    parts += legend
    parts.append(
        Markup('<line x1="{x}" y1="{y1}" x2="{x}" y2="{y2}" stroke="{c}"/>').format(
            x=axis, y1=top, y2=height - 6, c=GRID
        )
    )
    for i, bar in enumerate(bars):
        y = top + i * row_h
        # A wrapped label is centred on its bar: its first line sits half a line up.
        bar_y = y + (row_h - 18) // 2
        first = bar_y + 13 - (LINE // 2 if len(lines[i]) > 1 else 0)
        parts.append(Markup("<g><title>{}: {}</title>").format(bar.label, bar.text))
        parts.append(_text_lines(lines[i], label_w, first, "end"))
        x = axis
        for k, value in enumerate(bar.values):
            w = max(value, 0) * area // peak
            if w:
                parts.append(
                    Markup('<rect x="{}" y="{}" width="{}" height="18" rx="2" fill="{}"/>').format(
                        x, bar_y, w, _colour(k)
                    )
                )
            x += w
        parts.append(
            Markup('<text x="{}" y="{}" fill="{}">{}</text></g>').format(
                x + 6, bar_y + 13, MUTED, bar.text
            )
        )
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def column_chart(chart_id: str, title: str, description: str, bars: Sequence[Bar]) -> Markup:
    """Vertical columns (e.g. one per month), the label under each. When the labels
    are wider than a column, every second (third, ...) column is labelled; when the
    values are, they are left to each column's <title> and the table. Every text
    stays inside the chart's edges."""
    height, top, bottom = 240, 22, 34
    area = height - top - bottom
    slot = WIDTH // max(len(bars), 1)
    width = max(slot * 3 // 5, 1)
    widest = max((text_width(b.label) for b in bars), default=0)
    # Columns per label, rounded up; an end label pushed inward by the chart's
    # edge needs that much more room from its neighbour.
    shift = max(0, widest // 2 + 1 - slot // 2)
    step = max(1, -(-(widest + 6 + shift) // slot))
    show_values = max((text_width(b.text) for b in bars), default=0) + 4 <= slot
    peak = _peak(bars)
    base = height - bottom
    parts = _open(chart_id, title, description, height)
    parts.append(
        Markup('<line x1="0" y1="{y}" x2="{w}" y2="{y}" stroke="{c}"/>').format(
            y=base, w=WIDTH, c=GRID
        )
    )
    for i, bar in enumerate(bars):
        x = i * slot + (slot - width) // 2
        middle = i * slot + slot // 2
        parts.append(Markup("<g><title>{}: {}</title>").format(bar.label, bar.text))
        y = base
        for k, value in enumerate(bar.values):
            h = max(value, 0) * area // peak
            if h:
                y -= h
                parts.append(
                    Markup('<rect x="{}" y="{}" width="{}" height="{}" rx="2" fill="{}"/>').format(
                        x, y, width, h, _colour(k)
                    )
                )
        if show_values:
            value_x = _clamp(middle, text_width(bar.text), WIDTH)
            parts.append(_text_lines([bar.text], value_x, y - 6, "middle"))
        if i % step == 0:
            label = _ellipsis(bar.label, slot * step - 6)
            label_x = _clamp(middle, text_width(label), WIDTH)
            parts.append(_text_lines([label], label_x, base + 20, "middle", MUTED))
        parts.append(Markup("</g>"))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)
