"""Pages an edge cache (nginx ``proxy_cache``, a CDN) may keep and serve to anyone.

A view marked ``@cacheable`` renders the same bytes for every visitor: the layout
leaves out who is signed in, the cart count, flashed messages and the CSRF token,
and ``static/js/session.js`` fills them in from ``GET /session.json`` (``private,
no-store``). Its 200 answers to GET and HEAD are sent ``Cache-Control: public,
max-age=0, s-maxage=…, stale-while-revalidate=…`` with an ETag, and a conditional
GET gets a 304: shared caches keep the page for ``s-maxage`` (and may serve it stale
while they fetch a new copy), while a browser asks again each time (a 304 when
nothing changed), so a producer who just changed a price, or staff who just revoked
a certificate, see it at once in their own browser. A page marked
``@cacheable(revalidate=True)`` (the certificate verification page: a revoked or
expired certificate is never shown as valid) is sent ``public, no-cache``: any
cache may keep it but must ask the shop before each use.

Two guards keep a personal answer out of shared caches whatever a template does:
a page that read the session while it was rendered is sent ``private, no-store``,
and no answer that sets a cookie is ever sent ``public``.

The one form on those pages, add-to-cart, carries no token; ``posted_from_this_site``
checks it by the browser's own Sec-Fetch-Site / Origin / Referer headers instead,
with the session cookie ``SameSite=Lax``.
"""

import functools
from urllib.parse import urlsplit

from flask import (
    Flask,
    Response,
    current_app,
    g,
    request,
    request_finished,
)
from flask.globals import request_ctx
from flask_wtf.csrf import validate_csrf
from wtforms.validators import ValidationError

from shop.core.privacy import NO_STORE

PUBLIC_KEY = "shop.edge_public"  # environ: this answer was made public here
RATE_LIMIT_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")


def cacheable(view=None, *, revalidate: bool = False):
    """Mark a view whose page is the same for every visitor of its address."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            g.edge_cacheable = "revalidate" if revalidate else True
            return view(*args, **kwargs)

        return wrapper

    return decorate(view) if view is not None else decorate


def _session_read() -> bool:
    # Through the private attribute: the ``session`` proxy marks the session read.
    session = getattr(request_ctx._get_current_object(), "_session", None)  # type: ignore[attr-defined]
    return bool(session is not None and (session.accessed or session.modified))


def make_public(response):
    """after_request: a cacheable page's 200 becomes public, with an ETag.

    Registered after the extensions, so it runs before their hooks (Flask-Login's
    reads the session on every request, harmlessly: see ``no_public_cookies``)."""
    if (
        not g.get("edge_cacheable")
        or request.method not in ("GET", "HEAD")
        or response.status_code != 200
    ):
        return response
    if _session_read() or "Set-Cookie" in response.headers:
        # Something on the page depends on the visitor: nobody else may get it.
        current_app.logger.warning("cacheable page %s read the session", request.endpoint)
        response.headers["Cache-Control"] = NO_STORE
        return response
    _public(response, revalidate=g.edge_cacheable == "revalidate")
    response.add_etag()
    return response.make_conditional(request)


def _public(response, *, revalidate: bool) -> None:
    config = current_app.config
    cache_control = response.cache_control
    cache_control.public = True
    if revalidate:
        cache_control.no_cache = True
    else:
        cache_control.max_age = 0
        cache_control.s_maxage = config["PUBLIC_CACHE_MAX_AGE"]
        cache_control.stale_while_revalidate = config["PUBLIC_CACHE_STALE_WHILE_REVALIDATE"]
    request.environ[PUBLIC_KEY] = True


def not_modified(etag: str, last_modified) -> Response | None:
    """For a ``@cacheable`` view that knows its validators before its body (a large
    file kept in the cache): the public 304 when the request's If-None-Match or
    If-Modified-Since match them, else None (and the view builds its 200)."""
    probe = Response(status=200)
    probe.set_etag(etag)
    probe.last_modified = last_modified
    probe.make_conditional(request)
    if probe.status_code != 304:
        return None
    _public(probe, revalidate=g.get("edge_cacheable") == "revalidate")
    return probe


def no_public_cookies(sender, response, **extra):
    """request_finished, after the session cookie is written: the last word."""
    if "Set-Cookie" in response.headers and response.cache_control.public:
        response.headers["Cache-Control"] = NO_STORE
    elif request.environ.get(PUBLIC_KEY):
        # The page did not read the session (make_public checked); Flask-Login's
        # after_request hook did, and Flask answered with Vary: Cookie, which would
        # make a cache keep one copy per visitor. Rate-limit counts are one
        # visitor's too.
        response.vary.discard("Cookie")
        if not response.vary:
            del response.headers["Vary"]
        for name in RATE_LIMIT_HEADERS:
            response.headers.pop(name, None)


def _is_this_site(url: str) -> bool:
    host = urlsplit(url).netloc.lower()
    ours = {request.host.lower(), urlsplit(current_app.config["PUBLIC_BASE_URL"]).netloc.lower()}
    return bool(host) and host in ours


def posted_from_this_site() -> bool:
    """A form post that came from one of our pages (CSRF without a token).

    The session's CSRF token when the form has one; else what the browser says:
    ``Sec-Fetch-Site: same-origin`` (modern browsers), else an Origin or Referer on
    this host. A client that sends none of these and no token is refused.
    """
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return True
    if request.form.get("csrf_token"):
        try:
            validate_csrf(request.form["csrf_token"])
        except ValidationError:
            return False
        return True
    site = request.headers.get("Sec-Fetch-Site")
    if site:
        return site == "same-origin"
    origin = request.headers.get("Origin")
    if origin and origin != "null":
        return _is_this_site(origin)
    return bool(request.referrer) and _is_this_site(request.referrer)


def register(app: Flask) -> None:
    """Call after the extensions are registered (see ``make_public``)."""
    app.after_request(make_public)
    request_finished.connect(no_public_cookies, app)

    @app.context_processor
    def cacheable_page() -> dict:
        return {"cacheable_page": bool(g.get("edge_cacheable"))}
