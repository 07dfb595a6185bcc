"""The tokens' periodic job, run once per period by shop/jobs/periodic.py."""

from datetime import datetime

from shop.extensions import db
from shop.tokens.idempotency import prune_keys


def prune_idempotency_keys(now: datetime) -> str:
    pruned = prune_keys(now)
    db.session.commit()
    return f"Idempotency keys pruned: {pruned}"
