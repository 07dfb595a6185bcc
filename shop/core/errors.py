"""Readable error pages for people, JSON for API clients; never a bare 500."""

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from shop.extensions import db


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


def render_error(code: int, message: str | None = None):
    message = message or _messages().get(code, _("Đã có lỗi xảy ra."))
    if _wants_json():
        return jsonify(error={"code": code, "message": message}), code
    return render_template("errors/error.html", code=code, message=message), code


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
        return render_error(error.code)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        db.session.rollback()
        if app.config.get("RERAISE_UNHANDLED"):
            # Tests: an unhandled exception fails the test that caused it, instead
            # of an error page that a test reading only text could pass over.
            raise error
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return render_error(500)
