"""What the public sees: the listing rule, filters, sorting, facets, pages.

A product is listed only while its producer is verified, it is published, and it
has a certificate that is valid *today* (``Certificate.valid_on``). All of it is
decided at query time from dates, so nothing has to run when a certificate expires.
"""

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import contains_eager, selectinload

from shop.catalog import search
from shop.catalog.models import Product, ProductSet, ProductStatus
from shop.certification.models import Certificate
from shop.extensions import db
from shop.localities.models import Province
from shop.money import MAX_PRICE_VND
from shop.producers.models import Producer, ProducerStatus

PAGE_SIZE = 24
SORTS = ("relevance", "newest", "price_asc", "price_desc", "stars")
MAX_QUERY_LENGTH = 200


@dataclass(frozen=True)
class CatalogQuery:
    """The filters of /products, parsed leniently: a bad value is dropped, not a 500."""

    q: str = ""
    province: int | None = None
    product_set: int | None = None
    industry: int | None = None
    stars: int | None = None
    min_price: int | None = None
    max_price: int | None = None
    in_stock: bool = False
    sort: str = "relevance"
    page: int = 1
    producer_id: int | None = None
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
        return cls(
            q=(args.get("q") or "").strip()[:MAX_QUERY_LENGTH],
            province=whole("province", 1, 10_000),
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
            "province": query.province,
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


def listed(today: date) -> Select:
    """(Product, Certificate) of every product the public may see and buy today."""
    return (
        select(Product, Certificate)
        .join(Producer, Producer.id == Product.producer_id)
        .join(Province, Province.code == Producer.province_code)
        .join(Certificate, and_(Certificate.product_id == Product.id, Certificate.valid_on(today)))
        .where(
            Producer.status == ProducerStatus.VERIFIED, Product.status == ProductStatus.PUBLISHED
        )
    )


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _filtered(query: Select, cq: CatalogQuery, *, facets: bool = False) -> Select:
    tokens = cq.tokens
    if tokens:
        query = query.where(search.matches(_dialect(), tokens))
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
    if cq.sort == "relevance" and cq.tokens:
        return query.order_by(*search.relevance(cq.q), *newest)
    return query.order_by(*newest)


@dataclass
class Listing:
    product: Product
    certificate: Certificate

    @property
    def stars(self) -> int:
        return self.certificate.star_rank


@dataclass
class Page:
    items: list[Listing]
    total: int
    page: int
    pages: int


def search_products(cq: CatalogQuery, today: date, page_size: int = PAGE_SIZE) -> Page:
    """One page of listings and the total, in one query (plus one for photos)."""
    total_col = func.count().over().label("total")
    query = _ordered(_filtered(listed(today), cq), cq).add_columns(total_col)
    query = query.options(
        contains_eager(Product.producer).contains_eager(Producer.province),
        selectinload(Product.photos),
    )
    rows = db.session.execute(query.limit(page_size).offset((cq.page - 1) * page_size)).all()
    total = rows[0].total if rows else 0
    if not rows and cq.page > 1:
        # Past the last page: count without the page window to tell the caller.
        total = db.session.scalar(
            select(func.count()).select_from(_filtered(listed(today), cq).subquery())
        )
    pages = max(1, -(-total // page_size))
    return Page([Listing(r.Product, r.Certificate) for r in rows], total, cq.page, pages)


@dataclass
class Facets:
    provinces: list[tuple[Province, int]]
    product_sets: list[tuple[ProductSet, int]]
    stars: list[tuple[int, int]]  # (minimum stars, how many with at least that many)


def facets(cq: CatalogQuery, today: date) -> Facets:
    """Counts per province, product set and star rank for the current query.

    Each dimension is counted with every *other* filter applied, from one
    grouped query.
    """
    grouped = (
        _filtered(listed(today), cq, facets=True)
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
    provinces = _reference(Province, by_province, Province.code)
    sets = _reference(ProductSet, by_set, ProductSet.id)
    stars = [(s, sum(n for k, n in by_star.items() if k >= s)) for s in (3, 4, 5)]
    return Facets(
        sorted(provinces, key=lambda pc: (-pc[1], pc[0].codename)),
        sorted(sets, key=lambda sc: sc[0].id),
        stars,
    )


def _reference(model, counts: Counter, key_column) -> list:
    if not counts:
        return []
    objects = db.session.scalars(select(model).where(key_column.in_(list(counts)))).all()
    key = key_column.key
    return [(o, counts[getattr(o, key)]) for o in objects if counts[getattr(o, key)]]


def featured(today: date, limit: int = 8) -> list[Listing]:
    """Until the staff console features products: the newest 5★ and 4★ listings."""
    query = (
        listed(today)
        .where(Certificate.star_rank >= 4)
        .order_by(Certificate.star_rank.desc(), Product.published_at.desc(), Product.id.desc())
        .options(
            contains_eager(Product.producer).contains_eager(Producer.province),
            selectinload(Product.photos),
        )
        .limit(limit)
    )
    return [Listing(p, c) for p, c in db.session.execute(query).all()]


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


def current_certificate(product: Product) -> Certificate | None:
    """The certificate that covers the product now, valid or not (expired,
    revoked): the newest verified one that no re-rating replaced."""
    from shop.certification.models import ReviewState

    return db.session.scalar(
        select(Certificate)
        .where(
            Certificate.product_id == product.id,
            Certificate.review == ReviewState.VERIFIED,
            Certificate.superseded_by_id.is_(None),
        )
        .order_by(Certificate.decision_date.desc(), Certificate.id.desc())
        .limit(1)
    )
