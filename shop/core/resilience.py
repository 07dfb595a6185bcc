"""Bounded waits on the services the shop depends on (issue 10).

A database that accepts connections and never answers must cost a request a few
seconds and a 503, not a worker for good; a Redis that is down or hung must cost
nothing but the cache (selling never needs it).
"""

import time

import redis
from flask import Flask, current_app
from flask_caching.backends.rediscache import RedisCache
from flask_sqlalchemy import SQLAlchemy
from redis.backoff import NoBackoff
from redis.retry import Retry
from sqlalchemy.engine import make_url


def postgres_timeouts(options: dict, config) -> None:
    """Add the connect, statement and pool timeouts to a PostgreSQL engine's options.

    Anything already set, in the URL or in SQLALCHEMY_ENGINE_OPTIONS, wins.
    """
    url = make_url(options["url"])
    if url.get_backend_name() != "postgresql":
        return
    connect_args = options.setdefault("connect_args", {})
    if "connect_timeout" not in url.query:
        connect_args.setdefault("connect_timeout", int(config["DB_CONNECT_TIMEOUT"]))
    statement_ms = int(config["DB_STATEMENT_TIMEOUT_MS"])
    # 0 sends nothing: PgBouncer in transaction mode refuses the "options" parameter.
    if statement_ms and "options" not in url.query:
        connect_args.setdefault("options", f"-c statement_timeout={statement_ms}")
    options.setdefault("pool_timeout", float(config["DB_POOL_TIMEOUT"]))


class BoundedSQLAlchemy(SQLAlchemy):
    """Flask-SQLAlchemy whose PostgreSQL engines wait a bounded time.

    The timeouts follow the URI the app ends with (a test or a CLI may set its
    own), which a class attribute in config.py computed at import could not.
    """

    def _apply_driver_defaults(self, options: dict, app: Flask) -> None:
        super()._apply_driver_defaults(options, app)
        postgres_timeouts(options, app.config)


def redis_client(url: str, config) -> redis.Redis:
    """A client that gives up after REDIS_SOCKET_TIMEOUT and does not retry."""
    timeout = float(config["REDIS_SOCKET_TIMEOUT"])
    return redis.Redis.from_url(
        url,
        socket_connect_timeout=timeout,
        socket_timeout=timeout,
        retry=Retry(NoBackoff(), 0),  # redis-py's constructor default is 10 retries
    )


class TolerantRedisCache(RedisCache):
    """Redis as a cache that may be away: an error is a logged miss, never a failed page.

    After an error the cache leaves Redis alone for CACHE_REDIS_RETRY_AFTER seconds,
    so a hung Redis costs one socket timeout per pause rather than one per lookup.
    Select it with CACHE_TYPE = "shop.core.resilience.TolerantRedisCache".
    """

    def __init__(self, *args, retry_after: float = 30.0, **kwargs):
        super().__init__(*args, **kwargs)
        self.retry_after = retry_after
        self._paused_until = 0.0

    @classmethod
    def factory(cls, app, config, args, kwargs):
        kwargs["host"] = redis_client(config["CACHE_REDIS_URL"], config)
        if config.get("CACHE_KEY_PREFIX"):
            kwargs["key_prefix"] = config["CACHE_KEY_PREFIX"]
        kwargs["retry_after"] = float(config.get("CACHE_REDIS_RETRY_AFTER", 30))
        return cls(*args, **kwargs)

    def _tolerate(self, miss, method, *args):
        if time.monotonic() < self._paused_until:
            return miss
        try:
            return method(*args)
        except redis.RedisError as error:
            self._paused_until = time.monotonic() + self.retry_after
            current_app.logger.warning(
                "cache: Redis unavailable (%s: %s); going without the cache for %g s",
                type(error).__name__,
                error,
                self.retry_after,
            )
            return miss

    def get(self, key):
        return self._tolerate(None, super().get, key)

    def get_many(self, *keys):
        return self._tolerate([None] * len(keys), super().get_many, *keys)

    def get_dict(self, *keys):
        return self._tolerate(dict.fromkeys(keys), super().get_dict, *keys)

    def has(self, key):
        return self._tolerate(False, super().has, key)

    def set(self, key, value, timeout=None):
        return self._tolerate(False, super().set, key, value, timeout)

    def add(self, key, value, timeout=None):
        return self._tolerate(False, super().add, key, value, timeout)

    def set_many(self, mapping, timeout=None):
        return self._tolerate([], super().set_many, mapping, timeout)

    def delete(self, key):
        return self._tolerate(False, super().delete, key)

    def delete_many(self, *keys):
        return self._tolerate([], super().delete_many, *keys)

    def unlink(self, *keys):
        return self._tolerate(None, super().unlink, *keys)

    def inc(self, key, delta=1):
        return self._tolerate(None, super().inc, key, delta)

    def dec(self, key, delta=1):
        return self._tolerate(None, super().dec, key, delta)

    def clear(self):
        return self._tolerate(False, super().clear)
