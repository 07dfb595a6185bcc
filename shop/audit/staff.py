"""Staff: the audit log, for administrators."""

from flask import Blueprint, abort, render_template
from flask_login import current_user

from shop.audit.services import latest_entries
from shop.auth.decorators import staff_required
from shop.pagination import paginate

bp = Blueprint("audit_staff", __name__, url_prefix="/staff")

PAGE = 500  # audit entries a page


@bp.get("/audit")
@staff_required
def audit_log():
    if not current_user.is_admin:
        abort(403)
    pager = paginate(latest_entries(), PAGE)
    return render_template("audit/staff_log.html", entries=pager.items, pages=pager)
