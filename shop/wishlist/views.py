"""The wishlist (/account/wishlist) and back-in-stock alerts (/stock-alerts)."""

from flask import (
    Blueprint,
    Flask,
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
from flask_login import current_user, login_required

from shop.auth.models import normalize_email
from shop.catalog.models import Product
from shop.clock import today_vn
from shop.core.edge import posted_from_this_site
from shop.core.redirects import safe_next
from shop.extensions import csrf, db, limiter
from shop.formfields import int_or_none
from shop.wishlist import emails, queries, services
from shop.wishlist.exceptions import (
    ConfirmationExpired,
    InvalidConfirmation,
    NotSoldOut,
    ProductUnavailable,
)
from shop.wishlist.forms import StockAlertForm

bp = Blueprint("wishlist", __name__)


def _product_page(product: Product) -> str:
    return url_for("storefront.product_detail", slug=product.slug)


def _visible_or_404(product_id: int | None) -> Product:
    try:
        return services.visible_product(product_id or 0)
    except ProductUnavailable:
        abort(404)


@bp.get("/account/wishlist")
@login_required
def show():
    entries = queries.wishlist_entries(current_user.id, today_vn())
    back = safe_next(request.args.get("back"), "")
    return render_template("wishlist/wishlist.html", entries=entries, back=back)


@bp.post("/account/wishlist/toggle")
# The "Lưu" button is on cached pages (product page, cards), which carry no
# per-visitor token: the browser's headers say whether it came from this site.
@csrf.exempt
def toggle():
    if not posted_from_this_site():
        abort(403)
    product = _visible_or_404(int_or_none(request.form.get("product_id")))
    back = safe_next(request.form.get("next"), _product_page(product))
    if not current_user.is_authenticated:
        flash(_("Đăng nhập để lưu sản phẩm vào danh sách yêu thích."), "info")
        return redirect(url_for("auth.login", next=back), 303)
    saved = services.toggle_wishlist(current_user, product.id)
    name = product.name  # read before the commit expires it
    db.session.commit()
    if saved:
        flash(_("Đã lưu “%(name)s” vào danh sách yêu thích.", name=name), "success")
    else:
        flash(_("Đã bỏ “%(name)s” khỏi danh sách yêu thích.", name=name), "success")
    # A page of its own shows the outcome without JavaScript (the product page is
    # cached for everyone and cannot).
    return redirect(url_for("wishlist.show", back=back), 303)


@bp.post("/account/wishlist/<int:item_id>/remove")
@login_required
def remove(item_id: int):
    item = services.remove_item(current_user, item_id)
    if item is None:
        abort(404)
    db.session.commit()
    flash(_("Đã bỏ sản phẩm khỏi danh sách yêu thích."), "success")
    return redirect(url_for("wishlist.show"), 303)


def _alert_limit() -> str:
    return current_app.config.get("STOCK_ALERT_RATE_LIMIT", "10 per hour")


@bp.post("/stock-alerts")
@csrf.exempt  # posted from cached product pages, like the "Lưu" button
@limiter.limit(_alert_limit, methods=["POST"])
def subscribe():
    """Ask for an alert: a confirmation e-mail goes out; nothing is stored until
    its link is followed (double opt-in), for guests and signed-in buyers alike."""
    if not posted_from_this_site():
        abort(403)
    form = StockAlertForm()
    product = _visible_or_404(int_or_none(request.form.get("product_id")))
    if not form.validate():
        return render_template("wishlist/alert_form.html", form=form, product=product), 400
    today = today_vn()
    try:
        product, token = services.request_stock_alert(
            form.email.data,
            product.id,
            today,
            user=current_user if current_user.is_authenticated else None,
        )
    except NotSoldOut:
        db.session.rollback()
        flash(_("Sản phẩm này đang có hàng hoặc hiện không bán: không cần đăng ký."), "info")
        return redirect(_product_page(product), 303)
    page = _product_page(product)
    email = normalize_email(form.email.data)
    emails.confirm_stock_alert(email, token, product, today)
    db.session.commit()  # the e-mail goes out after this
    # The same answer whether or not the address waits already: the page tells
    # nobody what another address subscribed to.
    flash(
        _(
            "Vui lòng mở email chúng tôi vừa gửi đến %(email)s và bấm liên kết xác nhận "
            "trong %(days)s ngày. Chưa xác nhận thì chúng tôi không gửi thông báo.",
            email=email,
            days=emails.confirm_days(),
        ),
        "success",
    )
    return redirect(page, 303)


def _confirmation_or_error(token: str):
    """(request, None) for a good link; (None, response) for a bad or old one."""
    try:
        return services.read_confirmation(token), None
    except ConfirmationExpired as exc:
        product = None
        if exc.product_id is not None:
            try:
                product = services.visible_product(exc.product_id)
            except ProductUnavailable:
                product = None
        message = _(
            "Liên kết xác nhận đã hết hạn, nên chúng tôi không lưu yêu cầu này. "
            "Bạn có thể đăng ký lại trên trang sản phẩm."
        )
        page = render_template("wishlist/confirm.html", message=message, product=product)
        return None, (page, 410)
    except InvalidConfirmation:
        abort(404)


@bp.get("/stock-alerts/confirm/<token>")
def confirm_page(token: str):
    # A GET changes nothing: mail scanners open links. The button posts.
    alert_request, error = _confirmation_or_error(token)
    if error is not None:
        return error
    product = _visible_or_404(alert_request.product_id)
    return render_template(
        "wishlist/confirm.html", asking=True, product=product, email=alert_request.email
    )


@bp.post("/stock-alerts/confirm/<token>")
@csrf.exempt  # the signed token is the authority, as for unsubscribing
def confirm(token: str):
    alert_request, error = _confirmation_or_error(token)
    if error is not None:
        return error
    product = _visible_or_404(alert_request.product_id)
    try:
        created = services.confirm_stock_alert(alert_request, today_vn())
    except NotSoldOut:
        db.session.rollback()
        message = _("Sản phẩm này đang có hàng hoặc hiện không bán: không cần đăng ký.")
        return render_template("wishlist/confirm.html", message=message, product=product)
    db.session.commit()
    if created:
        message = _(
            "Đã xác nhận. Chúng tôi sẽ gửi một email đến %(email)s khi sản phẩm có hàng "
            "trở lại, kèm liên kết huỷ đăng ký.",
            email=alert_request.email,
        )
    else:
        message = _("Địa chỉ này đã đăng ký nhận báo cho sản phẩm này.")
    return render_template("wishlist/confirm.html", message=message, product=product)


@bp.get("/stock-alerts/<token>/unsubscribe")
def unsubscribe_page(token: str):
    # A GET changes nothing: mail scanners open links. The button posts.
    alert = services.alert_for_token(token)
    if alert is None:
        abort(404)
    return render_template("wishlist/unsubscribe.html", alert=alert, done=False)


@bp.post("/stock-alerts/<token>/unsubscribe")
@csrf.exempt  # the secret token is the authority; also one-click (RFC 8058) posts
def unsubscribe(token: str):
    alert = services.unsubscribe(token)
    if alert is None:
        abort(404)
    product = alert.product
    db.session.commit()
    return render_template("wishlist/unsubscribe.html", alert=None, product=product, done=True)


# --- Template globals: the catalogue's templates include these without any view -------


def wishlisted(product_id: int) -> bool:
    """Whether the visitor saved the product, where a page may say so: a page the
    edge may cache for everyone is always neutral (static/js/session.js marks it)."""
    if g.get("edge_cacheable") or not current_user.is_authenticated:
        return False
    if "wishlist_ids" not in g:
        g.wishlist_ids = set(queries.saved_product_ids(current_user.id))
    return product_id in g.wishlist_ids


def register_template_globals(app: Flask) -> None:
    app.jinja_env.globals["wishlisted"] = wishlisted
