"""The catalogue's generation: a number that moves whenever what a listing shows changes.

Cached listing fragments (the results of ``/products``, its filters and counts) carry
the generation in their keys, so a change makes every one of them a miss at once,
on every node: no stale price, status or certificate after the commit that changed
it. A short timeout bounds anything this misses (``CATALOG_RESULTS_CACHE_SECONDS``).

What moves it:
- any ORM change to a product, its photos, its producer or its certificates, noticed
  by a session hook at flush and applied after the commit (a rollback moves nothing);
- the stock UPDATEs that bypass the ORM (an order takes stock, a cancellation puts it
  back) only when a product's stock crosses zero, the one stock fact a card shows
  (``stock_crossed_zero``), so a busy checkout does not empty the cache.

The number lives in the shared cache (Redis in production). When the cache is away
there is nothing cached to be stale either.
"""

from sqlalchemy import event

from shop.extensions import cache

KEY = "catalog-generation"
_CHANGED = "catalog_changed"


def current() -> int:
    return int(cache.get(KEY) or 0)


def mark_changed(session) -> None:
    """Move the generation after ``session``'s commit (for changes the ORM does not see)."""
    session.info[_CHANGED] = True


def stock_crossed_zero(before: int, after: int) -> bool:
    """Whether a card's "in stock" changed between two stock levels."""
    return (before > 0) != (after > 0)


def _watched() -> tuple[type, ...]:
    from shop.catalog.models import Product, ProductPhoto
    from shop.certification.models import Certificate
    from shop.producers.models import Producer

    return (Product, ProductPhoto, Producer, Certificate)


def _after_flush(session, _context) -> None:
    if session.info.get(_CHANGED):
        return
    watched = _watched()
    for obj in (*session.new, *session.deleted):
        if isinstance(obj, watched):
            session.info[_CHANGED] = True
            return
    for obj in session.dirty:
        if isinstance(obj, watched) and session.is_modified(obj, include_collections=False):
            session.info[_CHANGED] = True
            return


def _after_commit(session) -> None:
    if session.in_nested_transaction():
        return
    # A cache without counters, or away: start one (set does nothing when away).
    if session.info.pop(_CHANGED, False) and cache.cache.inc(KEY) is None:
        cache.set(KEY, 1, timeout=0)


def install_session_hooks(session) -> None:
    """Listen on the application's session, once per process."""
    if not event.contains(session, "after_flush", _after_flush):
        event.listen(session, "after_flush", _after_flush)
        event.listen(session, "after_commit", _after_commit)
        event.listen(session, "after_soft_rollback", _soft_rollback)


def _soft_rollback(session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_CHANGED, None)
