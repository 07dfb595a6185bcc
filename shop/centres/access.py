"""Who may act for a centre: its own staff (the centre role) only, and only for
their centre. Every /centre route goes through here."""

from functools import wraps

from flask import abort, g
from flask_login import current_user, login_required

from shop.centres.services import centre_of


def centre_required(view):
    """Signed in and working at a centre; the centre is ``g.centre``. Anyone else
    signed in (buyers, producers, trade-promotion staff) gets a 403."""

    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        centre = centre_of(current_user)
        if centre is None:
            abort(403)
        g.centre = centre
        return view(*args, **kwargs)

    return wrapper
