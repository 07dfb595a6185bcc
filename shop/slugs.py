"""URL slugs that are unique within a table: "che-shan-tuyet", "che-shan-tuyet-2"."""

from sqlalchemy import func, select

from shop.extensions import db
from shop.text import slugify


def unique_slug(model, name: str, *, exclude_id: int | None = None, max_length: int = 90) -> str:
    base = slugify(name, max_length=max_length)
    slug, n = base, 1
    while True:
        query = select(func.count()).select_from(model).where(model.slug == slug)
        if exclude_id is not None:
            query = query.where(model.id != exclude_id)
        if not db.session.scalar(query):
            return slug
        n += 1
        slug = f"{base}-{n}"
