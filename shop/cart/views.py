"""Cart pages and the AJAX cart (``POST /cart/add``, ``GET /cart.json``)."""

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, user_logged_in

from shop.cart import services
from shop.cart.services import CartError
from shop.clock import today_vn
from shop.core.edge import posted_from_this_site
from shop.extensions import csrf, db

bp = Blueprint("cart", __name__)


def wants_json() -> bool:
    accept = request.accept_mimetypes
    return (
        request.headers.get("X-Requested-With") == "XMLHttpRequest"
        or accept["application/json"] > accept["text/html"]
        or request.path.endswith(".json")
    )


def _error(exc: CartError):
    if wants_json():
        return jsonify(
            {"status": exc.status, "message": exc.message, "description": exc.message}
        ), exc.status
    flash(exc.message, "error")
    return redirect(url_for("cart.show")), 303


@bp.get("/cart")
def show():
    view = services.build_view(services.read_lines(current_user), today_vn())
    return render_template("cart/cart.html", view=view)


@bp.get("/cart.json")
@bp.get("/cart.js")
def as_json():
    return jsonify(_cart_json())


def _cart_json() -> dict:
    return services.view_json(services.build_view(services.read_lines(current_user), today_vn()))


def _product_id() -> int:
    """The product of a cart form; ``id`` is accepted too, as AJAX carts send it."""
    return services.parse_product_id(request.form.get("product_id") or request.form.get("id"))


@bp.post("/cart/add")
# The form is on cached product pages, which carry no per-visitor token: the
# browser's Sec-Fetch-Site / Origin / Referer say whether it came from this site.
@csrf.exempt
def add():
    if not posted_from_this_site():
        abort(403)
    try:
        product_id = _product_id()
        quantity = services.parse_quantity(request.form.get("quantity", "1"))
        product, now_in_cart, capped = services.add_item(
            current_user, product_id, quantity, today_vn()
        )
    except CartError as exc:
        return _error(exc)
    db.session.commit()
    message = (
        _("Chỉ còn %(n)s sản phẩm “%(name)s”: giỏ hàng có %(n)s.", n=now_in_cart, name=product.name)
        if capped
        else _("Đã thêm “%(name)s” vào giỏ hàng.", name=product.name)
    )
    if wants_json():
        return jsonify(
            {
                "product_id": product.id,
                "title": product.name,
                "quantity": now_in_cart,
                "price": product.price_vnd,
                "capped": capped,
                "message": message,
                "cart": _cart_json(),
            }
        )
    flash(message, "info" if capped else "success")
    return redirect(url_for("cart.show"), 303)


@bp.post("/cart/change")
def change():
    try:
        product_id = _product_id()
        quantity = services.parse_quantity(request.form.get("quantity"), allow_zero=True)
        services.set_quantity(current_user, product_id, quantity)
    except CartError as exc:
        return _error(exc)
    db.session.commit()
    if wants_json():
        return as_json()
    flash(_("Đã cập nhật giỏ hàng.") if quantity else _("Đã bỏ sản phẩm khỏi giỏ hàng."), "success")
    return redirect(url_for("cart.show"), 303)


@bp.post("/cart/remove")
def remove():
    try:
        product_id = _product_id()
        services.set_quantity(current_user, product_id, 0)
    except CartError as exc:
        return _error(exc)
    db.session.commit()
    if wants_json():
        return as_json()
    flash(_("Đã bỏ sản phẩm khỏi giỏ hàng."), "success")
    return redirect(url_for("cart.show"), 303)


@user_logged_in.connect
def _merge_on_login(sender, user, **extra):
    services.merge_guest_cart(user)
    db.session.commit()


def cart_size() -> int:
    """How many items the visitor's cart holds (the header's badge)."""
    return sum(services.read_lines(current_user).values())


@bp.app_context_processor
def cart_count():
    return {"cart_count": cart_size}
