"""One check per dependency for ``/readyz``: each answers a short word, never raises."""

import http.client
from urllib.parse import urlsplit

import redis
from flask import current_app
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from shop.core.resilience import redis_client
from shop.extensions import db

OK, UNAVAILABLE, NOT_CONFIGURED, NOT_CHECKED = "ok", "unavailable", "not configured", "not checked"
STRIPE_TIMEOUT = 2.0  # seconds; a probe must answer well within the prober's own timeout
# Where the Stripe library goes when STRIPE_API_BASE is empty (production).
STRIPE_DEFAULT_API_BASE = "https://api.stripe.com"


def check_database() -> str:
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        db.session.rollback()
        current_app.logger.warning("readiness: database unavailable: %s", error)
        return UNAVAILABLE
    return OK


def check_redis(url: str, config) -> str:
    if not url:
        return NOT_CONFIGURED
    client = redis_client(url, config)
    try:
        client.ping()
    except redis.RedisError as error:
        current_app.logger.warning("readiness: Redis unavailable: %s", error)
        return UNAVAILABLE
    finally:
        client.close()
    return OK


def check_stripe(api_base: str, timeout: float = STRIPE_TIMEOUT) -> str:
    """Whether Stripe's API host answers HTTP at all: any status will do (an
    unauthenticated GET of "/" has no side effect and needs no key)."""
    api_base = api_base or STRIPE_DEFAULT_API_BASE
    parts = urlsplit(api_base)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return NOT_CONFIGURED
    connection_class = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    connection = connection_class(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request("GET", "/")
        connection.getresponse().read(1024)
    except (OSError, http.client.HTTPException) as error:
        current_app.logger.warning("readiness: Stripe unreachable at %s: %s", api_base, error)
        return UNAVAILABLE
    finally:
        connection.close()
    return OK
