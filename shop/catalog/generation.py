"""The catalogue's generation: a number that moves whenever what a listing shows changes.

Cached listing fragments (the results of ``/products``, its filters and counts) carry
the generation in their keys, so a change makes every one of them a miss at once,
on every node: no stale price, status or certificate after the commit that changed
it. A short timeout bounds anything this misses (``CATALOG_RESULTS_CACHE_SECONDS``).

What moves it, always after the commit (a rollback moves nothing):
- any ORM change to what a listing shows (a product, its photos, its producer, its
  certificates), noticed at flush by the storefront's hook
  (shop/storefront/generation.py), which sits above all of them;
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
    """Move the generation after ``session``'s commit."""
    session.info[_CHANGED] = True


def stock_crossed_zero(before: int, after: int) -> bool:
    """Whether a card's "in stock" changed between two stock levels."""
    return (before > 0) != (after > 0)


def _after_commit(session) -> None:
    if session.in_nested_transaction():
        return
    # A cache without counters, or away: start one (set does nothing when away).
    if session.info.pop(_CHANGED, False) and cache.cache.inc(KEY) is None:
        cache.set(KEY, 1, timeout=0)


def changed_in(session) -> bool:
    return bool(session.info.get(_CHANGED))


def install_commit_hooks(session) -> None:
    """Move the generation after a commit that marked it; forget the mark on a
    rollback. Once per process."""
    if not event.contains(session, "after_commit", _after_commit):
        event.listen(session, "after_commit", _after_commit)
        event.listen(session, "after_soft_rollback", _soft_rollback)


def _soft_rollback(session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_CHANGED, None)
