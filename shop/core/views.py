from flask import (
    Blueprint,
    current_app,
    jsonify,
    redirect,
    request,
    session,
)
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from shop.core import readiness
from shop.core.redirects import safe_next
from shop.extensions import csrf, db, limiter
from shop.i18n import path_in, site_root
from shop.uploads import send_upload

bp = Blueprint("core", __name__)


@bp.get("/healthz")
@csrf.exempt
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.exception("health check: database unavailable")
        return jsonify(status="error", database="unavailable"), 503
    return jsonify(status="ok", database="ok")


def _stripe_wanted() -> bool:
    return request.args.get("stripe") == "1" or bool(current_app.config["READYZ_CHECK_STRIPE"])


@bp.get("/readyz")
@csrf.exempt
# Asking for Stripe makes an outbound request: a prober needs a few a minute, not more.
@limiter.limit("12 per minute", exempt_when=lambda: not _stripe_wanted())
def readyz():
    """Readiness: each dependency by name. Without the database nothing works (503);
    without Redis, Stripe, the broker or object storage the shop still sells
    ("degraded", 200): every node shares them, so taking one node out would not help."""
    config = current_app.config
    checks = {
        "database": readiness.check_database(),
        "redis": readiness.check_redis(config["REDIS_URL"], config),
        "broker": readiness.check_broker(config.get("CELERY_BROKER_URL", "")),
        "storage": readiness.check_storage(current_app),
        "stripe": (
            readiness.check_stripe(config["STRIPE_API_BASE"])
            if _stripe_wanted()
            else readiness.NOT_CHECKED
        ),
    }
    if checks["database"] != readiness.OK:
        return jsonify(status="error", **checks), 503
    degraded = readiness.UNAVAILABLE in checks.values()
    return jsonify(status="degraded" if degraded else "ok", **checks)


@bp.post("/language")
@csrf.exempt  # it changes nothing any more: a redirect to the page in that language
def set_language():
    """The language switch of pages from before the language was in the address
    (a form in a cached or open page): off to the page's address in that language."""
    session.pop("lang", None)  # the old choice; the address decides now
    language = request.form.get("lang", "")
    if language not in current_app.config["LANGUAGES"]:
        language = current_app.config["BABEL_DEFAULT_LOCALE"]
    return redirect(path_in(language, safe_next(request.form.get("next"), "/")), 303)


@bp.get("/media/<any(logos, photos):kind>/<name>")
def media(kind: str, name: str):
    """Public images (logos, product photos): re-encoded at upload, immutable names."""
    return send_upload(f"{kind}/{name}", "image/webp", max_age=31536000)


def media_url(relative: str | None) -> str | None:
    """URL of a stored public image ("photos/ab12.webp") for ``core.media``.

    Built by hand rather than with url_for: a catalogue page asks for dozens.
    """
    if not relative:
        return None
    return f"{site_root()}/media/{relative}"  # one address in every language
