"""Personal data stays out of caches, Referer headers and access logs.

- Pages and files with a buyer's order, cart or contact details, and every page of
  the staff and producer areas, are sent ``Cache-Control: private, no-store``: no
  shared proxy keeps them, and the browser's back button asks the server again
  rather than showing them to the next person at a shared computer.
- An order page opened with its guest link (``/orders/<number>?key=...``) is sent
  ``Referrer-Policy: no-referrer``, so the key does not leave in a Referer header
  (not even to this site's own access log, by the next click).
- ``key=<secret>`` is written ``key=[redacted]`` in werkzeug's request log (``flask
  run``); ``deploy/gunicorn.conf.py`` does the same for gunicorn's access log.
"""

import logging
import re

from flask import Flask, request

NO_STORE = "private, no-store"

# Blueprints whose every answer shows someone's order, cart or contact details.
PRIVATE_BLUEPRINTS = frozenset(
    {"orders", "staff_orders", "payments", "staff_payments", "cart", "checkout"}
)
# The signed-in areas span several blueprints (catalog, certification, producers,
# promotion, reports, settlements, labels...): staff pages list buyers, producers
# see their buyers' addresses, members and money; under /orders/ an order's pages
# live in several areas (orders, payments, reviews). A new page there is covered.
PRIVATE_PATH_PREFIXES = ("/staff/", "/producer/", "/account/", "/orders/")
PRIVATE_MIMETYPES = frozenset({"text/csv"})
# Blueprints whose CSV is public catalogue data for anyone (the product feeds).
PUBLIC_CSV_BLUEPRINTS = frozenset({"feeds"})

# The order's guest key in a query string: plain (a request line, a Referer) or
# percent-encoded inside another parameter (``next=``); the value ends at a separator.
_KEY = re.compile(r"((?:[?&;]|%3F|%26)key(?:=|%3D))[^&;#\s\"'%]*", re.IGNORECASE)
REDACTED = "[redacted]"


def redact_secrets(text: str) -> str:
    """``text`` with every ``key=<anything>`` query parameter's value hidden."""
    return _KEY.sub(rf"\g<1>{REDACTED}", text)


class RedactKeyFilter(logging.Filter):
    """Rewrites a log record whose message carries an order's guest key."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed call: the handler reports it
            return True
        redacted = redact_secrets(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


def install_log_filter(logger: logging.Logger) -> None:
    """Add the filter once (``create_app`` runs many times in one test process)."""
    if not any(isinstance(f, RedactKeyFilter) for f in logger.filters):
        logger.addFilter(RedactKeyFilter())


def is_private(response) -> bool:
    return (
        request.blueprint in PRIVATE_BLUEPRINTS
        # "/account" itself too (the account page), not only what lies under it.
        or (request.path + "/").startswith(PRIVATE_PATH_PREFIXES)
        or (
            response.mimetype in PRIVATE_MIMETYPES
            and request.blueprint not in PUBLIC_CSV_BLUEPRINTS
        )
    )


# Pages whose address carries a secret in its path: a password reset and a
# producer invitation. Their Referer would carry it to the next page.
# A token in the path: password reset, invitation, and the back-in-stock confirmation
# and unsubscribe links (the confirmation's signed token carries the address).
SECRET_PATH_PREFIXES = ("/password/reset/", "/producer/invitations/", "/stock-alerts/")


def opened_with_guest_key() -> bool:
    # Orders and complaints are followed by a link with a key (shop/legal/views.py);
    # an order's pages live in orders, payments and reviews.
    keyed = ("orders", "payments", "reviews", "legal")
    return (request.blueprint in keyed and bool(request.args.get("key"))) or (
        request.path.startswith(SECRET_PATH_PREFIXES)
    )


def register(app: Flask) -> None:
    """Call before ``install_security_headers``: Flask runs ``after_request`` hooks
    in reverse order of registration, and this one must have the last word on
    Referrer-Policy, which the security hook sets for every response."""
    install_log_filter(logging.getLogger("werkzeug"))

    @app.after_request
    def keep_personal_data_private(response):
        if is_private(response):
            response.headers["Cache-Control"] = NO_STORE
        if opened_with_guest_key():
            response.headers["Referrer-Policy"] = "no-referrer"
            response.headers["Cache-Control"] = NO_STORE
        return response
