"""The ``srcset`` of a product photo: its stored variants (shop/uploads.py makes a
400 px one from each original) and the original, each with its real width, so that
a phone downloads the small file and a wide screen the sharp one."""

from sqlalchemy import select

from shop.catalog.models import ProductPhoto
from shop.core.views import media_url
from shop.extensions import db
from shop.uploads import THUMBNAIL_SIDES, thumbnail_key


def photo_srcset(photo) -> str:
    width, height = photo.width or 0, photo.height or 0
    longest = max(width, height)
    candidates = []
    for side in THUMBNAIL_SIDES:
        if longest <= side:
            break  # a variant is never enlarged: the original is already this small
        key = photo.thumb_path if side == THUMBNAIL_SIDES[0] else thumbnail_key(photo.path, side)
        candidates.append(f"{media_url(key)} {round(width * side / longest)}w")
    if width:
        candidates.append(f"{media_url(photo.path)} {width}w")
    return ", ".join(candidates)


def cover_thumbs(product_ids) -> dict[int, str]:
    """The small photo of each product's first photo, by product id, in one query
    (the cart's lines; a product without photos is left out)."""
    ids = list(product_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(ProductPhoto.product_id, ProductPhoto.thumb_path)
        .where(ProductPhoto.product_id.in_(ids))
        .order_by(ProductPhoto.product_id, ProductPhoto.position.desc(), ProductPhoto.id.desc())
    )
    # Ordered so that each product's first photo (lowest position, then id) comes last.
    return {row.product_id: row.thumb_path for row in rows}
