"""The public storefront: the home page, the catalogue (/products), a product's page
and a producer's page. Above catalogue, certification and promotion: it shows all three."""

from flask import Blueprint, abort, current_app, render_template, request
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from shop.catalog import generation
from shop.catalog.alcohol import advertisable
from shop.catalog.models import Industry, Product, ProductStatus
from shop.centres.queries import centres_holding
from shop.certification.queries import cards, current_certificate, listed
from shop.clock import today_vn
from shop.core.edge import cacheable
from shop.extensions import cache, db
from shop.i18n import current_language
from shop.localities.former import former_provinces_of
from shop.localities.models import Province
from shop.producers.models import Producer, ProducerStatus
from shop.promotion.campaigns import campaign_cards, running_campaigns
from shop.storefront import queries

bp = Blueprint("storefront", __name__)


@bp.get("/")
@cacheable
def home():
    today = today_vn()
    # The home page is promotion: its blocks show no spirits of 15 % or more
    # (Law 44/2019); the catalogue, search and product pages still list them.
    newest = cards(
        listed(today)
        .where(advertisable())
        .order_by(Product.published_at.desc(), Product.id.desc())
        .limit(8)
    )
    province_counts = queries.counts_by(Producer.province_code, today)
    provinces = db.session.scalars(
        select(Province).where(Province.code.in_(list(province_counts)))
    ).all()
    industry_counts = queries.industry_counts(today)
    industries = db.session.scalars(select(Industry).order_by(Industry.id)).all()
    campaigns = [(c, campaign_cards(c, today, limit=4)) for c in running_campaigns(today)[:3]]
    return render_template(
        "catalog/home.html",
        campaigns=[(c, items) for c, items in campaigns if items],
        featured=queries.featured(today),
        newest=newest,
        provinces=sorted(provinces, key=lambda p: -province_counts[p.code]),
        province_counts=province_counts,
        industries=[i for i in industries if industry_counts.get(i.id)],
        industry_counts=industry_counts,
    )


@bp.get("/products")
@cacheable
def products():
    cq = queries.CatalogQuery.from_args(request.args)
    today = today_vn()
    # The results and the filter sidebar are cached as rendered fragments, keyed by
    # the catalogue's generation (shop/storefront/generation.py): any change to what
    # they show makes a new key, so a hit is never stale. Both come in one round trip.
    prefix = f"{generation.current()}:{current_language()}:{today}:{cq.partial}"
    results_key = f"catalog-results:{prefix}:{sorted(cq.args().items())!r}"
    filters_key = f"catalog-filters:{prefix}:{sorted(cq.args(page=1).items())!r}"
    seconds = current_app.config["CATALOG_RESULTS_CACHE_SECONDS"]
    results_html, filters_html = cache.get_many(results_key, filters_key)
    if seconds <= 0:  # the results' cache switched off: rendered every time
        results_html = None
    if results_html is None or filters_html is None:
        summary = queries.cached_summary(cq, today)
        nearest = queries.nearest(cq, today) if not summary.total else None
        shown = nearest.query if nearest is not None else cq
        if nearest is not None:
            summary = nearest.summary
        if results_html is None:
            page = queries.search_products(shown, today, total=summary.total)
            if shown.page > page.pages:
                abort(404)
            results_html = render_template(
                "catalog/_results.html", cq=shown, page=page, nearest=nearest
            )
            if seconds > 0:
                cache.set(results_key, results_html, timeout=seconds)
        if filters_html is None:
            filters_html = render_template(
                "catalog/_filters.html",
                cq=shown,
                facets=summary.facets,
                sorts=queries.SORTS,
                former_provinces_of=former_provinces_of,
            )
            cache.set(filters_key, filters_html, timeout=current_app.config["FACETS_CACHE_SECONDS"])
    return render_template(
        "catalog/products.html",
        cq=cq,
        # Our own templates' autoescaped output.
        results_html=Markup(results_html),  # noqa: S704
        filters_html=Markup(filters_html),  # noqa: S704
    )


@bp.get("/products/<slug>")
@cacheable
def product_detail(slug: str):
    product = db.session.scalar(
        select(Product)
        .where(Product.slug == slug)
        .options(
            joinedload(Product.producer).joinedload(Producer.ward),
            joinedload(Product.producer).joinedload(Producer.province),
            joinedload(Product.product_set),
            selectinload(Product.photos),
        )
    )
    if (
        product is None
        or product.status != ProductStatus.PUBLISHED
        or product.producer.status != ProducerStatus.VERIFIED
    ):
        abort(404)
    today = today_vn()
    certificate = current_certificate(product)
    valid = certificate is not None and certificate.status(today).is_valid
    return render_template(
        "catalog/product.html",
        product=product,
        certificate=certificate,
        status=certificate.status(today) if certificate else None,
        valid=valid,
        today=today,
        centres=centres_holding(product.id) if valid else [],
    )


@bp.get("/producers/<slug>")
@cacheable
def producer_page(slug: str):
    producer = db.session.scalar(select(Producer).where(Producer.slug == slug))
    if producer is None or producer.status != ProducerStatus.VERIFIED:
        abort(404)
    cq = queries.CatalogQuery.from_args(request.args)
    cq = queries.CatalogQuery(producer_id=producer.id, page=cq.page, sort="newest")
    page = queries.search_products(cq, today_vn())
    if cq.page > page.pages:
        abort(404)
    return render_template("catalog/producer.html", producer=producer, page=page, cq=cq)
