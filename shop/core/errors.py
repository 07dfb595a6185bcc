"""Readable error pages for people, JSON for API clients; never a bare 500."""

import math
import time

from flask import Flask, current_app, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from shop.extensions import db
from shop.i18n import current_language


def _wants_json() -> bool:
    if request.path.startswith("/api/") or request.path.endswith(".json"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def _messages() -> dict[int, str]:
    return {
        400: _("Yêu cầu không hợp lệ."),
        401: _("Bạn cần đăng nhập."),
        403: _("Bạn không có quyền truy cập trang này."),
        404: _("Không tìm thấy trang bạn cần."),
        405: _("Phương thức không được hỗ trợ."),
        413: _("Tệp gửi lên quá lớn."),
        429: _("Bạn thử quá nhiều lần. Vui lòng đợi một phút rồi thử lại."),
        500: _("Đã có lỗi xảy ra. Chúng tôi đã ghi nhận và sẽ khắc phục."),
        503: _("Dịch vụ tạm thời gián đoạn."),
    }


def set_retry_after(response) -> None:
    """When the refused request may try again. Rate-limit headers are not sent
    on every response (RATELIMIT_HEADERS_ENABLED: two more Redis calls each);
    the one answer that needs the time asks for it here."""
    from shop.extensions import limiter

    try:
        limit = limiter.current_limit
        seconds = math.ceil(limit.reset_at - time.time()) if limit is not None else 60
    except Exception:  # the storage is away: the page already says "a minute"
        seconds = 60
    response.headers["Retry-After"] = str(max(seconds, 1))


def render_error(code: int, message: str | None = None):
    message = message or _messages().get(code, _("Đã có lỗi xảy ra."))
    if _wants_json():
        return jsonify(error={"code": code, "message": message}), code
    return render_template("errors/error.html", code=code, message=message), code


# Errors that say the database is away (down, hung, restarting, out of pooled
# connections, a statement past DB_STATEMENT_TIMEOUT_MS), not that our code is wrong.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeout)
RETRY_AFTER_SECONDS = 30

# The outage page stands alone: base.html asks the database for the signed-in user
# and the cart, which would fail again (after another connect timeout) and turn
# the 503 into a 500.
UNAVAILABLE_PAGE = """<!doctype html>
<html lang="{{ current_language }}">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>503 · {{ shop_name }}</title>
  <link rel="stylesheet" href="{{ url_for('static', filename='css/shop.css') }}">
</head>
<body>
<main id="main" class="wrap">
  <section class="panel narrow">
    <h1>503</h1>
    <p>{{ message }}</p>
    <p>{{ hint }}</p>
    <p><a href="{{ url_for('storefront.home') }}">{{ home }}</a></p>
  </section>
</main>
</body>
</html>
"""


def render_unavailable():
    message = _("Dịch vụ tạm thời gián đoạn.")
    hint = _("Vui lòng thử lại sau ít phút.")
    if _wants_json():
        response = jsonify(error={"code": 503, "message": f"{message} {hint}"})
    else:
        # Straight from the Jinja environment: Flask's render_template would run the
        # context processors, and Flask-Login's loads the user from the database.
        page = current_app.jinja_env.from_string(UNAVAILABLE_PAGE).render(
            current_language=current_language(),
            shop_name=_("Chợ OCOP"),
            message=message,
            hint=hint,
            home=_("Về trang chủ"),
        )
        response = make_response(page)
    response.status_code = 503
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(
            400, _("Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. Vui lòng thử lại.")
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        if error.code != 429:
            return render_error(error.code)
        response = make_response(render_error(429))
        set_retry_after(response)
        return response

    # More specific than Exception, so Flask chooses it over the catch-all below
    # (which re-raises under tests): a database outage is a 503, tests included.
    def database_unavailable(error: Exception):
        try:
            db.session.rollback()
        except SQLAlchemyError:
            db.session.remove()  # the connection is gone; drop the session with it
        app.logger.error(
            "database unavailable on %s %s: %s: %s",
            request.method,
            request.path,
            type(error).__name__,
            error,
        )
        return render_unavailable()

    for error_class in DATABASE_UNAVAILABLE:
        app.register_error_handler(error_class, database_unavailable)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        db.session.rollback()
        if app.config.get("RERAISE_UNHANDLED"):
            # Tests: an unhandled exception fails the test that caused it, instead
            # of an error page that a test reading only text could pass over.
            raise error
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return render_error(500)
