"""Configuration from the environment.

Development works with no setup at all; production refuses to start without the
secrets it needs (see ``ProductionConfig.validate``).
"""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_PATH", BASE_DIR / "instance"))

# A development-only key: ProductionConfig refuses to start with it.
DEV_SECRET_KEY = "dev-only-secret-key-not-for-production"  # noqa: S105


# Demo identity of the marketplace's operator: ProductionConfig refuses these.
DEMO_OPERATOR = {
    "OPERATOR_NAME": "Công ty TNHH Chợ OCOP (dữ liệu mẫu)",
    "OPERATOR_ADDRESS": "Số 1 Đường Mẫu, Phường Minh Xuân, Tỉnh Tuyên Quang (dữ liệu mẫu)",
    "OPERATOR_PHONE": "0200 000 0000",
    "OPERATOR_EMAIL": "hotro@ocop.local",
    "OPERATOR_REGISTRATION": "0000000000 (dữ liệu mẫu)",
}


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'shop.db'}")
    # Heroku-style URLs and bare "postgresql://" both mean psycopg 3 here.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


class Config:
    ENV_NAME = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = _database_url()
    # A pre-ping finds server connections that died while pooled; SQLite has none.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": not _database_url().startswith("sqlite")}
    # A database that accepts connections and never answers must not hold a worker:
    # PostgreSQL engines get these (shop/core/resilience.py), and a request that
    # meets a database outage answers 503 "Dịch vụ tạm thời gián đoạn".
    DB_CONNECT_TIMEOUT = int(os.environ.get("DB_CONNECT_TIMEOUT", "5"))  # seconds
    # Per statement, set at connect; 0 sends nothing (PgBouncer in transaction mode
    # refuses it). Long migrations: DB_STATEMENT_TIMEOUT_MS=0 flask db upgrade.
    DB_STATEMENT_TIMEOUT_MS = int(os.environ.get("DB_STATEMENT_TIMEOUT_MS", "30000"))
    # Seconds a request waits for a free pooled connection before its 503.
    DB_POOL_TIMEOUT = float(os.environ.get("DB_POOL_TIMEOUT", "10"))
    REDIS_URL = os.environ.get("REDIS_URL", "")
    # Redis (rate limits, cache) is never needed to sell: short waits, and an outage
    # means in-memory limits and cache misses, each with a logged warning.
    REDIS_SOCKET_TIMEOUT = float(os.environ.get("REDIS_SOCKET_TIMEOUT", "0.5"))  # seconds
    # /readyz checks Stripe's API host too (also on /readyz?stripe=1).
    READYZ_CHECK_STRIPE = _env_bool("READYZ_CHECK_STRIPE", False)

    # Uploaded files (logos, certificate scans) live outside the package.
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", str(INSTANCE_DIR / "uploads"))
    # The whole request body; per-field limits are smaller (see shop/uploads.py)
    # so that an oversized file gets a message beside its field, not a 413.
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 32 * 1024 * 1024))
    LOGO_MAX_BYTES = 5 * 1024 * 1024
    PHOTO_MAX_BYTES = 10 * 1024 * 1024
    SCAN_MAX_BYTES = 10 * 1024 * 1024

    # -- Object storage (issue 11)
    # Uploads (photos, logos, decision scans, label artwork) go through shop/storage.py:
    # "local" keeps them under UPLOAD_FOLDER (one machine), "s3" in an S3-compatible
    # bucket that every node shares. Credentials come from boto3's own chain
    # (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, shared files, an instance role).
    STORAGE_BACKEND = os.environ.get("STORAGE_BACKEND", "local")
    S3_BUCKET = os.environ.get("S3_BUCKET", "")
    S3_ENDPOINT_URL = os.environ.get("S3_ENDPOINT_URL", "")  # empty: AWS itself
    S3_REGION = os.environ.get("S3_REGION", "")
    S3_PREFIX = os.environ.get("S3_PREFIX", "")  # e.g. "ocop/" to share a bucket
    # "path" or "virtual"; unset: by path with S3_ENDPOINT_URL (MinIO, Ceph, moto),
    # as boto3 chooses for AWS itself.
    S3_ADDRESSING_STYLE = os.environ.get("S3_ADDRESSING_STYLE", "")
    S3_TIMEOUT = float(os.environ.get("S3_TIMEOUT", "5"))  # seconds to connect, and per read

    # Internationalisation: Vietnamese first, English on request.
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    LANGUAGES = {"vi": "Tiếng Việt", "en": "English"}

    # Mail: "console" logs, "file" writes .eml files, "smtp" sends.
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "console")
    MAIL_FILE_DIR = os.environ.get("MAIL_FILE_DIR", str(INSTANCE_DIR / "mail"))
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", True)
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "Chợ OCOP <no-reply@ocop.local>")
    PASSWORD_RESET_MAX_AGE = 3600  # seconds
    # A back-in-stock alert starts only when its address confirms (double opt-in):
    # the signed link in the confirmation e-mail works this long (seconds).
    STOCK_ALERT_CONFIRM_MAX_AGE = int(os.environ.get("STOCK_ALERT_CONFIRM_MAX_AGE", "604800"))

    # -- Background jobs (issue 11)
    # Celery broker: REDIS_URL unless set; any Kombu URL works (amqp://... for
    # RabbitMQ). Empty: no worker, no beat; outbox rows are delivered in-process
    # right after the commit that wrote them and cron runs the periodic commands.
    CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", os.environ.get("REDIS_URL", ""))
    CELERY_BROKER_TIMEOUT = float(os.environ.get("CELERY_BROKER_TIMEOUT", "2"))  # seconds
    # Outbox delivery: retries after 30 s, 1 min, 2 min, ... at most 30 min apart;
    # after OUTBOX_MAX_ATTEMPTS (about 7 hours of failures) a row is dead for staff.
    OUTBOX_MAX_ATTEMPTS = int(os.environ.get("OUTBOX_MAX_ATTEMPTS", "20"))
    OUTBOX_RETRY_BASE = int(os.environ.get("OUTBOX_RETRY_BASE", "30"))  # seconds
    OUTBOX_RETRY_MAX = int(os.environ.get("OUTBOX_RETRY_MAX", "1800"))  # seconds
    # The sweeper (beat, every OUTBOX_SWEEP_EVERY seconds, or `flask jobs sweep`
    # from cron) hands over pending rows this long past due: a lost task, a retry.
    OUTBOX_SWEEP_EVERY = float(os.environ.get("OUTBOX_SWEEP_EVERY", "60"))  # seconds
    OUTBOX_SWEEP_GRACE = int(os.environ.get("OUTBOX_SWEEP_GRACE", "120"))  # seconds
    OUTBOX_KEEP_DAYS = int(os.environ.get("OUTBOX_KEEP_DAYS", "30"))  # sent rows, job claims
    # Without a broker, a failed in-process delivery (SMTP down or hung) leaves that
    # kind to the sweeper for this long: later requests do not wait for the timeout.
    OUTBOX_INLINE_PAUSE = float(os.environ.get("OUTBOX_INLINE_PAUSE", "60"))  # seconds
    # A periodic run still "running" this long after it started died: claimable again.
    JOB_STALE_AFTER = int(os.environ.get("JOB_STALE_AFTER", "3600"))  # seconds
    # Proofs and staging only: every periodic job's period becomes this many
    # seconds (make cluster-test watches two beats move through two periods).
    JOBS_PERIOD_SECONDS = int(os.environ.get("JOBS_PERIOD_SECONDS", "0"))
    # An SMTP server that accepts and never answers must not hold a worker long.
    MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT", "5"))  # seconds

    # -- Producers' outgoing webhooks and the product feeds (issue 15)
    # A producer's endpoint gets this long to answer (connect, and each read);
    # redirects are never followed. Attempts are spaced by the outbox's backoff
    # (OUTBOX_RETRY_*): 12 attempts span about three hours, then the delivery fails.
    WEBHOOK_TIMEOUT = float(os.environ.get("WEBHOOK_TIMEOUT", "5"))  # seconds
    WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("WEBHOOK_MAX_ATTEMPTS", "12"))
    # Endpoints on loopback (and plain http to them): development and tests only;
    # production refuses to start with it. Private and reserved addresses never.
    WEBHOOK_ALLOW_LOOPBACK = _env_bool("WEBHOOK_ALLOW_LOOPBACK", False)
    WEBHOOK_MAX_ENDPOINTS = int(os.environ.get("WEBHOOK_MAX_ENDPOINTS", "10"))  # per producer
    WEBHOOK_RESPONSE_EXCERPT = 500  # characters of an answer kept for the producer's page
    # After a rotation the old secret signs beside the new one this long.
    WEBHOOK_SECRET_OVERLAP_HOURS = int(os.environ.get("WEBHOOK_SECRET_OVERLAP_HOURS", "24"))
    # /feeds/google.xml and /feeds/meta.csv are kept in the cache under the
    # catalogue's generation and the date (a change is a new key); the timeout only
    # bounds memory.
    FEED_CACHE_SECONDS = int(os.environ.get("FEED_CACHE_SECONDS", "3600"))

    # Public base URL for links in e-mails and QR codes.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    # Printed on every label under the code, for buyers without a phone to type the
    # code at ("cho-ocop.vn/verify"). Empty: the host of PUBLIC_BASE_URL + "/verify".
    VERIFY_SHORT_URL = os.environ.get("VERIFY_SHORT_URL", "")

    # Stripe (card payments); the demo and tests talk to localstripe.
    STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "sk_test_localstripe")
    STRIPE_PUBLISHABLE_KEY = os.environ.get("STRIPE_PUBLISHABLE_KEY", "pk_test_localstripe")
    STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "http://127.0.0.1:8420")
    STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "whsec_localstripe_dev")
    # The one script loaded from another host; the CSP allows exactly this address.
    STRIPE_JS_URL = os.environ.get("STRIPE_JS_URL", "http://127.0.0.1:8420/js.stripe.com/v3/")
    STRIPE_WEBHOOK_TOLERANCE = int(os.environ.get("STRIPE_WEBHOOK_TOLERANCE", "300"))  # seconds
    # A hung Stripe must never hold a worker: a short timeout per call, at most one
    # retry, and a budget per request that a call may not start beyond (its worst
    # case included), so a buyer gets an answer within STRIPE_REQUEST_BUDGET seconds.
    STRIPE_TIMEOUT = float(os.environ.get("STRIPE_TIMEOUT", "3"))  # seconds per attempt
    STRIPE_MAX_RETRIES = int(os.environ.get("STRIPE_MAX_RETRIES", "1"))
    STRIPE_REQUEST_BUDGET = float(os.environ.get("STRIPE_REQUEST_BUDGET", "9"))  # seconds

    # VietQR bank transfer: the marketplace's collection account.
    VIETQR_BANK_BIN = os.environ.get("VIETQR_BANK_BIN", "970436")  # Vietcombank
    VIETQR_ACCOUNT = os.environ.get("VIETQR_ACCOUNT", "0011004123456")
    VIETQR_ACCOUNT_NAME = os.environ.get("VIETQR_ACCOUNT_NAME", "CONG TY CHO OCOP")
    VIETQR_BANK_NAME = os.environ.get("VIETQR_BANK_NAME", "Vietcombank")
    # Unpaid transfer and card orders are cancelled (stock returned) after this.
    UNPAID_ORDER_HOURS = int(os.environ.get("UNPAID_ORDER_HOURS", "24"))
    # An order to collect at a sales centre not collected within this many days is
    # cancelled (units back on the centre's shelf, what was paid refunded).
    PICKUP_DAYS = int(os.environ.get("PICKUP_DAYS", "7"))
    # Most of one product a single order line can hold.
    MAX_LINE_QUANTITY = 999

    # Settlements (issue 6): commission and Decree 117/2025 withholding, in basis points.
    COMMISSION_BPS = int(os.environ.get("COMMISSION_BPS", "500"))  # 5 %
    # Decree 117/2025/NĐ-CP, goods: shop/settlements/withholding.py (DECREE_117_GOODS).
    HOUSEHOLD_VAT_BPS = int(os.environ.get("HOUSEHOLD_VAT_BPS", "100"))  # 1 %
    HOUSEHOLD_PIT_BPS = int(os.environ.get("HOUSEHOLD_PIT_BPS", "50"))  # 0.5 %

    # -- Legal (Decree 52/2013 as amended by 85/2021; Law 91/2025 on personal data)
    # The operator's identity on /legal/operator and in every page's footer. The
    # defaults are demo data: ProductionConfig refuses to start without real ones.
    OPERATOR_NAME = os.environ.get("OPERATOR_NAME", DEMO_OPERATOR["OPERATOR_NAME"])
    OPERATOR_ADDRESS = os.environ.get("OPERATOR_ADDRESS", DEMO_OPERATOR["OPERATOR_ADDRESS"])
    OPERATOR_PHONE = os.environ.get("OPERATOR_PHONE", DEMO_OPERATOR["OPERATOR_PHONE"])
    OPERATOR_EMAIL = os.environ.get("OPERATOR_EMAIL", DEMO_OPERATOR["OPERATOR_EMAIL"])
    # Business registration (or tax) number, and who issued it on which date.
    OPERATOR_REGISTRATION = os.environ.get(
        "OPERATOR_REGISTRATION", DEMO_OPERATOR["OPERATOR_REGISTRATION"]
    )
    # The notice of the e-commerce website to the Ministry of Industry and Trade
    # (online.gov.vn); empty: not shown.
    OPERATOR_MOIT_NOTICE = os.environ.get("OPERATOR_MOIT_NOTICE", "")
    # Staff answer a complaint within this many working days (Mon–Fri, less the
    # dates in PUBLIC_HOLIDAYS, "YYYY-MM-DD" separated by commas).
    COMPLAINT_ANSWER_WORKING_DAYS = int(os.environ.get("COMPLAINT_ANSWER_WORKING_DAYS", "3"))
    PUBLIC_HOLIDAYS = os.environ.get("PUBLIC_HOLIDAYS", "")
    COMPLAINT_RATE_LIMIT = os.environ.get("COMPLAINT_RATE_LIMIT", "5 per hour")

    # Rate limits: Redis when configured, process memory otherwise, and process
    # memory while Redis is unreachable (Flask-Limiter logs the switch both ways).
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL") or "memory://"
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_STORAGE_OPTIONS = {
        "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
        "socket_timeout": REDIS_SOCKET_TIMEOUT,
    }
    # No X-RateLimit-* headers on every response: each costs two more Redis
    # calls per limit. A 429 still says when to come back (Retry-After).
    RATELIMIT_HEADERS_ENABLED = False
    # Explicit: Flask-Limiter's one Limiter object otherwise keeps the last app's
    # "enabled" for the next app that does not say (tests build many apps).
    RATELIMIT_ENABLED = _env_bool("RATELIMIT_ENABLED", True)
    # Checkout: per account (or per browser session for guests), plus a per-address
    # ceiling high enough for a mobile carrier's NAT, where many buyers share one.
    CHECKOUT_RATE_LIMIT = os.environ.get("CHECKOUT_RATE_LIMIT", "10 per minute")
    CHECKOUT_ADDRESS_RATE_LIMIT = os.environ.get("CHECKOUT_ADDRESS_RATE_LIMIT", "300 per minute")
    LOGIN_RATE_LIMIT = "10 per minute"
    SIGNUP_RATE_LIMIT = "10 per hour"
    VERIFY_MISS_RATE_LIMIT = "20 per minute"
    # Calls of one producer API token, all operations together (shop/api/bearer.py).
    API_TOKEN_RATE_LIMIT = os.environ.get("API_TOKEN_RATE_LIMIT", "120 per minute")

    # Catalogue facet counts and totals: shared in Redis when configured, else per process.
    # A Redis error is a logged miss; after one the cache leaves Redis alone a while.
    CACHE_TYPE = (
        "shop.core.resilience.TolerantRedisCache" if os.environ.get("REDIS_URL") else "SimpleCache"
    )
    CACHE_REDIS_URL = os.environ.get("REDIS_URL", "")
    CACHE_REDIS_RETRY_AFTER = float(os.environ.get("CACHE_REDIS_RETRY_AFTER", "30"))  # seconds
    CACHE_KEY_PREFIX = "ocop:"
    CACHE_DEFAULT_TIMEOUT = 60
    FACETS_CACHE_SECONDS = int(os.environ.get("FACETS_CACHE_SECONDS", "60"))
    # The rendered results of a listing page, keyed by the catalogue's generation
    # (any change to what they show is a new key); the timeout only bounds memory.
    # 0 switches it off (bench/catalog measures the page both ways).
    CATALOG_RESULTS_CACHE_SECONDS = int(os.environ.get("CATALOG_RESULTS_CACHE_SECONDS", "60"))
    # The header's taxonomy (shop/catalog/menu.py) kept in each process, before asking
    # the shared cache again: it changes only with a migration. 0: not kept.
    MENU_PROCESS_SECONDS = int(os.environ.get("MENU_PROCESS_SECONDS", "300"))
    # Pages an edge cache may serve to everyone (shop/core/edge.py): fresh for
    # PUBLIC_CACHE_MAX_AGE seconds, then served stale for up to
    # PUBLIC_CACHE_STALE_WHILE_REVALIDATE more while one request fetches a new copy.
    # A price change shows within the sum.
    PUBLIC_CACHE_MAX_AGE = int(os.environ.get("PUBLIC_CACHE_MAX_AGE", "60"))
    PUBLIC_CACHE_STALE_WHILE_REVALIDATE = int(
        os.environ.get("PUBLIC_CACHE_STALE_WHILE_REVALIDATE", "300")
    )
    # /sitemap.xml (shop/seo): addresses per file before it becomes an index of
    # several files (the protocol allows 50,000; smaller files are quicker to build),
    # and how long a built file is kept in the cache.
    SITEMAP_MAX_URLS = int(os.environ.get("SITEMAP_MAX_URLS", "5000"))
    SITEMAP_CACHE_SECONDS = int(os.environ.get("SITEMAP_CACHE_SECONDS", "3600"))

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * 30
    HSTS = False
    # Behind a reverse proxy, how many trusted proxies set X-Forwarded-For/-Proto.
    # Without it every visitor shares the proxy's address in the rate limits.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))

    # -- Serving and observability (issue 11)
    # Logs: "json" writes one JSON object per line (time, level, logger, message,
    # request_id, method, path, status, duration_ms), the default in production;
    # "text" leaves Python's logging as it is (make run, tests).
    LOG_FORMAT = os.environ.get("LOG_FORMAT") or (
        "json" if os.environ.get("SHOP_ENV") == "production" else "text"
    )
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    # /metrics (Prometheus) answers only these addresses or networks (comma separated;
    # the connecting peer and, behind TRUSTED_PROXIES, the client must both match)
    # or "Authorization: Bearer <METRICS_TOKEN>"; anyone else gets a 404.
    METRICS_ALLOW_IPS = os.environ.get("METRICS_ALLOW_IPS", "127.0.0.1,::1")
    METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
    # Errors go to Sentry only when a DSN is set (sentry-sdk, imported only then).
    SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
    SENTRY_ENVIRONMENT = os.environ.get("SENTRY_ENVIRONMENT", "")  # default: SHOP_ENV
    SENTRY_RELEASE = os.environ.get("SENTRY_RELEASE", "")
    SENTRY_TRACES_SAMPLE_RATE = float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0"))
    # /readyz asks object storage for its bucket with this timeout (seconds).
    READYZ_STORAGE_TIMEOUT = float(os.environ.get("READYZ_STORAGE_TIMEOUT", "1"))

    @classmethod
    def validate(cls) -> None:
        """Raise when the configuration cannot run; development always can."""


