"""What moves the catalogue's generation (shop/catalog/generation.py): any ORM change
to what a listing shows. Here, above the catalogue, because a listing shows
certificates too."""

from sqlalchemy import event

from shop.catalog import generation
from shop.catalog.models import Product, ProductPhoto
from shop.certification.models import Certificate
from shop.producers.models import Producer

WATCHED = (Product, ProductPhoto, Producer, Certificate)


def _after_flush(session, _context) -> None:
    if generation.changed_in(session):
        return
    for obj in (*session.new, *session.deleted):
        if isinstance(obj, WATCHED):
            generation.mark_changed(session)
            return
    for obj in session.dirty:
        if isinstance(obj, WATCHED) and session.is_modified(obj, include_collections=False):
            generation.mark_changed(session)
            return


def install_session_hooks(session) -> None:
    """Listen on the application's session, once per process."""
    if not event.contains(session, "after_flush", _after_flush):
        event.listen(session, "after_flush", _after_flush)
    generation.install_commit_hooks(session)
