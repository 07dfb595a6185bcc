"""The printed rules of every layout, measured: the EAN-13's bar height (in the
drawing and in the rendered page), 4 mm from the sheet's edge, nothing over the
codes' quiet zones, every word on the label; the print offset and its page."""

import io

import pypdfium2
import pytest
from PIL import Image

from shop.labels.drawing import Rect, Text, bbox, inks
from shop.labels.layout import (
    A4,
    EAN_NOMINAL_HEIGHT,
    SHEET_MARGIN,
    SHEETS,
    SINGLE,
    LabelContent,
    arrange,
)
from shop.labels.render import calibration_pdf, sheet_pdf
from shop.labels.services import short_verify_url
from tests.labels.test_labels import CONTENT, GTIN, URL, decode

FULL = LabelContent(
    **{**CONTENT.__dict__, "issuer": "UBND tỉnh Tuyên Quang", "short_url": "cho-ocop.vn/verify"}
)
LONG = LabelContent(
    **{
        **FULL.__dict__,
        "product_name": "Trà hoa vàng Tam Đảo thượng hạng sấy lạnh túi lọc đặc biệt " * 2,
        "producer_name": "Công ty trách nhiệm hữu hạn một thành viên nông sản Đông Bắc " * 2,
        "issuer": "Bộ Nông nghiệp và Môi trường",
        "decision_number": "12345/QĐ-BNNMT",
    }
)
LAYOUTS = sorted(SHEETS)


def _ean_bars(arrangement):
    x0, y0, x1, _ = arrangement.ean_bars
    return [
        s
        for s in arrangement.shapes
        if isinstance(s, Rect) and x0 - 1e-6 <= s.x and s.x + s.w <= x1 + 1e-6 and s.y == y0
    ]


@pytest.mark.parametrize("name", LAYOUTS)
@pytest.mark.parametrize("content", [FULL, LONG], ids=["usual", "long"])
def test_ean_bars_keep_their_nominal_height_in_the_drawing(name, content):
    layout = SHEETS[name]
    arrangement = arrange(content, layout.width, layout.height, layout.insets)
    bars = _ean_bars(arrangement)
    assert len(bars) == 30  # 2 per digit of the 12 encoded, 3 guards of 2 bars
    assert min(bar.h for bar in bars) >= EAN_NOMINAL_HEIGHT - 1e-9
    assert arrangement.ean_bars[3] - arrangement.ean_bars[1] >= EAN_NOMINAL_HEIGHT - 1e-9
    # X-dimension: 95 modules of 0.33 mm; quiet zones of 11 and 7 modules, in the label.
    assert arrangement.ean_bars[2] - arrangement.ean_bars[0] == pytest.approx(95 * 0.33)
    qx0, _, qx1, _ = arrangement.ean_quiet
    assert arrangement.ean_bars[0] - qx0 == pytest.approx(11 * 0.33)
    assert qx1 - arrangement.ean_bars[2] == pytest.approx(7 * 0.33)
    assert qx0 >= 0
    assert qx1 <= layout.width + 1e-9


