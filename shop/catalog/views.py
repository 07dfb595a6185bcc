from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from shop.catalog import generation, listing, services
from shop.catalog.alcohol import advertisable
from shop.catalog.exceptions import (
    AbvRequired,
    GtinTaken,
    InvalidTransition,
    ProducerNotVerified,
    TooManyPhotos,
)
from shop.catalog.forms import PhotoForm, ProductForm, gtin_taken_message
from shop.catalog.gtin import is_vietnamese
from shop.catalog.models import MAX_PHOTOS, Industry, Product, ProductPhoto, ProductStatus
from shop.clock import today_vn
from shop.core.edge import cacheable
from shop.extensions import cache, db
from shop.i18n import current_language
from shop.jobs.services import enqueue
from shop.localities.former import former_provinces_of
from shop.localities.models import Province
from shop.producers.access import own_or_404, producer_required
from shop.producers.models import Producer, ProducerStatus
from shop.producers.rules import ShippingMode
from shop.uploads import (
    UploadRejected,
    check_photo,
    delete_upload,
    store_upload,
    thumbnail_key,
    variant_keys,
)

bp = Blueprint("catalog", __name__)


# --- The storefront -------------------------------------------------------------------


@bp.get("/")
@cacheable
def home():
    today = today_vn()
    # The home page is promotion: its blocks show no spirits of 15 % or more
    # (Law 44/2019); the catalogue, search and product pages still list them.
    newest = listing.cards(
        listing.listed(today)
        .where(advertisable())
        .order_by(Product.published_at.desc(), Product.id.desc())
        .limit(8)
    )
    province_counts = listing.counts_by(Producer.province_code, today)
    provinces = db.session.scalars(
        select(Province).where(Province.code.in_(list(province_counts)))
    ).all()
    industry_counts = listing.industry_counts(today)
    industries = db.session.scalars(select(Industry).order_by(Industry.id)).all()
    from shop.promotion.campaigns import campaign_cards, running_campaigns

    campaigns = [(c, campaign_cards(c, today, limit=4)) for c in running_campaigns(today)[:3]]
    return render_template(
        "catalog/home.html",
        campaigns=[(c, items) for c, items in campaigns if items],
        featured=listing.featured(today),
        newest=newest,
        provinces=sorted(provinces, key=lambda p: -province_counts[p.code]),
        province_counts=province_counts,
        industries=[i for i in industries if industry_counts.get(i.id)],
        industry_counts=industry_counts,
    )


@bp.get("/products")
@cacheable
def products():
    cq = listing.CatalogQuery.from_args(request.args)
    today = today_vn()
    # The results and the filter sidebar are cached as rendered fragments, keyed by
    # the catalogue's generation (shop/catalog/generation.py): any change to what
    # they show makes a new key, so a hit is never stale. Both come in one round trip.
    prefix = f"{generation.current()}:{current_language()}:{today}:{cq.partial}"
    results_key = f"catalog-results:{prefix}:{sorted(cq.args().items())!r}"
    filters_key = f"catalog-filters:{prefix}:{sorted(cq.args(page=1).items())!r}"
    seconds = current_app.config["CATALOG_RESULTS_CACHE_SECONDS"]
    results_html, filters_html = cache.get_many(results_key, filters_key)
    if seconds <= 0:  # the results' cache switched off: rendered every time
        results_html = None
    if results_html is None or filters_html is None:
        summary = listing.cached_summary(cq, today)
        nearest = listing.nearest(cq, today) if not summary.total else None
        shown = nearest.query if nearest is not None else cq
        if nearest is not None:
            summary = nearest.summary
        if results_html is None:
            page = listing.search_products(shown, today, total=summary.total)
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
                sorts=listing.SORTS,
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
    certificate = listing.current_certificate(product)
    valid = certificate is not None and certificate.status(today).is_valid
    return render_template(
        "catalog/product.html",
        product=product,
        certificate=certificate,
        status=certificate.status(today) if certificate else None,
        valid=valid,
        today=today,
    )


@bp.get("/producers/<slug>")
@cacheable
def producer_page(slug: str):
    producer = db.session.scalar(select(Producer).where(Producer.slug == slug))
    if producer is None or producer.status != ProducerStatus.VERIFIED:
        abort(404)
    cq = listing.CatalogQuery.from_args(request.args)
    cq = listing.CatalogQuery(producer_id=producer.id, page=cq.page, sort="newest")
    page = listing.search_products(cq, today_vn())
    if cq.page > page.pages:
        abort(404)
    return render_template("catalog/producer.html", producer=producer, page=page, cq=cq)


# --- The producer's own listings ------------------------------------------------------


@bp.get("/producer/products")
@producer_required
def producer_products():
    products = db.session.scalars(services.products_of(g.producer)).all()
    return render_template("catalog/producer_products.html", products=products)


def _by_weight(producer: Producer) -> bool:
    return producer.shipping_mode is ShippingMode.ZONES


def _gtin_warning(product: Product) -> None:
    if product.gtin and not is_vietnamese(product.gtin):
        flash(
            _("Lưu ý: mã GTIN %(gtin)s không có tiền tố 893 của GS1 Việt Nam.", gtin=product.gtin),
            "info",
        )


