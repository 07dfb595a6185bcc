"""RFC 9457 problem details: every error under /api/ is ``application/problem+json``.

Two ways in. Errors raised inside an API view (a parameter that does not validate,
``abort(404)``, a rate limit, a database outage, a bug) meet the handlers registered
on each API blueprint, which know the details (which parameter, the allowed
methods). Errors that never reach a view (no route, a method the route lacks, a bad
byte in the path) are answered by the app's own handlers (shop/core/errors.py) as
``{"error": {"code", "message"}}``; ``problem_for_api_paths`` turns those into
problems on the way out, for paths under /api/ only, so HTML error pages stay as
they are. The old ``error`` member stays in every problem (an extension member, as
RFC 9457 allows) for clients of the verification API written before version 1.1.
"""

from http import HTTPStatus

from flask import Blueprint, Flask, current_app, json, request
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from shop.core.errors import DATABASE_UNAVAILABLE, RETRY_AFTER_SECONDS, render_error
from shop.extensions import db

PROBLEM_JSON = "application/problem+json"
PREFIX = "/api/"
# One page per status explains it; "about:blank" would say nothing more than the title.
TYPE_BASE = "https://ocop.vn/api/v1/docs#problem-"


def problem(
    status: int,
    detail: str | None = None,
    *,
    errors: dict | None = None,
    headers: dict | None = None,
):
    phrase = HTTPStatus(status).phrase
    body: dict = {
        "type": f"{TYPE_BASE}{status}",
        "title": phrase,
        "status": status,
        "detail": detail or phrase,
        "instance": request.path,
        "error": {"code": status, "message": detail or phrase},
    }
    if errors:
        # {"limit": ["Must be between 1 and 100."]}: which parameter, and why.
        body["errors"] = errors
    response = current_app.response_class(
        json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM_JSON
    )
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _parameter_errors(error: HTTPException) -> dict | None:
    """webargs puts {location: {parameter: [messages]}} in ``error.data``."""
    data = getattr(error, "data", None) or {}
    messages = data.get("messages") or data.get("errors")
    if not isinstance(messages, dict):
        return None
    flat: dict = {}
    for location, fields in messages.items():
        if isinstance(fields, dict):
            flat.update(fields)
        else:
            flat[location] = fields
    return flat


def http_problem(error: HTTPException):
    status = error.code or 500
    headers = {}
    detail = None
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        headers["Allow"] = ", ".join(sorted(error.valid_methods))
    if status == 429:
        from shop.core.errors import set_retry_after  # one place computes the wait

        response = problem(429, error.description)
        set_retry_after(response)
        return response
    errors = _parameter_errors(error)
    if errors:
        names = ", ".join(sorted(errors))
        detail = f"Invalid parameter: {names}."
        status = 400  # webargs says 422; a bad query parameter is a bad request
    elif not isinstance(error, NotFound):
        detail = error.description
    else:
        detail = "Not found."
    return problem(status, detail, errors=errors, headers=headers)


def database_problem(error: Exception):
    try:
        db.session.rollback()
    except SQLAlchemyError:
        db.session.remove()
    current_app.logger.error(
        "database unavailable on %s %s: %s", request.method, request.path, type(error).__name__
    )
    message = render_error(503)[0].get_json()["error"]["message"]
    return problem(503, message, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def unexpected_problem(error: Exception):
    db.session.rollback()
    if current_app.config.get("RERAISE_UNHANDLED"):
        raise error
    current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
    return problem(500, "Internal server error.")


def register_on(bp: Blueprint) -> None:
    """Errors raised in this blueprint's views are problems."""
    bp.register_error_handler(HTTPException, http_problem)
    for error_class in DATABASE_UNAVAILABLE:
        bp.register_error_handler(error_class, database_problem)
    bp.register_error_handler(Exception, unexpected_problem)


def problem_for_api_paths(response):
    """after_request: an error under /api/ that the app's handlers answered."""
    if (
        response.status_code < 400
        or not request.path.startswith(PREFIX)
        or response.mimetype != "application/json"
    ):
        return response
    body = response.get_json(silent=True) or {}
    old = body.get("error") if isinstance(body, dict) else None
    if not isinstance(old, dict):
        return response
    status = response.status_code
    headers = {k: v for k, v in response.headers.items() if k in ("Retry-After", "Allow")}
    if status == 405 and "Allow" not in headers:
        try:
            adapter = current_app.url_map.bind_to_environ(request.environ)
            allowed = adapter.allowed_methods(request.path)
        except HTTPException:
            allowed = []
        if allowed:
            headers["Allow"] = ", ".join(sorted(allowed))
    return problem(status, old.get("message"), headers=headers)


def register(app: Flask) -> None:
    app.after_request(problem_for_api_paths)
