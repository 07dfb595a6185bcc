"""Who may act for a producer. Every producer route goes through here."""

from functools import wraps

from flask import abort, g, redirect, url_for
from flask_login import current_user, login_required

from shop.extensions import db
from shop.producers.services import producer_of


def producer_required(view):
    """Signed in and working for a producer; the producer is ``g.producer``."""

    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        producer = producer_of(current_user)
        if producer is None:
            return redirect(url_for("producers.register"))
        g.producer = producer
        return view(*args, **kwargs)

    return wrapper


def own_or_404(model, object_id: int, producer_attr: str = "producer_id"):
    """Load an object of the current producer; another producer's object is a 404."""
    obj = db.session.get(model, object_id)
    if obj is None or getattr(obj, producer_attr) != g.producer.id:
        abort(404)
    return obj
