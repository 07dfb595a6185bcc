"""Small bar charts drawn as SVG on the server: no script, no library, no other host.

Every text is escaped. Each chart is an ``img`` with a <title> and a <desc> for
screen readers, and each bar repeats its label and value in its own <title> (a
tooltip). The table printed beside each chart carries the same numbers. Geometry
is whole pixels computed with integers; colours are presentation attributes, so
the page's CSP (no inline styles) is satisfied.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

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


def _open(chart_id: str, title: str, description: str, height: int) -> list[str]:
    cid = escape(chart_id)
    return [
        f'<svg class="chart" id="{cid}" xmlns="http://www.w3.org/2000/svg" role="img"'
        f' aria-labelledby="{cid}-title {cid}-desc" viewBox="0 0 {WIDTH} {height}"'
        f' width="100%" font-size="13" fill="{INK}">',
        f'<title id="{cid}-title">{escape(title)}</title>',
        f'<desc id="{cid}-desc">{escape(description)}</desc>',
    ]


def _legend(series: Sequence[str], y: int) -> list[str]:
    parts, x = [], 0
    for k, name in enumerate(series):
        parts.append(
            f'<rect x="{x}" y="{y}" width="12" height="12" fill="{PALETTE[k % len(PALETTE)]}"/>'
            f'<text x="{x + 18}" y="{y + 11}">{escape(name)}</text>'
        )
        x += 30 + 9 * len(name)
    return parts


def bar_chart(
    chart_id: str,
    title: str,
    description: str,
    bars: Sequence[Bar],
    series: Sequence[str] = (),
) -> Markup:
    """Horizontal bars, one row per item, largest scale = longest bar."""
    label_w, text_w, row_h = 250, 120, 26
    area = WIDTH - label_w - text_w - 16
    top = 30 if series else 6
    height = top + row_h * len(bars) + 6
    peak = max((sum(max(v, 0) for v in b.values) for b in bars), default=0) or 1
    parts = _open(chart_id, title, description, height)
    if series:
        parts += _legend(series, 4)
    parts.append(
        f'<line x1="{label_w}" y1="{top}" x2="{label_w}" y2="{height - 6}" stroke="{GRID}"/>'
    )
    for i, bar in enumerate(bars):
        y = top + i * row_h
        parts.append(f"<g><title>{escape(bar.label)}: {escape(bar.text)}</title>")
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end">'
            f"{escape(_clip(bar.label, 34))}</text>"
        )
        x = label_w
        for k, value in enumerate(bar.values):
            w = max(value, 0) * area // peak
            if w:
                parts.append(
                    f'<rect x="{x}" y="{y + 4}" width="{w}" height="18" rx="2"'
                    f' fill="{PALETTE[k % len(PALETTE)]}"/>'
                )
            x += w
        parts.append(
            f'<text x="{x + 6}" y="{y + 17}" fill="{MUTED}">{escape(bar.text)}</text></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def column_chart(chart_id: str, title: str, description: str, bars: Sequence[Bar]) -> Markup:
    """Vertical columns (e.g. one per month), the label under each."""
    height, top, bottom = 240, 22, 34
    area = height - top - bottom
    slot = WIDTH // max(len(bars), 1)
    width = slot * 3 // 5
    peak = max((sum(max(v, 0) for v in b.values) for b in bars), default=0) or 1
    parts = _open(chart_id, title, description, height)
    base = height - bottom
    parts.append(f'<line x1="0" y1="{base}" x2="{WIDTH}" y2="{base}" stroke="{GRID}"/>')
    for i, bar in enumerate(bars):
        x = i * slot + (slot - width) // 2
        middle = i * slot + slot // 2
        parts.append(f"<g><title>{escape(bar.label)}: {escape(bar.text)}</title>")
        y = base
        for k, value in enumerate(bar.values):
            h = max(value, 0) * area // peak
            if h:
                y -= h
                parts.append(
                    f'<rect x="{x}" y="{y}" width="{width}" height="{h}" rx="2"'
                    f' fill="{PALETTE[k % len(PALETTE)]}"/>'
                )
        parts.append(
            f'<text x="{middle}" y="{y - 6}" text-anchor="middle">{escape(bar.text)}</text>'
            f'<text x="{middle}" y="{base + 20}" text-anchor="middle" fill="{MUTED}">'
            f"{escape(_clip(bar.label, 12))}</text></g>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
