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


def _mm_text(value: float) -> str:
    return f"{value:+.1f}".replace(".", ",")


def calibration_pdf(offset: tuple[float, float] = (0.0, 0.0), out=None) -> bytes:
    """One A4 page to measure a printer's shift: crosses 10 mm from each corner with
    rulers numbered from the page's corner (0,0), and the 4 mm margin that labels
    keep clear, drawn with the producer's offset applied like every sheet."""
    from reportlab.lib.colors import Color

    from shop.labels.drawing import BOLD, REGULAR
    from shop.labels.layout import SHEET_MARGIN

    register_fonts()
    out = out if out is not None else io.BytesIO()
    width, height = A4
    canvas = Canvas(out, pagesize=(width * MM, height * MM), pageCompression=1)
    canvas.setTitle("OCOP label printer calibration")
    dx, dy = offset

    def P(x: float, y: float) -> tuple[float, float]:
        """Page point (mm from the top-left corner) in PDF units, offset applied."""
        return (x + dx) * MM, (height - y - dy) * MM

    def line(x0, y0, x1, y1, w=0.2):
        canvas.setLineWidth(w * MM)
        canvas.line(*P(x0, y0), *P(x1, y1))

    def text(x, y, words, size, bold=False, anchor="start"):
        canvas.setFont(BOLD if bold else REGULAR, size)
        draw = {"start": canvas.drawString, "middle": canvas.drawCentredString}[anchor]
        draw(*P(x, y), words)

    black = Color(0, 0, 0)
    canvas.setStrokeColor(black)
    canvas.setFillColor(black)
    # The 4 mm margin: nothing of a label is printed outside it.
    m = SHEET_MARGIN
    canvas.setDash(2 * MM, 1 * MM)
    canvas.setLineWidth(0.2 * MM)
    canvas.rect(*P(m, height - m), (width - 2 * m) * MM, (height - 2 * m) * MM, stroke=1, fill=0)
    canvas.setDash()
    # Rulers from the corner: the mark numbered 10 is 10 mm from the paper's edge.
    for mm_ in range(int(m), 61):
        long = mm_ % 5 == 0
        line(mm_, m, mm_, m + (3 if long else 1.5), 0.15)
        line(m, mm_, m + (3 if long else 1.5), mm_, 0.15)
        if mm_ % 10 == 0:
            text(mm_, m + 5.5, str(mm_), 6, anchor="middle")
            text(m + 4, mm_ + 0.8, str(mm_), 6)
    # Crosses 10 mm from each corner, the ones to measure.
    for cx, cy in ((10, 10), (width - 10, 10), (10, height - 10), (width - 10, height - 10)):
        line(cx - 5, cy, cx + 5, cy, 0.25)
        line(cx, cy - 5, cx, cy + 5, 0.25)
        canvas.circle(*P(cx, cy), 1.5 * MM, stroke=1, fill=0)
    # Crop marks where a 3x8 sheet's middle column starts and ends.
    for x in (70.0, 140.0):
        line(x, m, x, m + 8, 0.2)
        line(x, height - m - 8, x, height - m, 0.2)
    text(13, 17, "↖ 0,0 là góc giấy; dấu thập cách mép 10 mm", 6)
    text(
        width / 2,
        m + 7,
        f"lề {SHEET_MARGIN:.0f} mm: nhãn không in gì ngoài đường nét đứt",
        6,
        anchor="middle",
    )

    lines = [
        ("Trang căn chỉnh máy in cho nhãn OCOP", 14, True),
        (f"Độ lệch đang dùng: X = {_mm_text(dx)} mm, Y = {_mm_text(dy)} mm", 10, True),
        ("", 8, False),
        ("1. In trang này ở cỡ thật: tỉ lệ 100 %, không chọn “vừa trang”.", 9, False),
        ("2. Đo bằng thước từ mép trái tờ giấy đến vạch đứng của dấu thập ở góc trên", 9, False),
        (
            "    bên trái: đúng là 10,0 mm. Đo từ mép trên đến vạch ngang: đúng là 10,0 mm.",
            9,
            False,
        ),
        ("3. Đo được 11,5 mm là máy in lệch 1,5 mm sang phải (hoặc xuống dưới):", 9, False),
        ("    giảm X (hoặc Y) đi 1,5. Đo được 9,0 mm: tăng X (hoặc Y) thêm 1,0.", 9, False),
        ("4. Nhập độ lệch mới ở trang “Nhãn OCOP”, rồi in lại trang này để kiểm tra.", 9, False),
        ("", 8, False),
        ("Đường nét đứt cách mép giấy 4 mm. Máy in văn phòng thường không in được", 9, False),
        ("sát mép hơn thế; nếu không thấy đủ đường nét đứt, máy in đã cắt mất phần đó.", 9, False),
    ]
    y = 110.0
    for words, size, bold in lines:
        text(30, y, words, size, bold)
        y += size * 0.5 + 1.5
    canvas.showPage()
    canvas.save()
    return out.getvalue() if isinstance(out, io.BytesIO) else b""
