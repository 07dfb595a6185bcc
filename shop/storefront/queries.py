"""The storefront's read side: the catalogue's filters, sorting, facets and pages.

Over the listing rule (shop/certification/queries.py: ``listed``): a product is
listed only while its producer is verified, it is published, and it has a
certificate that is valid *today* (``Certificate.valid_on``). All of it is decided
at query time from dates, so nothing has to run when a certificate expires.
"""

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date

from flask import current_app
from sqlalchemy import Select, case, func, select

from shop.catalog import generation, search
from shop.catalog.alcohol import advertisable
from shop.catalog.models import Product, ProductSet
from shop.certification.models import Certificate
from shop.certification.queries import Card, cards, listed
from shop.extensions import cache, db
from shop.localities import former as former_localities
from shop.localities.models import Province
from shop.money import MAX_PRICE_VND
from shop.producers.models import Producer
from shop.text import fold

PAGE_SIZE = 24
SORTS = ("relevance", "newest", "price_asc", "price_desc", "stars")
MAX_QUERY_LENGTH = 200


@dataclass(frozen=True)
class CatalogQuery:
    """The filters of /products, parsed leniently: a bad value is dropped, not a 500."""

    q: str = ""
    province: int | None = None
    # A former province's slug ("ha-giang"): its current wards, within ``province``.
    former: str | None = None
    product_set: int | None = None
    industry: int | None = None
    stars: int | None = None
    min_price: int | None = None
    max_price: int | None = None
    in_stock: bool = False
    sort: str = "relevance"
    page: int = 1
    producer_id: int | None = None
    # The "nearest results" fallback: rank by how many words match, none required.
    partial: bool = False
    ignored: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def from_args(cls, args) -> "CatalogQuery":
        ignored: list[str] = []

        def whole(name, low=0, high=MAX_PRICE_VND * 10):
            raw = str(args.get(name) or "").strip().replace(".", "")
            if not raw:
                return None
            if raw.isascii() and raw.isdigit() and low <= int(raw) <= high:
                return int(raw)
            ignored.append(name)
            return None

        stars = whole("stars", 1, 5)
        if stars is not None and stars < 3:
            stars = 3  # 1–2 stars are not OCOP products: the minimum is 3
        sort = args.get("sort") or "relevance"
        if sort not in SORTS:
            ignored.append("sort")
            sort = "relevance"
        page = whole("page", 1, 100_000) or 1
        # ?province=8 (a current province) or ?province=ha-giang (a former one)
        raw_province = str(args.get("province") or "").strip()
        former = former_localities.former_province(raw_province) if raw_province else None
        province = former.province_code if former else whole("province", 1, 10_000)
        return cls(
            q=(args.get("q") or "").strip()[:MAX_QUERY_LENGTH],
            province=province,
            former=former.slug if former else None,
            product_set=whole("set", 1, 1_000_000),
            industry=whole("industry", 1, 1_000_000),
            stars=stars,
            min_price=whole("min_price"),
            max_price=whole("max_price"),
            in_stock=(args.get("in_stock") or "") in {"1", "on", "true", "yes"},
            sort=sort,
            page=page,
            ignored=tuple(ignored),
        )

    def args(self, **changes) -> dict:
        """URL arguments of this query (with changes), for shareable links."""
        query = replace(self, **changes)
        out = {
            "q": query.q or None,
            "province": query.former or query.province,
            "set": query.product_set,
            "industry": query.industry,
            "stars": query.stars,
            "min_price": query.min_price,
            "max_price": query.max_price,
            "in_stock": "1" if query.in_stock else None,
            "sort": None if query.sort == "relevance" else query.sort,
            "page": None if query.page == 1 else query.page,
        }
        return {k: v for k, v in out.items() if v is not None}

    @property
    def tokens(self) -> list[str]:
        return search.query_tokens(self.q)

    @property
    def terms(self) -> list[search.Term]:
        return search.query_terms(self.q)

    @property
    def former_province(self) -> former_localities.FormerProvince | None:
        return former_localities.former_province(self.former)


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def filtered(query: Select, cq: CatalogQuery, *, facets: bool = False) -> Select:
    terms = cq.terms
    if terms:
        if cq.partial:
            query = query.where(search.matches_any(_dialect(), terms))
        else:
            query = query.where(search.matches(_dialect(), terms))
    if cq.min_price is not None:
        query = query.where(Product.price_vnd >= cq.min_price)
    if cq.max_price is not None:
        query = query.where(Product.price_vnd <= cq.max_price)
    if cq.in_stock:
        query = query.where(Product.stock > 0)
    if cq.producer_id is not None:
        query = query.where(Product.producer_id == cq.producer_id)
    if cq.industry is not None:
        query = query.join(ProductSet, ProductSet.id == Product.product_set_id).where(
            ProductSet.industry_id == cq.industry
        )
    if not facets:  # facets apply these themselves, one dimension at a time
        if cq.province is not None:
            query = query.where(Producer.province_code == cq.province)
        if cq.former is not None:
            query = query.where(
                Producer.ward_code.in_(former_localities.wards_formerly_in(cq.former))
            )
        if cq.product_set is not None:
            query = query.where(Product.product_set_id == cq.product_set)
        if cq.stars is not None:
            query = query.where(Certificate.star_rank >= cq.stars)
    return query


