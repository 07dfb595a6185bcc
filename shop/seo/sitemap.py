"""/sitemap.xml: every page a search engine should know, in every language.

Products that are listed today (``listing.listed``: verified producer, published,
certificate valid today), producers with at least one of them, campaigns that run
today, the listing by industry, the certificate register and the static and legal
pages. Over ``SITEMAP_MAX_URLS`` addresses, /sitemap.xml becomes an index of
numbered files (``/sitemap-products-3.xml``). Each file is one streamed query of
plain columns, whatever the number of products; the count that chooses between
the two shapes is one more.
"""

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from urllib.parse import quote
from xml.sax.saxutils import escape

from flask import current_app, url_for
from sqlalchemy import Select, func, select

from shop.catalog.models import Product
from shop.certification.queries import listed
from shop.extensions import db
from shop.i18n import path_in
from shop.producers.models import Producer
from shop.promotion.models import Campaign
from shop.seo.metadata import base_url, endpoint
from shop.storefront.queries import industry_counts

SECTIONS = ("pages", "products", "producers", "campaigns")
XMLNS = "http://www.sitemaps.org/schemas/sitemap/0.9"
STREAM_ROWS = 1000

# The public pages without a variable part, by endpoint (legal pages: shop/legal).
STATIC_ENDPOINTS = (
    "verify.register",
    "verify.verify_form",
    "legal.rules",
    "legal.operator",
    "legal.complaints",
    "legal.returns",
    "legal.privacy",
)


@dataclass(frozen=True)
class Row:
    path: str  # in the default language, without the site root's language prefix
    lastmod: datetime | date | None = None


def languages() -> list[str]:
    return list(current_app.config["LANGUAGES"])


def rows_per_file() -> int:
    """Each row is one address per language."""
    return max(1, current_app.config["SITEMAP_MAX_URLS"] // len(languages()))


def _default(path: str) -> str:
    return path_in(current_app.config["BABEL_DEFAULT_LOCALE"], path)


def _slug_path(name: str) -> tuple[str, str]:
    """The path of a slug page split around its slug: one url_for, not one a row."""
    marker = "SLUG-MARKER"
    before, after = _default(url_for(endpoint(name), slug=marker)).split(marker)
    return before, after


def _products(today: date) -> Select:
    return listed(today).with_only_columns(Product.slug, Product.updated_at).order_by(Product.id)


def _producers(today: date) -> Select:
    return (
        listed(today)
        .with_only_columns(Producer.slug, func.max(Product.updated_at))
        .group_by(Producer.id, Producer.slug)
        .order_by(Producer.id)
    )


def _campaigns(today: date) -> Select:
    return (
        select(Campaign.slug, Campaign.created_at)
        .where(Campaign.starts_on <= today, Campaign.ends_on >= today)
        .order_by(Campaign.id)
    )


QUERIES = {"products": _products, "producers": _producers, "campaigns": _campaigns}
SLUG_PAGES = {"products": "product", "producers": "producer", "campaigns": "campaign"}


def _pages(today: date) -> list[Row]:
    rows = [Row(_default(url_for(endpoint("home")))), Row(_default(url_for(endpoint("products"))))]
    rows += [
        Row(_default(url_for(endpoint("products"), industry=industry_id)))
        for industry_id in sorted(industry_counts(today))
    ]
    rows += [Row(_default(url_for(name))) for name in STATIC_ENDPOINTS]
    return rows


def counts(today: date, pages: int) -> dict[str, int]:
    """Rows of each section: the slug sections in one statement."""
    subqueries = [
        select(func.count()).select_from(QUERIES[name](today).order_by(None).subquery())
        for name in ("products", "producers", "campaigns")
    ]
    products, producers, campaigns = db.session.execute(
        select(*(q.scalar_subquery() for q in subqueries))
    ).one()
    return {
        "pages": pages,
        "products": products,
        "producers": producers,
        "campaigns": campaigns,
    }


def section_rows(section: str, today: date, number: int = 1) -> Iterator[Row]:
    """The ``number``-th file's rows of ``section`` (all of them for number 0)."""
    per_file = rows_per_file()
    if section == "pages":
        rows = _pages(today)
        yield from rows if number == 0 else rows[(number - 1) * per_file : number * per_file]
        return
    query = QUERIES[section](today)
    if number:
        query = query.offset((number - 1) * per_file).limit(per_file)
    before, after = _slug_path(SLUG_PAGES[section])
    result = db.session.execute(query, execution_options={"yield_per": STREAM_ROWS})
    for slug, lastmod in result:
        yield Row(before + quote(slug, safe="-_.~") + after, lastmod)


def w3c_datetime(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)  # SQLite: naive UTC
        return aware.astimezone(UTC).isoformat(timespec="seconds")
    return value.isoformat()


def urlset(rows: Iterable[Row]) -> str:
    base = base_url()
    codes = languages()
    parts = [f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{XMLNS}">\n']
    for row in rows:
        lastmod = w3c_datetime(row.lastmod)
        tail = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
        for code in codes:
            loc = escape(base + path_in(code, row.path))
            parts.append(f"<url><loc>{loc}</loc>{tail}</url>\n")
    parts.append("</urlset>\n")
    return "".join(parts)


def index(files: Iterable[str]) -> str:
    parts = [f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="{XMLNS}">\n']
    parts += [f"<sitemap><loc>{escape(loc)}</loc></sitemap>\n" for loc in files]
    parts.append("</sitemapindex>\n")
    return "".join(parts)


def file_names(section_counts: dict[str, int]) -> list[tuple[str, int]]:
    per_file = rows_per_file()
    return [
        (section, number)
        for section in SECTIONS
        for number in range(1, -(-section_counts[section] // per_file) + 1)
    ]


def sitemap(today: date, file_url) -> str:
    """/sitemap.xml: all of it, or the index of its files once it is over the limit.
    ``file_url(section, number)`` is a file's absolute address."""
    pages = _pages(today)
    section_counts = counts(today, len(pages))
    total = sum(section_counts.values()) * len(languages())
    if total <= current_app.config["SITEMAP_MAX_URLS"]:
        others = (row for section in SECTIONS[1:] for row in section_rows(section, today, 0))
        return urlset(itertools.chain(pages, others))
    return index(file_url(section, number) for section, number in file_names(section_counts))


def sitemap_file(section: str, number: int, today: date) -> str | None:
    """One numbered file, or None past the last one."""
    rows = list(section_rows(section, today, number))
    if not rows:
        return None
    return urlset(rows)
