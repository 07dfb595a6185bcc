"""/session.json: what a page served from the edge cache leaves out for this
visitor (who is signed in, the cart count, flashed messages); static/js/session.js
fills it in. Never cached itself."""

from flask import Blueprint, get_flashed_messages, jsonify
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from shop.cart.views import cart_size
from shop.core.privacy import NO_STORE
from shop.wishlist.queries import saved_product_ids

bp = Blueprint("visitor", __name__)


def _role(user) -> str:
    if user.is_staff:
        return "staff"
    if user.is_centre_staff:
        return "centre"
    return "producer" if user.role.value == "producer" else "customer"


@bp.get("/session.json")
def session_json():
    """What a cached page leaves out, for this visitor: who, the cart, messages."""
    count = cart_size()
    signed_in = current_user.is_authenticated
    response = jsonify(
        signed_in=signed_in,
        name=current_user.full_name if signed_in else None,
        role=_role(current_user) if signed_in else None,
        cart_count=count,
        cart_label=_("%(n)s sản phẩm", n=count),
        # Only the signed-in need one here (the log-out form): no session is made
        # for an anonymous visitor just by opening a page.
        csrf_token=generate_csrf() if signed_in else None,
        # The back-in-stock form's address, and the products to mark "Đã lưu".
        email=current_user.email if signed_in else None,
        wishlist=saved_product_ids(current_user.id) if signed_in else [],
        flashes=[
            {"category": category, "message": message}
            for category, message in get_flashed_messages(with_categories=True)
        ],
    )
    response.headers["Cache-Control"] = NO_STORE
    return response