def _ordered(query: Select, cq: CatalogQuery) -> Select:
    newest = (Product.published_at.desc(), Product.id.desc())
    if cq.sort == "price_asc":
        return query.order_by(Product.price_vnd.asc(), *newest)
    if cq.sort == "price_desc":
        return query.order_by(Product.price_vnd.desc(), *newest)
    if cq.sort == "stars":
        return query.order_by(Certificate.star_rank.desc(), *newest)
    # What can be bought now comes before what is sold out, as on the big marketplaces;
    # among each, the relevance keys (a name match before a producer-name match).
    sold_out_last = case((Product.stock > 0, 0), else_=1)
    if cq.sort == "relevance" and cq.partial and cq.terms:
        # Nearest results: the rows that match the most words first.
        matched = search.matched_terms(_dialect(), cq.terms)
        in_name = search.name_hits(cq.terms)
        return query.order_by(
            sold_out_last, matched.desc(), in_name.desc(), *search.relevance(cq.q), *newest
        )
    if cq.sort == "relevance" and cq.tokens:
        in_name = search.name_hits(cq.terms)
        return query.order_by(sold_out_last, *search.relevance(cq.q), in_name.desc(), *newest)
    return query.order_by(*newest)


@dataclass(frozen=True)
class Nearest:
    """The fallback when no product matches every word: rows matching the most words."""

    query: CatalogQuery
    summary: "Summary"
    missing: list[str]  # the words (as typed) that match nothing at all


def nearest(cq: CatalogQuery, today: date) -> Nearest | None:
    """Only for a query of two words or more that found nothing; None when even the
    nearest results are empty. The words that match nothing are named to the user."""
    terms = cq.terms
    if cq.partial or len(terms) < 2:
        return None
    relaxed = replace(cq, partial=True)
    summary = cached_summary(relaxed, today)
    if not summary.total:
        return None
    others = replace(cq, q="")
    dialect = _dialect()
    missing = []
    for i, term in enumerate(terms):
        found = db.session.scalar(
            filtered(listed(today), others)
            .where(search.term_matches(dialect, term, last=i == len(terms) - 1))
            .with_only_columns(Product.id)
            .limit(1)
        )
        if found is None:
            missing.append(term.shown or term.text)
    return Nearest(relaxed, summary, missing)


@dataclass
class Page:
    items: list[Card]
    total: int
    page: int
    pages: int


def count_products(cq: CatalogQuery, today: date) -> int:
    return db.session.scalar(
        select(func.count()).select_from(filtered(listed(today), cq).subquery())
    )


