"""Routes for producers: their own products, listed, created, edited, published and
photographed."""

from blinker import Namespace
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from shop.catalog import services
from shop.catalog.exceptions import (
    AbvRequired,
    GtinTaken,
    InvalidTransition,
    ProducerNotVerified,
    TooManyPhotos,
)
from shop.catalog.forms import PhotoForm, ProductForm, gtin_taken_message
from shop.catalog.gtin import is_vietnamese
from shop.catalog.models import MAX_PHOTOS, Product, ProductPhoto
from shop.catalog.sanitize import render_markdown
from shop.clock import today_vn
from shop.extensions import db
from shop.jobs.services import enqueue
from shop.producers.access import own_or_404, producer_required
from shop.producers.models import Producer
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

_signals = Namespace()
# Sent with the product when its edit page is drawn; each receiver returns a dict of
# more values for the page. Certification, a floor above, answers with the product's
# current certificate (create_app connects it).
product_form_shown = _signals.signal("product-form-shown")
# Sent with the producer's list of products; certification answers with each one's
# certificate standing ({"standings": {product_id: Standing}}).
products_listed = _signals.signal("products-listed")


def _answers(signal, sender) -> dict:
    extras: dict = {}
    for _receiver, values in signal.send(sender):
        extras.update(values or {})
    return extras


def _shown_with(product: Product) -> dict:
    return _answers(product_form_shown, product)


def _wants_json() -> bool:
    """Only a client that asks for JSON over HTML (upload.js) gets it: ``*/*`` (curl,
    requests, a form post) still gets the redirect."""
    accept = request.accept_mimetypes
    return accept["application/json"] > accept["text/html"]


@bp.get("/producer/products")
@producer_required
def producer_products():
    products = db.session.scalars(services.products_of(g.producer)).all()
    return render_template(
        "catalog/producer_products.html",
        products=products,
        **_answers(products_listed, products),
    )


@bp.post("/producer/products/preview")
@producer_required
def preview_description():
    """The editor's live preview: the HTML the description will be saved as."""
    source = request.form.get("description", "")[: 2 * MAX_PREVIEW]
    return jsonify(html=render_markdown(source[:MAX_PREVIEW]))


MAX_PREVIEW = 10_000


def _preview() -> str | None:
    """The "Xem trước" button (no JavaScript): show the rendered description, save nothing."""
    if request.method == "POST" and "preview" in request.form:
        return render_markdown(request.form.get("description", "")[:MAX_PREVIEW])
    return None


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
    preview = _preview()
    if preview is None and form.validate_on_submit():
        product = _save(form, lambda data: services.create_product(g.producer, **data))
        if product is not None:
            flash(_("Đã tạo sản phẩm. Thêm ảnh rồi đăng bán."), "success")
            _gtin_warning(product)
            return redirect(url_for("catalog.edit_product", product_id=product.id))
    status = 400 if form.errors else 200
    return render_template(
        "catalog/product_form.html", form=form, product=None, photo_form=None, preview=preview
    ), status


@bp.route("/producer/products/<int:product_id>", methods=["GET", "POST"])
@producer_required
def edit_product(product_id: int):
    product = own_or_404(Product, product_id)
    form = ProductForm(obj=product, requires_weight=_by_weight(g.producer))
    preview = _preview()
    saved = (
        preview is None
        and form.validate_on_submit()
        and _save(form, lambda data: services.update_product(product, **data))
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
        today=today_vn(),
        max_photos=MAX_PHOTOS,
        preview=preview,
        **_shown_with(product),
    ), status


@bp.get("/producer/products/<int:product_id>/archive")
@producer_required
def confirm_archive(product_id: int):
    """Archiving asks first: this page without JavaScript, a dialog with it."""
    product = own_or_404(Product, product_id)
    if "archive" not in product.status.actions:
        return redirect(url_for("catalog.edit_product", product_id=product.id))
    return render_template("catalog/archive_confirm.html", product=product)


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
        db.session.flush()
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
        standing = _shown_with(product).get("standing")
        if action == "publish" and standing is not None and not standing.listed:
            flash(_unlisted_message(standing), "info")
    return redirect(url_for("catalog.edit_product", product_id=product.id))


def _unlisted_message(standing) -> str:
    if standing.pending:
        why = _("chứng nhận OCOP của sản phẩm đang chờ cán bộ xác minh")
    elif standing.status is None:
        why = _("sản phẩm chưa có chứng nhận OCOP được xác minh")
    elif standing.status.value == "revoked":
        why = _("chứng nhận OCOP của sản phẩm đã bị thu hồi")
    else:
        why = _("chứng nhận OCOP của sản phẩm đã hết hiệu lực")
    return _(
        "Sản phẩm chưa hiện trên sàn và người mua chưa đặt được: %(why)s. Sản phẩm sẽ "
        "tự hiện khi có chứng nhận còn hiệu lực được xác minh.",
        why=why,
    )


@bp.post("/producer/products/<int:product_id>/photos")
@producer_required
def add_photos(product_id: int):
    """Store the uploaded photos. static/js/upload.js sends them with a progress bar
    and asks for JSON: it gets the address to go to, the messages stay flashed."""
    product = own_or_404(Product, product_id)
    form = PhotoForm()
    uploads = [f for f in (form.photos.data or []) if getattr(f, "filename", "")]
    if not form.validate_on_submit() and "csrf_token" in form.errors:
        abort(400)
    if not uploads:
        flash(_("Hãy chọn ít nhất một ảnh."), "error")
        return _back_to(product)
    if len(product.photos) + len(uploads) > MAX_PHOTOS:
        flash(_("Mỗi sản phẩm có tối đa %(n)s ảnh.", n=MAX_PHOTOS), "error")
        return _back_to(product)
    # Check every file before storing any: one bad file rejects the whole upload.
    originals = []
    for upload in uploads:
        try:
            originals.append(check_photo(upload, current_app.config["PHOTO_MAX_BYTES"]))
        except UploadRejected as exc:
            flash(f"{upload.filename}: {exc}", "error")
            return _back_to(product)
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
    return _back_to(product)


def _back_to(product: Product):
    url = url_for("catalog.edit_product", product_id=product.id, _anchor="product-photos")
    if _wants_json():
        return jsonify(location=url)
    return redirect(url)


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


@bp.post("/producer/products/<int:product_id>/photos/<int:photo_id>/<any(first, up, down):move>")
@producer_required
def move_photo(product_id: int, photo_id: int, move: str):
    """The first photo is the main one (cards, the product page, shared links)."""
    product = own_or_404(Product, product_id)
    photo = db.session.get(ProductPhoto, photo_id)
    if photo is None or photo.product_id != product.id:
        abort(404)
    here = product.photos.index(photo)
    services.move_photo(product, photo, {"first": 0, "up": here - 1, "down": here + 1}[move])
    db.session.commit()
    flash(_("Đã đặt làm ảnh chính.") if move == "first" else _("Đã đổi thứ tự ảnh."), "success")
    return redirect(
        url_for("catalog.edit_product", product_id=product.id, _anchor="product-photos")
    )
