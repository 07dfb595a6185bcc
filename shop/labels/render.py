"""Labels as files: SVG, PDF, PNG (rasterised from the PDF) and A4 sheets.

Sheets draw each certificate's label once as a PDF form (XObject) and place it
as many times as asked: a 1,000-label sheet costs one drawing per certificate,
and the pages stay small.
"""

import io
from collections.abc import Iterable

import pypdfium2
from reportlab.pdfgen.canvas import Canvas

from shop.labels.drawing import draw_pdf, register_fonts, to_svg
from shop.labels.layout import A4, SINGLE, LabelContent, SheetLayout, label_shapes

MM = 72 / 25.4


def _single_shapes(content: LabelContent):
    # A single label has the insets of its sheet: it may be printed on one.
    return label_shapes(content, SINGLE.width, SINGLE.height, SINGLE.insets)


def label_svg(content: LabelContent) -> str:
    return to_svg(_single_shapes(content), SINGLE.width, SINGLE.height)


def label_pdf(content: LabelContent) -> bytes:
    register_fonts()
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(SINGLE.width * MM, SINGLE.height * MM), pageCompression=1)
    canvas.setTitle(f"OCOP {content.code}")
    draw_pdf(canvas, _single_shapes(content), 0, 0, SINGLE.height)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def pdf_to_png(pdf: bytes, dpi: int = 300, page: int = 0) -> bytes:
    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[page].render(scale=dpi / 72).to_pil()
    finally:
        document.close()
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(dpi, dpi))
    return out.getvalue()


def label_png(content: LabelContent, dpi: int = 300) -> bytes:
    return pdf_to_png(label_pdf(content), dpi)


def sheet_pdf(
    contents: Iterable[LabelContent],
    layout: SheetLayout,
    quantity: int,
    start: int = 1,
    out=None,
    offset: tuple[float, float] = (0.0, 0.0),
) -> int:
    """Write A4 sheets with ``quantity`` labels of each content, starting at position
    ``start`` (1-based) of the first sheet. Returns how many labels were placed.

    ``offset`` (mm, right and down) moves everything on the page: it undoes the
    shift of the producer's printer, measured on the calibration page."""
    register_fonts()
    out = out if out is not None else io.BytesIO()
    canvas = Canvas(out, pagesize=(A4[0] * MM, A4[1] * MM), pageCompression=1)
    canvas.setTitle(f"OCOP labels {layout.name}")
    slot = start - 1
    placed = 0
    for n, content in enumerate(contents):
        form = f"label{n}"
        canvas.beginForm(form, 0, 0, layout.width * MM, layout.height * MM)
        shapes = label_shapes(content, layout.width, layout.height, layout.insets)
        draw_pdf(canvas, shapes, 0, 0, layout.height)
        canvas.endForm()
        for _ in range(quantity):
            if slot == layout.per_sheet:
                canvas.showPage()
                slot = 0
            x, y = layout.position(slot)
            canvas.saveState()
            canvas.translate((x + offset[0]) * MM, (A4[1] - y - offset[1] - layout.height) * MM)
            canvas.doForm(form)
            canvas.restoreState()
            slot += 1
            placed += 1
    canvas.showPage()
    canvas.save()
    return placed


def badge_svg(stars: int, year: int, size: float = 30.0) -> str:
    from shop.labels.symbols import badge

    return to_svg(badge(stars, year, 0, 0, size), size, size)


def badge_pdf(stars: int, year: int, size: float = 30.0) -> bytes:
    from shop.labels.symbols import badge

    register_fonts()
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(size * MM, size * MM))
    draw_pdf(canvas, badge(stars, year, 0, 0, size), 0, 0, size)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def badge_png(stars: int, year: int, dpi: int = 300) -> bytes:
    return pdf_to_png(badge_pdf(stars, year), dpi)