def search_products(
    cq: CatalogQuery, today: date, page_size: int = PAGE_SIZE, total: int | None = None
) -> Page:
    """One page of product cards in one query (and one more to count, unless the
    caller knows the total already, e.g. from ``cached_summary``)."""
    query = _ordered(filtered(listed(today), cq), cq)
    items = cards(query.limit(page_size).offset((cq.page - 1) * page_size))
    if total is None:
        total = count_products(cq, today)
    pages = max(1, -(-total // page_size))
    return Page(items, total, cq.page, pages)


@dataclass(frozen=True)
class FacetValue:
    key: int
    label_vi: str
    label_en: str
    count: int

    def label(self, language: str = "vi") -> str:
        return self.label_en if language == "en" else self.label_vi


@dataclass(frozen=True)
class Facets:
    provinces: list[FacetValue]
    product_sets: list[FacetValue]
    stars: list[tuple[int, int]]  # (minimum stars, how many with at least that many)


def facets(cq: CatalogQuery, today: date) -> Facets:
    """Counts per province, product set and star rank for the current query.

    Each dimension is counted with every *other* filter applied, from one
    grouped query.
    """
    grouped = (
        filtered(listed(today), cq, facets=True)
        .with_only_columns(
            Producer.province_code, Product.product_set_id, Certificate.star_rank, func.count()
        )
        .group_by(Producer.province_code, Product.product_set_id, Certificate.star_rank)
    )
    rows = db.session.execute(grouped).all()
    by_province: Counter[int] = Counter()
    by_set: Counter[int] = Counter()
    by_star: Counter[int] = Counter()
    for province, product_set, stars, count in rows:
        in_province = cq.province is None or province == cq.province
        in_set = cq.product_set is None or product_set == cq.product_set
        in_stars = cq.stars is None or stars >= cq.stars
        if in_set and in_stars:
            by_province[province] += count
        if in_province and in_stars:
            by_set[product_set] += count
        if in_province and in_set:
            by_star[stars] += count
    provinces = [
        FacetValue(p.code, p.short_name, p.short_name, by_province[p.code])
        for p in _reference(Province, Province.code, by_province)
    ]
    sets = [
        FacetValue(s.id, s.name_vi, s.name_en, by_set[s.id])
        for s in _reference(ProductSet, ProductSet.id, by_set)
    ]
    stars = [(s, sum(n for k, n in by_star.items() if k >= s)) for s in (3, 4, 5)]
    return Facets(
        sorted(provinces, key=lambda f: (-f.count, fold(f.label_vi))),
        sorted(sets, key=lambda f: f.key),
        stars,
    )


def _reference(model, key_column, counts: Counter) -> list:
    keys = [k for k, n in counts.items() if n]
    if not keys:
        return []
    return list(db.session.scalars(select(model).where(key_column.in_(keys))))


@dataclass(frozen=True)
class Summary:
    total: int
    facets: Facets


def summarize(cq: CatalogQuery, today: date) -> Summary:
    return Summary(count_products(cq, today), facets(cq, today))


def cached_summary(cq: CatalogQuery, today: date) -> Summary:
    """The total and facet counts, which need a pass over every match, cached for
    ``FACETS_CACHE_SECONDS`` (a minute) under the catalogue's generation: a change
    to a product, producer or certificate, or a product selling out, counts afresh
    (shop/storefront/generation.py); sales that leave a product in stock do not."""
    key_args = sorted(cq.args(page=1, sort="relevance").items())
    key = f"catalog-summary:{generation.current()}:{today.isoformat()}:{cq.partial}:{key_args!r}"
    summary = cache.get(key)
    if summary is None:
        summary = summarize(cq, today)
        cache.set(key, summary, timeout=current_app.config["FACETS_CACHE_SECONDS"])
    return summary


def featured(today: date, limit: int = 8) -> list[Card]:
    """Until the staff console features products: the newest 5★ and 4★ listings.
    A promotional block: no spirits of 15 % or more (shop/catalog/alcohol.py)."""
    return cards(
        listed(today)
        .where(Certificate.star_rank >= 4, advertisable())
        .order_by(Certificate.star_rank.desc(), Product.published_at.desc(), Product.id.desc())
        .limit(limit)
    )


def counts_by(column, today: date) -> dict[int, int]:
    query = listed(today).with_only_columns(column, func.count()).group_by(column)
    return dict(db.session.execute(query).all())


def industry_counts(today: date) -> dict[int, int]:
    query = (
        listed(today)
        .join(ProductSet, ProductSet.id == Product.product_set_id)
        .with_only_columns(ProductSet.industry_id, func.count())
        .group_by(ProductSet.industry_id)
    )
    return dict(db.session.execute(query).all())
