"""Official artwork uploads: checked, made safe (rasterised), chosen per province."""

import io

import pypdfium2
from flask_babel import gettext as _
from PIL import Image
from reportlab.graphics import renderPDF
from sqlalchemy import select

from shop.audit import services as audit
from shop.auth.models import User
from shop.extensions import db
from shop.labels.models import LabelArtwork
from shop.uploads import UploadRejected, read_limited, reencode_variants, store_upload

ARTWORK_SIDE = 1200  # px: 300 dpi at 100 mm, far more than any label needs


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def rasterise_svg(data: bytes) -> bytes:
    """Draw an SVG with svglib (shapes only: scripts, handlers and external references
    are never executed) and rasterise it to a transparent PNG."""
    from svglib.svglib import svg2rlg

    try:
        drawing = svg2rlg(io.BytesIO(data))
    except Exception as exc:  # svglib raises many kinds on bad input
        raise UploadRejected(_("Tệp SVG không đọc được.")) from exc
    if drawing is None or not drawing.width or not drawing.height:
        raise UploadRejected(_("Tệp SVG không đọc được."))
    pdf = renderPDF.drawToString(drawing)
    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0]
        scale = ARTWORK_SIDE / max(page.get_width(), page.get_height())
        image = page.render(scale=scale, may_draw_forms=True).to_pil()
    finally:
        document.close()
    return _png(image)


def check_artwork(file_storage, max_bytes: int) -> bytes:
    data = read_limited(file_storage, max_bytes)
    name = (file_storage.filename or "").lower()
    head = data[:512].lstrip().lower()
    if name.endswith(".svg") or head.startswith((b"<?xml", b"<svg")):
        return rasterise_svg(data)
    webp, _w, _h = reencode_variants(data, (ARTWORK_SIDE,))[0]
    with Image.open(io.BytesIO(webp)) as image:
        return _png(image.convert("RGBA"))


def upload_artwork(png: bytes, province_code: int | None, staff: User, name: str):
    stored = store_upload(png, "artwork", "image/png")  # deleted if the caller rolls back
    # Replace what was in force for the same scope.
    for old in db.session.scalars(
        select(LabelArtwork).where(
            LabelArtwork.active.is_(True),
            LabelArtwork.province_code.is_(None)
            if province_code is None
            else LabelArtwork.province_code == province_code,
        )
    ):
        old.active = False
    artwork = LabelArtwork(
        province_code=province_code, path=stored.path, original_name=name[:200], uploaded_by=staff
    )
    db.session.add(artwork)
    db.session.flush()
    audit.record(staff, "artwork.upload", artwork, province=province_code)
    return artwork


def retire_artwork(artwork: LabelArtwork, staff: User) -> None:
    artwork.active = False
    db.session.flush()
    audit.record(staff, "artwork.retire", artwork)


def artwork_for(province_code: int) -> LabelArtwork | None:
    """The province's own artwork if it has one, else the national one."""
    candidates = db.session.scalars(
        select(LabelArtwork).where(
            LabelArtwork.active.is_(True),
            (LabelArtwork.province_code == province_code) | LabelArtwork.province_code.is_(None),
        )
    ).all()
    by_scope = {a.province_code: a for a in candidates}
    return by_scope.get(province_code) or by_scope.get(None)


def active_artworks():
    return (
        select(LabelArtwork)
        .where(LabelArtwork.active.is_(True))
        .order_by(LabelArtwork.province_code.is_not(None), LabelArtwork.province_code)
    )
