"""/feeds/google.xml and /feeds/meta.csv: the listed, advertisable products for
Google Merchant Center and Meta catalogues.

Each feed is built once per catalogue generation and day (shop/catalog/
generation.py moves the generation after any change a listing shows: a price, a
photo, a product sold out, a certificate revoked; certificates also expire at
midnight) and kept in the shared cache. Its ETag is the hash of its bytes and
its Last-Modified the time those bytes first appeared, so a rebuild that changes
nothing keeps both; a conditional GET whose validators match is answered 304
from the small entry alone, without fetching the file. Public caching as for
the public pages (``@cacheable``). When the cache is away every request builds
the feed (one streamed query), and the validators still hold.
"""

import hashlib
import io
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import BinaryIO
from urllib.parse import quote

from flask import Blueprint, Response, current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from shop.catalog import generation
from shop.clock import today_vn, utcnow
from shop.core.edge import cacheable, not_modified
from shop.core.views import media_url
from shop.extensions import cache
from shop.feeds.google import write_rss
from shop.feeds.items import FeedItem, feed_items
from shop.feeds.meta import write_csv
from shop.feeds.queries import feed_rows
from shop.i18n import path_in
from shop.seo.metadata import base_url

bp = Blueprint("feeds", __name__, url_prefix="/feeds")

XML = "application/xml"
CSV = "text/csv"


def _default_language(path: str) -> str:
    return path_in(current_app.config["BABEL_DEFAULT_LOCALE"], path)


def _items(today) -> Iterator[FeedItem]:
    base = base_url()
    marker = "SLUG-MARKER"
    before, after = _default_language(url_for("storefront.product_detail", slug=marker)).split(
        marker
    )

    def link(slug: str) -> str:
        return base + before + quote(slug, safe="-_.~") + after

    def image(path: str) -> str:
        return base + (media_url(path) or "")

    return feed_items(feed_rows(today), link, image)


def _google(out: BinaryIO, today) -> int:
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        title = _("Chợ OCOP")
        description = _(
            "Sản phẩm OCOP 3 đến 5 sao còn hiệu lực chứng nhận, mua trực tiếp từ hợp tác xã "
            "và hộ sản xuất trên khắp Việt Nam."
        )
    home = base_url() + _default_language(url_for("storefront.home"))
    return write_rss(_items(today), out, title=title, link=home, description=description)


def _meta(out: BinaryIO, today) -> int:
    return write_csv(_items(today), out)


FEEDS: dict[str, tuple[Callable[[BinaryIO, object], int], str]] = {
    "google": (_google, XML),
    "meta": (_meta, CSV),
}


def build(name: str, today=None) -> bytes:
    """The feed's bytes, built now (no cache)."""
    write, _mimetype = FEEDS[name]
    out = io.BytesIO()
    write(out, today or today_vn())
    return out.getvalue()


def _keys(name: str, today) -> tuple[str, str, str]:
    base = hashlib.sha256(base_url().encode()).hexdigest()[:12]
    key = f"feed:{name}:{today.isoformat()}:{generation.current()}:{base}"
    return f"{key}:meta", f"{key}:body", f"feed:{name}:{base}:last"


def _etag(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:32]


def _fresh(name: str, today) -> tuple[dict, bytes]:
    """Build the feed and keep it under this generation's keys."""
    body = build(name, today)
    meta_key, body_key, last_key = _keys(name, today)
    etag = _etag(body)
    last = cache.get(last_key)
    modified: datetime = utcnow().replace(microsecond=0)  # HTTP dates have whole seconds
    if last and last.get("etag") == etag:
        modified = last["last_modified"]  # rebuilt for a change it does not show
    meta = {"etag": etag, "last_modified": modified}
    timeout = current_app.config["FEED_CACHE_SECONDS"]
    cache.set(body_key, body, timeout=timeout)
    cache.set(meta_key, meta, timeout=timeout)
    cache.set(last_key, meta, timeout=max(timeout, 7 * 24 * 3600))
    return meta, body


def _serve(name: str) -> Response:
    today = today_vn()
    meta_key, body_key, _last = _keys(name, today)
    meta = cache.get(meta_key)
    if meta is not None:
        answer = not_modified(meta["etag"], meta["last_modified"])
        if answer is not None:
            return answer
    body = cache.get(body_key) if meta is not None else None
    if meta is None or body is None:
        meta, body = _fresh(name, today)
    response = Response(body, mimetype=FEEDS[name][1])
    response.set_etag(meta["etag"])
    response.last_modified = meta["last_modified"]
    return response  # made public and conditional by shop.core.edge


@bp.get("/google.xml")
@cacheable
def google_xml():
    return _serve("google")


@bp.get("/meta.csv")
@cacheable
def meta_csv():
    response = _serve("meta")
    if response.status_code == 200:
        response.headers["Content-Disposition"] = 'inline; filename="ocop-meta-catalog.csv"'
    return response