class DevelopmentConfig(Config):
    WEBHOOK_ALLOW_LOOPBACK = _env_bool("WEBHOOK_ALLOW_LOOPBACK", True)  # a receiver on localhost


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    # The catch-all error handler re-raises: no test passes over a server error.
    RERAISE_UNHANDLED = True
    MAIL_BACKEND = "memory"
    CELERY_BROKER_URL = ""  # jobs run in-process after the commit; a test names a broker
    RATELIMIT_STORAGE_URI = "memory://"
    CACHE_TYPE = "NullCache"  # every request counts afresh in tests
    MENU_PROCESS_SECONDS = 0  # and so does the menu, unless a test keeps it
    CACHE_NO_NULL_WARNING = True
    WEBHOOK_ALLOW_LOOPBACK = True  # the tests' receivers listen on 127.0.0.1
    # Argon2 at full cost makes a large suite slow; tests still use argon2id.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 8 * 1024


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    HSTS = True

    @classmethod
    def validate(cls) -> None:
        key = os.environ.get("SECRET_KEY", "")
        if not key or key == DEV_SECRET_KEY or len(key) < 32:
            raise RuntimeError(
                "SECRET_KEY must be set to a random value of at least 32 characters "
                "in production (python -c 'import secrets; print(secrets.token_hex(32))')"
            )
        if not os.environ.get("DATABASE_URL"):
            raise RuntimeError("DATABASE_URL must be set in production")
        if not os.environ.get("REDIS_URL"):
            raise RuntimeError(
                "REDIS_URL must be set in production: the web nodes share rate limits "
                "and the catalogue cache through it"
            )
        for name in ("STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET"):
            if not os.environ.get(name):
                raise RuntimeError(f"{name} must be set in production (from the Stripe dashboard)")
        if _env_bool("WEBHOOK_ALLOW_LOOPBACK"):
            raise RuntimeError(
                "WEBHOOK_ALLOW_LOOPBACK must not be set in production: a producer's "
                "webhook could then call the services on this machine"
            )
        # Decree 85/2021: the site names its operator; demo data would mislead buyers.
        for name, demo_value in DEMO_OPERATOR.items():
            if os.environ.get(name, "").strip() in ("", demo_value):
                raise RuntimeError(
                    f"{name} must be set in production: the operator's identity is "
                    "shown on every page (Decree 52/2013 as amended by Decree 85/2021)"
                )


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_for(name: str | None = None) -> type[Config]:
    name = name or os.environ.get("SHOP_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"SHOP_ENV={name!r} is not one of {sorted(CONFIGS)}") from None
