"""One check per dependency for ``/readyz``: each answers a short word, never raises."""

import http.client
import socket
import ssl
from urllib.parse import urlsplit

import redis
from flask import current_app
from redis.backoff import NoBackoff
from redis.retry import Retry
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from shop.core.resilience import redis_client
from shop.extensions import db

OK, UNAVAILABLE, NOT_CONFIGURED, NOT_CHECKED = "ok", "unavailable", "not configured", "not checked"
STRIPE_TIMEOUT = 2.0  # seconds; a probe must answer well within the prober's own timeout
BROKER_TIMEOUT = 1.0  # seconds, to connect and for the broker's first words
# An AMQP 0-9-1 client opens with this header; the server answers with a method frame
# (type 1, Connection.Start) before any credentials are asked for.
AMQP_HEADER = b"AMQP\x00\x00\x09\x01"
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


def check_broker(url: str, timeout: float = BROKER_TIMEOUT) -> str:
    """Whether the Celery broker answers: Redis a PING, an AMQP server (RabbitMQ)
    the start of its handshake. No URL: jobs run in-process, nothing to check."""
    if not url:
        return NOT_CONFIGURED
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in ("redis", "rediss"):
        client = redis.Redis.from_url(
            url,
            socket_connect_timeout=timeout,
            socket_timeout=timeout,
            retry=Retry(NoBackoff(), 0),
        )
        try:
            client.ping()
        except redis.RedisError as error:
            current_app.logger.warning("readiness: broker unavailable: %s", error)
            return UNAVAILABLE
        finally:
            client.close()
        return OK
    if scheme in ("amqp", "pyamqp", "amqps"):
        return _check_amqp(parts, timeout)
    return NOT_CHECKED  # another Kombu transport: its own tools watch it


def _check_amqp(parts, timeout: float) -> str:
    host = parts.hostname or "localhost"
    tls = parts.scheme.lower() == "amqps"
    address = (host, parts.port or (5671 if tls else 5672))
    try:
        with socket.create_connection(address, timeout) as raw:
            conn = raw
            if tls:
                conn = ssl.create_default_context().wrap_socket(raw, server_hostname=host)
            conn.sendall(AMQP_HEADER)
            first = conn.recv(1)
    except OSError as error:  # refused, timed out, TLS refused
        current_app.logger.warning("readiness: broker unavailable at %s: %s", host, error)
        return UNAVAILABLE
    if first != b"\x01":
        current_app.logger.warning("readiness: broker at %s does not speak AMQP 0-9-1", host)
        return UNAVAILABLE
    return OK


def check_storage(app) -> str:
    """Whether uploads can be stored: the bucket answers a HEAD (STORAGE_BACKEND=s3,
    with its own short timeout), or the local folder is writable."""
    try:
        from shop.storage import S3Storage, StorageUnavailable, s3_client
    except ImportError:
        return NOT_CONFIGURED
    config = app.config
    store = app.extensions.get("storage")
    if store is None:
        return NOT_CONFIGURED
    try:
        if config.get("STORAGE_BACKEND") == "s3":
            probe = app.extensions.get("readyz_storage")
            if probe is None:
                timeout = config["READYZ_STORAGE_TIMEOUT"]
                probe = S3Storage(s3_client({**config, "S3_TIMEOUT": timeout}), config["S3_BUCKET"])
                app.extensions["readyz_storage"] = probe
            probe.ping()
        else:
            store.ping()
    except StorageUnavailable as error:
        current_app.logger.warning("readiness: storage unavailable: %s", error)
        return UNAVAILABLE
    return OK
