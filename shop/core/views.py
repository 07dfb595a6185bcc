from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from shop.auth.redirects import safe_next
from shop.extensions import csrf, db
from shop.uploads import upload_path

bp = Blueprint("core", __name__)


@bp.get("/")
def index():
    return render_template("core/index.html")


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


@bp.post("/language")
def set_language():
    language = request.form.get("lang", "")
    if language in current_app.config["LANGUAGES"]:
        session["lang"] = language
    return redirect(safe_next(request.form.get("next"), url_for("core.index")))


@bp.get("/media/logos/<name>")
def logo(name: str):
    """Producer logos: public, re-encoded at upload, immutable names."""
    try:
        path = upload_path(f"logos/{name}")
    except FileNotFoundError:
        abort(404)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype="image/webp", max_age=31536000)
    return response
