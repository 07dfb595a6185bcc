"""Small bar charts drawn as SVG on the server: no script, no library, no other host.

Every text goes through ``Markup.format``, which escapes it. Each chart is an
``img`` with a <title> and a <desc> for screen readers, and each bar repeats its
label and value in its own <title> (a tooltip). The table printed beside each
chart carries the same numbers. Geometry is whole pixels computed with integers;
colours are presentation attributes, so the page's CSP (no inline styles) holds.
"""

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


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


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


def _legend(series: Sequence[str], y: int) -> list[Markup]:
    parts, x = [], 0
    for k, name in enumerate(series):
        parts.append(
            Markup(
                '<rect x="{x}" y="{y}" width="12" height="12" fill="{c}"/>'
                '<text x="{tx}" y="{ty}">{name}</text>'
            ).format(x=x, y=y, c=_colour(k), tx=x + 18, ty=y + 11, name=name)
        )
        x += 30 + 9 * len(name)
    return parts


def _peak(bars: Sequence[Bar]) -> int:
    return max((sum(max(v, 0) for v in b.values) for b in bars), default=0) or 1


def bar_chart(
    chart_id: str,
    title: str,
    description: str,
    bars: Sequence[Bar],
    series: Sequence[str] = (),
) -> Markup:
    """Horizontal bars, one row per item; the largest total fills the width."""
    label_w, text_w, row_h = 250, 120, 26
    area = WIDTH - label_w - text_w - 16
    top = 30 if series else 6
    height = top + row_h * len(bars) + 6
    peak = _peak(bars)
    parts = _open(chart_id, title, description, height)
    if series:
        parts += _legend(series, 4)
    parts.append(
        Markup('<line x1="{x}" y1="{y1}" x2="{x}" y2="{y2}" stroke="{c}"/>').format(
            x=label_w, y1=top, y2=height - 6, c=GRID
        )
    )
    for i, bar in enumerate(bars):
        y = top + i * row_h
        parts.append(
            Markup(
                '<g><title>{}: {}</title><text x="{}" y="{}" text-anchor="end">{}</text>'
            ).format(bar.label, bar.text, label_w - 8, y + 17, _clip(bar.label, 34))
        )
        x = label_w
        for k, value in enumerate(bar.values):
            w = max(value, 0) * area // peak
            if w:
                parts.append(
                    Markup('<rect x="{}" y="{}" width="{}" height="18" rx="2" fill="{}"/>').format(
                        x, y + 4, w, _colour(k)
                    )
                )
            x += w
        parts.append(
            Markup('<text x="{}" y="{}" fill="{}">{}</text></g>').format(
                x + 6, y + 17, MUTED, bar.text
            )
        )
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def column_chart(chart_id: str, title: str, description: str, bars: Sequence[Bar]) -> Markup:
    """Vertical columns (e.g. one per month), the label under each."""
    height, top, bottom = 240, 22, 34
    area = height - top - bottom
    slot = WIDTH // max(len(bars), 1)
    width = slot * 3 // 5
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
        parts.append(
            Markup(
                '<text x="{m}" y="{vy}" text-anchor="middle">{value}</text>'
                '<text x="{m}" y="{ly}" text-anchor="middle" fill="{c}">{label}</text></g>'
            ).format(
                m=middle,
                vy=y - 6,
                value=bar.text,
                ly=base + 20,
                c=MUTED,
                label=_clip(bar.label, 12),
            )
        )
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)
