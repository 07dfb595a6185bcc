"""Language choice and date formatting (dd/mm/yyyy in every language).

The language is part of the address: Vietnamese at ``/``, English under ``/en/``.
One address shows one language to everyone, so a shared cache can keep the page.
``LanguagePrefix`` takes the prefix off the path before Flask routes the request and
adds it to ``SCRIPT_NAME``, so on an English page every ``url_for`` (templates,
redirects, ``request.script_root``) builds ``/en/…`` addresses with no change to a
route, while ``request.path`` and the blueprints stay the same in both languages.
"""

from datetime import date, datetime
from urllib.parse import urlencode

from flask import Flask, current_app, has_request_context, redirect, request, url_for
from werkzeug.utils import redirect as wsgi_redirect

from shop.clock import local_time

# WSGI environ keys set by LanguagePrefix.
LANGUAGE_KEY = "shop.language"
SITE_ROOT_KEY = "shop.site_root"  # SCRIPT_NAME before the language prefix


class LanguagePrefix:
    """WSGI middleware: ``/en/products`` is ``/products`` in English."""

    def __init__(self, wsgi_app, languages):
        self.wsgi_app = wsgi_app
        self.prefixes = [(code, f"/{code}") for code in languages]

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        for code, prefix in self.prefixes:
            if path == prefix:  # one address per page: "/en" is "/en/"
                location = environ.get("SCRIPT_NAME", "") + prefix + "/"
                if environ.get("QUERY_STRING"):
                    location += "?" + environ["QUERY_STRING"]
                return wsgi_redirect(location, 301)(environ, start_response)
            if path.startswith(prefix + "/"):
                root = environ.get("SCRIPT_NAME", "")
                environ[SITE_ROOT_KEY] = root
                environ[LANGUAGE_KEY] = code
                environ["SCRIPT_NAME"] = root + prefix
                environ["PATH_INFO"] = path[len(prefix) :]
                break
        return self.wsgi_app(environ, start_response)


def select_locale() -> str:
    """The address's language: English under ``/en/``, Vietnamese elsewhere.

    Neither the session nor Accept-Language chooses: a cached page must be the same
    for everyone who asks for its address, and many Vietnamese phones are set to
    English while their owners still expect a Vietnamese shop.
    """
    if not has_request_context():  # cron commands, background jobs: Vietnamese
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    return request.environ.get(LANGUAGE_KEY) or current_app.config["BABEL_DEFAULT_LOCALE"]


def current_language() -> str:
    from flask_babel import get_locale

    locale = get_locale()
    return locale.language if locale else "vi"


def site_root() -> str:
    """Where the site is mounted, without the language prefix ("" at the root)."""
    return request.environ.get(SITE_ROOT_KEY, request.script_root)


def _prefix(language: str) -> str:
    return "" if language == current_app.config["BABEL_DEFAULT_LOCALE"] else f"/{language}"


def _prefixed_languages() -> list[str]:
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    return [code for code in current_app.config["LANGUAGES"] if code != default]


def path_in(language: str, path: str) -> str:
    """A path of this site (as ``url_for`` or a ``next`` field gives it) in ``language``."""
    root = site_root()
    if root and (path == root or path.startswith(root + "/")):
        path = path[len(root) :] or "/"
    for code in _prefixed_languages():
        prefix = f"/{code}"
        if path == prefix or path.startswith((prefix + "/", prefix + "?")):
            path = path[len(prefix) :]
            path = path if path.startswith("/") else "/" + path
            break
    return root + _prefix(language) + path


def url_for_language(language: str, endpoint: str, **values) -> str:
    """``url_for`` in ``language`` whatever the page's own language is: a label's QR
    code names the Vietnamese page even when its producer works in English."""
    return path_in(language, url_for(endpoint, **values))


def page_url(language: str) -> str:
    """This page in ``language``: path and query, without the old ``lang`` switch."""
    query = urlencode([(k, v) for k, v in request.args.items(multi=True) if k != "lang"])
    return site_root() + _prefix(language) + request.path + (f"?{query}" if query else "")


def language_switch() -> list[tuple[str, str, str]]:
    """(code, label, address) of this page in each other language: plain links, so
    the switch needs no form, no token and no JavaScript."""
    here = current_language()
    return [
        (code, label, page_url(code))
        for code, label in current_app.config["LANGUAGES"].items()
        if code != here
    ]


def alternate_links() -> list[tuple[str, str]]:
    """(hreflang, absolute address) of this page in every language, and x-default.

    Absolute from PUBLIC_BASE_URL, never from the Host header: a cached page must
    not carry an address a visitor chose."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    links = [(code, base + page_url(code)) for code in current_app.config["LANGUAGES"]]
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    return [*links, ("x-default", base + page_url(default))]


def follow_old_language_links():
    """``?lang=en`` (links and bookmarks from before the address had the language):
    a permanent redirect to the page's own address in that language. A ``lang``
    that names the address's own language, or no language, changes nothing."""
    if request.method not in ("GET", "HEAD"):
        return None
    language = request.args.get("lang")
    if language not in current_app.config["LANGUAGES"] or language == current_language():
        return None
    return redirect(page_url(language), 301)


def template_url_for(endpoint: str, **values) -> str:
    """Templates' ``url_for``: as Flask's, except that static files keep one address
    in every language (one copy in the caches, served by the proxy's static rule)."""
    url = url_for(endpoint, **values)
    if (
        endpoint == "static"
        and not values.get("_external")
        and has_request_context()
        and LANGUAGE_KEY in request.environ
    ):
        url = site_root() + url[len(request.script_root) :]
    return url


def init_app(app: Flask) -> None:
    default = app.config["BABEL_DEFAULT_LOCALE"]
    prefixed = [code for code in app.config["LANGUAGES"] if code != default]
    app.wsgi_app = LanguagePrefix(app.wsgi_app, prefixed)  # type: ignore[method-assign]
    app.before_request(follow_old_language_links)
    app.jinja_env.globals.update(
        url_for=template_url_for,
        language_switch=language_switch,
        alternate_links=alternate_links,
    )


def format_date_vn(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _to_local(value).date()
    return value.strftime("%d/%m/%Y")


def format_datetime_vn(value: datetime | None) -> str:
    if value is None:
        return ""
    return _to_local(value).strftime("%d/%m/%Y %H:%M")


def _to_local(value: datetime) -> datetime:
    return local_time(value)
