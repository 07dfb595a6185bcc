from functools import wraps

from flask import abort
from flask_login import current_user, login_required


def staff_required(view):
    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not current_user.is_staff:
            abort(403)
        return view(*args, **kwargs)

    return wrapper
