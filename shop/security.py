"""Security headers on every response, and a per-request CSP nonce.

Hand-written rather than Flask-Talisman: the policy is a dozen lines, and
Talisman's last release predates Flask 3.1.
"""

import secrets
from urllib.parse import unquote_to_bytes, urlsplit

from flask import Flask, abort, current_app, request
from werkzeug.routing import IntegerConverter


def csp_nonce() -> str:
    """One nonce per request (kept on the request: an app context can outlive it)."""
    nonce = request.environ.get("shop.csp_nonce")
    if nonce is None:
        nonce = request.environ["shop.csp_nonce"] = secrets.token_urlsafe(16)
    return nonce


class BoundedIntConverter(IntegerConverter):
    """``<int:…>`` that 404s on numbers no database id can have (no OverflowError)."""

    def __init__(self, url_map, fixed_digits=0, min=0, max=2**31 - 1, signed=False):
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def _has_nul(values) -> bool:
    return any("\x00" in v for v in values)


def _unreadable(raw: bytes) -> bool:
    """Not UTF-8, or holding a NUL: no link or form of ours produces either."""
    try:
        return "\x00" in raw.decode("utf-8")
    except UnicodeDecodeError:
        return True


def refuse_unreadable_request() -> None:
    """400 for a path or query string that is not NUL-free UTF-8.

    WSGI hands PATH_INFO over percent-decoded, as latin-1, and the query string
    still encoded. Werkzeug would quietly turn a bad byte into U+FFFD (its own
    server does so in PATH_INFO: the raw request target, RAW_URI or REQUEST_URI,
    keeps the byte), and a NUL would reach PostgreSQL, which refuses it (a 500).
    """
    environ = request.environ
    raw_uri = environ.get("RAW_URI") or environ.get("REQUEST_URI") or ""
    try:
        parts = [
            environ.get("PATH_INFO", "").encode("latin-1"),
            unquote_to_bytes(environ.get("QUERY_STRING", "").encode("latin-1")),
            unquote_to_bytes(raw_uri.encode("latin-1")),
        ]
    except UnicodeEncodeError:  # a server that does not follow PEP 3333
        abort(400)
    if any(_unreadable(part) for part in parts):
        abort(400)
    if (
        request.method == "POST"
        and request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data")
        and _has_nul(request.form.values())
    ):
        abort(400)


def allow_stripe_js() -> None:
    """Let this response load Stripe.js from STRIPE_JS_URL's origin."""
    parts = urlsplit(current_app.config["STRIPE_JS_URL"])
    origin = f"{parts.scheme}://{parts.netloc}"
    if parts.netloc == "js.stripe.com":  # the real Stripe.js talks to these as well
        origin += " https://api.stripe.com https://hooks.stripe.com https://*.stripe.com"
    request.environ["shop.csp_stripe_origin"] = origin


def allow_camera() -> None:
    """Let this page ask for the camera (the centre's till scans barcodes with it);
    every other page keeps ``camera=()``."""
    request.environ["shop.camera"] = True


def install_security_headers(app: Flask) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.url_map.converters["int"] = BoundedIntConverter

    # First of the before-request hooks: PostgreSQL refuses NUL in text and no
    # person types one. A clear 400 on every route, not a 500.
    app.before_request(refuse_unreadable_request)

    @app.after_request
    def set_headers(response):
        # The card page loads Stripe.js from the configured host (and only it):
        # its script, its API calls and its 3-D Secure frames.
        stripe_origin = request.environ.get("shop.csp_stripe_origin", "")
        extra = f" {stripe_origin}" if stripe_origin else ""
        policy = "; ".join(
            [
                "default-src 'self'",
                f"script-src 'self' 'nonce-{csp_nonce()}'{extra}",
                "style-src 'self'",
                "img-src 'self' data:" + extra,
                "font-src 'self'",
                "connect-src 'self'" + extra,
                "frame-src" + (extra or " 'none'"),
                "object-src 'none'",
                "base-uri 'self'",
                "form-action 'self'",
                "frame-ancestors 'none'",
            ]
        )
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        response.headers["X-Frame-Options"] = "DENY"
        camera = "(self)" if request.environ.get("shop.camera") else "()"
        response.headers["Permissions-Policy"] = f"camera={camera}, microphone=(), geolocation=()"
        if app.config.get("HSTS"):
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        return response