def _bar_height_mm(label: Image.Image, dpi: int) -> float:
    """The height of the EAN's bars measured in pixels: the longest dark vertical run
    in each column of the right half (where the EAN is), the median over columns
    that are bars (guard bars are longer, the QR is on the left)."""
    gray = label.convert("L")
    width, height = gray.size
    pixels = gray.load()
    runs = []
    for x in range(width // 2, width):
        best = run = 0
        for y in range(height):
            run = run + 1 if pixels[x, y] < 128 else 0
            best = max(best, run)
        if best > height * 0.3:
            runs.append(best)
    runs.sort()
    return runs[len(runs) // 2] * 25.4 / dpi


@pytest.mark.parametrize("name", LAYOUTS)
def test_ean_bars_measured_on_the_rendered_sheet(name):
    layout = SHEETS[name]
    out = io.BytesIO()
    sheet_pdf([FULL], layout, layout.per_sheet, out=out)
    dpi = 300
    document = pypdfium2.PdfDocument(out.getvalue())
    try:
        page = document[0].render(scale=dpi / 72).to_pil()
    finally:
        document.close()
    px = dpi / 25.4
    for index in (0, layout.per_sheet - 1):  # the first and the last label
        x, y = layout.position(index)
        label = page.crop(
            (
                round(x * px),
                round(y * px),
                round((x + layout.width) * px),
                round((y + layout.height) * px),
            )
        )
        assert decode(label) == {"QRCode": [URL], "EAN13": [GTIN]}
        assert _bar_height_mm(label, dpi) >= EAN_NOMINAL_HEIGHT - 1.5 / px, (name, index)


@pytest.mark.parametrize("name", LAYOUTS)
@pytest.mark.parametrize("content", [FULL, LONG], ids=["usual", "long"])
def test_nothing_within_4_mm_of_the_sheet_edge(name, content):
    layout = SHEETS[name]
    shapes = [
        s for s in arrange(content, layout.width, layout.height, layout.insets).shapes if inks(s)
    ]
    assert shapes
    for index in range(layout.per_sheet):
        x, y = layout.position(index)
        for shape in shapes:
            x0, y0, x1, y1 = bbox(shape)
            assert 0 <= x0 <= x1 <= layout.width, shape
            assert 0 <= y0 <= y1 <= layout.height, shape
            assert x + x0 >= SHEET_MARGIN - 1e-9, (name, index, shape)
            assert y + y0 >= SHEET_MARGIN - 1e-9, (name, index, shape)
            assert A4[0] - (x + x1) >= SHEET_MARGIN - 1e-9, (name, index, shape)
            assert A4[1] - (y + y1) >= SHEET_MARGIN - 1e-9, (name, index, shape)


def _overlaps(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize("name", LAYOUTS)
@pytest.mark.parametrize("content", [FULL, LONG], ids=["usual", "long"])
def test_words_keep_off_the_codes_and_each_other(name, content):
    layout = SHEETS[name]
    arrangement = arrange(content, layout.width, layout.height, layout.insets)
    texts = [
        s
        for s in arrangement.shapes
        if isinstance(s, Text)
        and not _inside(bbox(s), arrangement.badge)
        and not _inside(bbox(s), arrangement.ean_quiet)
    ]
    for text in texts:
        box = bbox(text)
        assert not _overlaps(box, arrangement.qr_quiet), text
        assert not _overlaps(box, arrangement.ean_quiet), text
        assert not _overlaps(box, arrangement.badge), text
    for i, a in enumerate(texts):
        for b in texts[i + 1 :]:
            assert not _overlaps(bbox(a), bbox(b)), (a.text, b.text)


def _inside(box, outer) -> bool:
    return outer is not None and (
        outer[0] - 1e-6 <= box[0]
        and box[2] <= outer[2] + 1e-6
        and outer[1] - 1e-6 <= box[1]
        and box[3] <= outer[3] + 1e-6
    )


@pytest.mark.parametrize("name", [*LAYOUTS, "single"])
def test_every_word_of_the_mark_is_printed(name):
    layout = SINGLE if name == "single" else SHEETS[name]
    arrangement = arrange(FULL, layout.width, layout.height, layout.insets)
    words = [s.text for s in arrangement.shapes if isinstance(s, Text)]
    joined = " ".join(words)
    assert "32JY9 W8MF5" in words  # the code in words, grouped
    assert "cho-ocop.vn/verify" in words  # where to type it
    assert {"SẢN PHẨM", "OCOP", "4 SAO · 2026"} <= set(words)
    assert "QĐ 1201/QĐ-UBND · UBND tỉnh Tuyên Quang" in joined.replace("\n", " ") or (
        "QĐ 1201/QĐ-UBND" in joined and "UBND tỉnh Tuyên Quang" in joined
    )
    assert "Hiệu lực đến 26/01/2029" in words
    assert "Chè Shan Tuyết Lũng Phìn" in words
    # Only the pack (not among the mark's words) may be left out, and only where tight.
    assert set(arrangement.left_out) <= {FULL.pack}
    code_line = next(
        s for s in arrangement.shapes if isinstance(s, Text) and s.text == "32JY9 W8MF5"
    )
    assert code_line.size >= 7  # legible: the buyer types it
    assert min(s.size for s in arrangement.shapes if isinstance(s, Text)) >= 3.4


def test_short_address_comes_from_configuration():
    assert short_verify_url("", "https://www.cho-ocop.vn") == "cho-ocop.vn/verify"
    assert short_verify_url("", "http://127.0.0.1:5000") == "127.0.0.1:5000/verify"
    assert short_verify_url(" ocop.vn/kt ", "https://www.cho-ocop.vn") == "ocop.vn/kt"


def _ink_box(image: Image.Image) -> tuple[int, int, int, int]:
    return (
        Image.eval(image.convert("L"), lambda v: 255 - v)
        .point(lambda v: 255 if v > 128 else 0)
        .getbbox()
    )


def _page(pdf: bytes, dpi: int) -> Image.Image:
    document = pypdfium2.PdfDocument(pdf)
    try:
        return document[0].render(scale=dpi / 72).to_pil()
    finally:
        document.close()


def test_offset_moves_every_label_by_that_much():
    layout = SHEETS["2x7"]
    plain, moved = io.BytesIO(), io.BytesIO()
    sheet_pdf([FULL], layout, 14, out=plain)
    sheet_pdf([FULL], layout, 14, out=moved, offset=(-3.0, 2.5))
    dpi = 254  # 10 pixels a millimetre
    a, b = _ink_box(_page(plain.getvalue(), dpi)), _ink_box(_page(moved.getvalue(), dpi))
    assert (b[0] - a[0], b[1] - a[1]) == (pytest.approx(-30, abs=1), pytest.approx(25, abs=1))


def test_calibration_page_marks_the_margin_and_the_crosses():
    pdf = calibration_pdf((1.5, -0.5))
    image = _page(pdf, 254)
    box = _ink_box(image)
    # The dashed margin at 4 mm, moved by the offset (+1.5 mm right, 0.5 mm up).
    assert box[0] == pytest.approx(55, abs=2)
    assert box[1] == pytest.approx(35, abs=2)
    assert b"DejaVuSans" in pdf
    assert calibration_pdf() != pdf