def _save(form: ProductForm, save):
    """Run ``save`` with the form's data and commit; on a refusal the service
    raises (a GTIN another producer owns, alcohol without its ABV), roll back and
    put the reason on its field. Returns the product, or None when refused."""
    try:
        product = save(form.product_data())
    except GtinTaken:
        db.session.rollback()
        form.gtin.errors = [gtin_taken_message()]
        return None
    except AbvRequired:
        db.session.rollback()
        form.abv_tenths.errors = [_("Rượu và đồ uống có cồn phải ghi độ cồn (lớn hơn 0).")]
        return None
    db.session.commit()
    return product


@bp.route("/producer/products/new", methods=["GET", "POST"])
@producer_required
def new_product():
    form = ProductForm(requires_weight=_by_weight(g.producer))
    if form.validate_on_submit():
        product = _save(form, lambda data: services.create_product(g.producer, **data))
        if product is not None:
            flash(_("Đã tạo sản phẩm. Thêm ảnh rồi đăng bán."), "success")
            _gtin_warning(product)
            return redirect(url_for("catalog.edit_product", product_id=product.id))
    status = 400 if form.errors else 200
    return render_template(
        "catalog/product_form.html", form=form, product=None, photo_form=None
    ), status


@bp.route("/producer/products/<int:product_id>", methods=["GET", "POST"])
@producer_required
def edit_product(product_id: int):
    product = own_or_404(Product, product_id)
    form = ProductForm(obj=product, requires_weight=_by_weight(g.producer))
    saved = form.validate_on_submit() and _save(
        form, lambda data: services.update_product(product, **data)
    )
    if saved:
        flash(_("Đã lưu sản phẩm."), "success")
        _gtin_warning(product)
        return redirect(url_for("catalog.edit_product", product_id=product.id))
    status = 400 if form.errors else 200
    return render_template(
        "catalog/product_form.html",
        form=form,
        product=product,
        photo_form=PhotoForm(formdata=None),
        certificate=listing.current_certificate(product),
        today=today_vn(),
        max_photos=MAX_PHOTOS,
    ), status


@bp.post("/producer/products/<int:product_id>/<any(publish, unpublish, archive):action>")
@producer_required
def change_product_status(product_id: int, action: str):
    product = own_or_404(Product, product_id)
    operation = {
        "publish": services.publish_product,
        "unpublish": services.unpublish_product,
        "archive": services.archive_product,
    }[action]
    try:
        operation(product)
    except ProducerNotVerified:
        flash(_("Chủ thể cần được xác minh trước khi đăng bán."), "error")
    except InvalidTransition:
        flash(_("Sản phẩm đã ở trạng thái này."), "info")
    else:
        db.session.commit()
        flash(
            {
                "publish": _("Đã đăng bán sản phẩm."),
                "unpublish": _("Đã ngừng đăng bán sản phẩm."),
                "archive": _("Đã lưu trữ sản phẩm."),
            }[action],
            "success",
        )
    return redirect(url_for("catalog.edit_product", product_id=product.id))


@bp.post("/producer/products/<int:product_id>/photos")
@producer_required
def add_photos(product_id: int):
    product = own_or_404(Product, product_id)
    form = PhotoForm()
    uploads = [f for f in (form.photos.data or []) if getattr(f, "filename", "")]
    if not form.validate_on_submit() and "csrf_token" in form.errors:
        abort(400)
    if not uploads:
        flash(_("Hãy chọn ít nhất một ảnh."), "error")
        return redirect(url_for("catalog.edit_product", product_id=product.id))
    if len(product.photos) + len(uploads) > MAX_PHOTOS:
        flash(_("Mỗi sản phẩm có tối đa %(n)s ảnh.", n=MAX_PHOTOS), "error")
        return redirect(url_for("catalog.edit_product", product_id=product.id))
    # Check every file before storing any: one bad file rejects the whole upload.
    originals = []
    for upload in uploads:
        try:
            originals.append(check_photo(upload, current_app.config["PHOTO_MAX_BYTES"]))
        except UploadRejected as exc:
            flash(f"{upload.filename}: {exc}", "error")
            return redirect(url_for("catalog.edit_product", product_id=product.id))
    # The stored files belong to the transaction: a rollback deletes them (store_upload).
    try:
        for data, width, height in originals:
            path = store_upload(data, "photos", "image/webp").path
            # The thumbnail's key is known now; the worker makes it from the
            # original once this transaction has committed (the outbox).
            services.add_photo(
                product, path=path, thumb_path=thumbnail_key(path), width=width, height=height
            )
            enqueue("thumbnails", {"key": path}, key=f"thumbnails:{path}")
        db.session.commit()
    except TooManyPhotos:
        db.session.rollback()
        flash(_("Mỗi sản phẩm có tối đa %(n)s ảnh.", n=MAX_PHOTOS), "error")
    else:
        flash(_("Đã thêm %(n)s ảnh.", n=len(originals)), "success")
    return redirect(url_for("catalog.edit_product", product_id=product.id))


@bp.post("/producer/products/<int:product_id>/photos/<int:photo_id>/delete")
@producer_required
def delete_photo(product_id: int, photo_id: int):
    product = own_or_404(Product, product_id)
    photo = db.session.get(ProductPhoto, photo_id)
    if photo is None or photo.product_id != product.id:
        abort(404)
    paths = dict.fromkeys((photo.path, photo.thumb_path, *variant_keys(photo.path)))
    services.remove_photo(product, photo)
    db.session.commit()
    for path in paths:
        delete_upload(path)
    flash(_("Đã xoá ảnh."), "success")
    return redirect(url_for("catalog.edit_product", product_id=product.id))
