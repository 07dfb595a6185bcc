"""Gunicorn for production: ``gunicorn -c deploy/gunicorn.conf.py`` (gunicorn is in
the ``bench`` extra). Command-line flags override what is set here.

The access log never holds an order's guest key: an order link is
``/orders/<number>?key=<secret>`` and anyone with the secret sees the buyer's
name, phone and address, so ``key=`` is written ``key=[redacted]`` in the
request line, the query string, the Referer and every other field.
"""

from gunicorn.glogging import Logger

from shop.core.privacy import install_log_filter, redact_secrets

wsgi_app = "wsgi:app"
accesslog = "-"  # stdout, for the service manager's journal


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {k: redact_secrets(v) if isinstance(v, str) else v for k, v in atoms.items()}

    def setup(self, cfg):
        super().setup(cfg)
        # "Error handling request /orders/...?key=..." goes to the error log.
        install_log_filter(self.error_log)


logger_class = RedactingLogger
