"""/robots.txt, /sitemap.xml and its numbered files."""

from flask import Blueprint, Response, abort, current_app

from shop.clock import today_vn
from shop.core.edge import cacheable
from shop.extensions import cache
from shop.i18n import site_root
from shop.seo import rules, sitemap
from shop.seo.metadata import base_url

bp = Blueprint("seo", __name__)

XML = "application/xml"


@bp.get("/robots.txt")
@cacheable
def robots_txt():
    config = current_app.config
    body = rules.robots_txt(base_url(), config["LANGUAGES"], config["BABEL_DEFAULT_LOCALE"])
    return Response(body, mimetype="text/plain")


def _cached(name: str, build) -> str | None:
    """A built file, kept for SITEMAP_CACHE_SECONDS whatever changes meanwhile: a
    sitemap an hour behind costs nothing, rebuilding it on every change would.
    The date is in the key: campaigns and certificates end at midnight."""
    today = today_vn()
    key = f"seo-sitemap:{today}:{current_app.config['SITEMAP_MAX_URLS']}:{name}"
    body = cache.get(key)
    if body is None:
        body = build(today)
        if body is not None:
            cache.set(key, body, timeout=current_app.config["SITEMAP_CACHE_SECONDS"])
    return body


def _file_url(section: str, number: int) -> str:
    return f"{base_url()}{site_root()}/sitemap-{section}-{number}.xml"


@bp.get("/sitemap.xml")
@cacheable
def sitemap_xml():
    return Response(_cached("index", lambda today: sitemap.sitemap(today, _file_url)), mimetype=XML)


@bp.get("/sitemap-<any(pages, products, producers, campaigns):section>-<int:number>.xml")
@cacheable
def sitemap_file(section: str, number: int):
    if number < 1:
        abort(404)
    body = _cached(
        f"{section}-{number}", lambda today: sitemap.sitemap_file(section, number, today)
    )
    if body is None:
        abort(404)
    return Response(body, mimetype=XML)
