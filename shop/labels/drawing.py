"""A label as a list of vector shapes in millimetres (origin top-left), drawn by one
renderer per format: reportlab for PDF (and, rasterised, PNG), plain SVG markup.

One description, several outputs: the PDF, the PNG and the SVG of a label cannot
drift apart, and bars and QR modules stay vectors everywhere.
"""

import base64
import functools
import io
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from PIL import Image
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(__file__).parent / "fonts"
# DejaVu Sans has every Vietnamese letter; reportlab embeds the subset it uses.
REGULAR, BOLD = "DejaVuSans", "DejaVuSans-Bold"
_registered = False


def register_fonts() -> None:
    global _registered
    if not _registered:
        pdfmetrics.registerFont(TTFont(REGULAR, str(FONT_DIR / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))
        _registered = True


def text_width(text: str, size_pt: float, bold: bool = False) -> float:
    """Width in mm of ``text`` at ``size_pt`` points."""
    register_fonts()
    return pdfmetrics.stringWidth(text, BOLD if bold else REGULAR, size_pt) / mm


def fit_size(text: str, width: float, largest: float, bold: bool = False) -> float:
    """The largest size (points, at most ``largest``) at which ``text`` is ``width`` mm wide."""
    natural = text_width(text, 1.0, bold)
    return min(largest, width / natural) if natural else largest


PT = 25.4 / 72  # mm per point


@functools.lru_cache(maxsize=2)
def _ink_font(bold: bool):
    from PIL import ImageFont

    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(str(FONT_DIR / name), size=1000)


def text_ink(text: str, size_pt: float, bold: bool = False) -> tuple[float, float, float, float]:
    """Where the ink of ``text`` falls, in mm from the start of its baseline
    (x0, y0, x1, y1, y downwards): Vietnamese capitals carry two marks above."""
    x0, y0, x1, y1 = _ink_font(bold).getbbox(text, anchor="ls")
    scale = size_pt * PT / 1000
    return x0 * scale, y0 * scale, x1 * scale, y1 * scale


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    fill: str = "#000000"


@dataclass(frozen=True)
class Polygon:
    points: tuple[tuple[float, float], ...]
    fill: str = "#000000"


@dataclass(frozen=True)
class Circle:
    cx: float
    cy: float
    r: float
    fill: str | None = None
    stroke: str | None = None
    stroke_width: float = 0.0


@dataclass(frozen=True)
class Text:
    x: float
    y: float  # baseline
    text: str
    size: float  # points
    bold: bool = False
    anchor: str = "start"  # start | middle | end
    fill: str = "#000000"


@dataclass(frozen=True)
class Picture:
    """A raster image (the official OCOP artwork uploaded by staff, as PNG bytes)."""

    x: float
    y: float
    w: float
    h: float
    data: bytes


Shape = Rect | Polygon | Circle | Text | Picture

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in mm


def bbox(s: Shape) -> Box:
    """The box a shape inks (text by its glyphs, not its advance)."""
    if isinstance(s, Rect | Picture):
        return s.x, s.y, s.x + s.w, s.y + s.h
    if isinstance(s, Polygon):
        xs, ys = [p[0] for p in s.points], [p[1] for p in s.points]
        return min(xs), min(ys), max(xs), max(ys)
    if isinstance(s, Circle):
        r = s.r + (s.stroke_width / 2 if s.stroke else 0)
        return s.cx - r, s.cy - r, s.cx + r, s.cy + r
    x0, y0, x1, y1 = text_ink(s.text, s.size, s.bold)
    shift = {"start": 0.0, "middle": text_width(s.text, s.size, s.bold) / 2}.get(
        s.anchor, text_width(s.text, s.size, s.bold)
    )
    return s.x - shift + x0, s.y + y0, s.x - shift + x1, s.y + y1


def inks(s: Shape) -> bool:
    """False for white fills, which put nothing on paper."""
    if isinstance(s, Circle):
        return (s.fill or "#ffffff").lower() != "#ffffff" or bool(s.stroke)
    return isinstance(s, Picture) or s.fill.lower() != "#ffffff"


@functools.lru_cache(maxsize=4)
def _image(data: bytes) -> ImageReader:
    """Decoded once, not once per label of a sheet (reportlab decodes a reader's
    image on each draw); loaded here so that threads sharing it only read."""
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        reader = ImageReader(image.copy())
    reader.getRGBData()
    return reader


def draw_pdf(canvas, shapes: list[Shape], x0: float, y0: float, page_height: float) -> None:
    """Draw ``shapes`` on a reportlab canvas with the label's top-left at (x0, y0) mm."""
    register_fonts()

    def X(x):
        return (x0 + x) * mm

    def Y(y):
        return (page_height - y0 - y) * mm

    for s in shapes:
        if isinstance(s, Rect):
            canvas.setFillColor(s.fill)
            canvas.rect(X(s.x), Y(s.y + s.h), s.w * mm, s.h * mm, stroke=0, fill=1)
        elif isinstance(s, Polygon):
            canvas.setFillColor(s.fill)
            path = canvas.beginPath()
            path.moveTo(X(s.points[0][0]), Y(s.points[0][1]))
            for px, py in s.points[1:]:
                path.lineTo(X(px), Y(py))
            path.close()
            canvas.drawPath(path, stroke=0, fill=1)
        elif isinstance(s, Circle):
            if s.fill:
                canvas.setFillColor(s.fill)
            if s.stroke:
                canvas.setStrokeColor(s.stroke)
                canvas.setLineWidth(s.stroke_width * mm)
            canvas.circle(
                X(s.cx), Y(s.cy), s.r * mm, stroke=1 if s.stroke else 0, fill=1 if s.fill else 0
            )
        elif isinstance(s, Picture):
            canvas.drawImage(
                _image(s.data),
                X(s.x),
                Y(s.y + s.h),
                s.w * mm,
                s.h * mm,
                preserveAspectRatio=True,
                anchor="c",
                mask="auto",
            )
        elif isinstance(s, Text):
            canvas.setFillColor(s.fill)
            canvas.setFont(BOLD if s.bold else REGULAR, s.size)
            draw = {
                "start": canvas.drawString,
                "middle": canvas.drawCentredString,
                "end": canvas.drawRightString,
            }[s.anchor]
            draw(X(s.x), Y(s.y), s.text)


def to_svg(shapes: list[Shape], width: float, height: float) -> str:
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" version="1.1" '
        f'width="{width}mm" height="{height}mm" viewBox="0 0 {width} {height}">',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    for s in shapes:
        if isinstance(s, Rect):
            parts.append(
                f'<rect x="{s.x:.3f}" y="{s.y:.3f}" width="{s.w:.3f}" '
                f'height="{s.h:.3f}" fill="{s.fill}"/>'
            )
        elif isinstance(s, Polygon):
            points = " ".join(f"{x:.3f},{y:.3f}" for x, y in s.points)
            parts.append(f'<polygon points="{points}" fill="{s.fill}"/>')
        elif isinstance(s, Circle):
            fill = s.fill or "none"
            stroke = f' stroke="{s.stroke}" stroke-width="{s.stroke_width:.3f}"' if s.stroke else ""
            parts.append(
                f'<circle cx="{s.cx:.3f}" cy="{s.cy:.3f}" r="{s.r:.3f}" fill="{fill}"{stroke}/>'
            )
        elif isinstance(s, Picture):
            data = base64.b64encode(s.data).decode()
            parts.append(
                f'<image x="{s.x:.3f}" y="{s.y:.3f}" width="{s.w:.3f}" '
                f'height="{s.h:.3f}" href="data:image/png;base64,{data}"/>'
            )
        elif isinstance(s, Text):
            size_mm = s.size * 25.4 / 72
            weight = ' font-weight="bold"' if s.bold else ""
            parts.append(
                f'<text x="{s.x:.3f}" y="{s.y:.3f}" font-family="DejaVu Sans, sans-serif" '
                f'font-size="{size_mm:.3f}"{weight} text-anchor="{s.anchor}" '
                f'fill="{s.fill}">{escape(s.text)}</text>'
            )
    parts.append("</svg>")
    return "\n".join(parts)
