"""The checkout page: contact, address, payment method, one order."""

import secrets

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from shop import observability
from shop.cart import services as cart
from shop.checkout import services
from shop.checkout.forms import CheckoutForm, adult_required_message
from shop.clock import today_vn
from shop.extensions import db, limiter
from shop.orders import emails
from shop.orders.models import Order, PaymentMethod, SavedAddress

bp = Blueprint("checkout", __name__)


def buyer_key() -> str:
    """The rate-limit key of one buyer: the account, else the browser session.

    Not the address: behind a mobile carrier's NAT, hundreds of buyers share one.
    """
    if current_user.is_authenticated:
        return f"checkout-user:{current_user.id}"
    if "buyer_id" not in session:
        session["buyer_id"] = secrets.token_urlsafe(16)
    return f"checkout-session:{session['buyer_id']}"


def _saved_addresses():
    if not current_user.is_authenticated:
        return []
    return db.session.scalars(
        select(SavedAddress)
        .where(SavedAddress.user_id == current_user.id)
        .order_by(SavedAddress.id.desc())
    ).all()


def _prefill(form: CheckoutForm, addresses) -> None:
    if not current_user.is_authenticated:
        return
    form.email.data = form.email.data or current_user.email
    form.customer_name.data = form.customer_name.data or current_user.full_name
    chosen = request.args.get("address", type=int)
    address = next((a for a in addresses if a.id == chosen), addresses[0] if addresses else None)
    if address is not None:
        form.customer_name.data = address.customer_name
        form.phone.data = address.phone
        form.province_code.data = address.province_code
        form.ward_code.data = address.ward_code
        form.street.data = address.street


def order_url(order: Order, **kwargs) -> str:
    return url_for("payments.order", number=order.number, key=order.access_key, **kwargs)


@bp.route("/checkout", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["CHECKOUT_RATE_LIMIT"], methods=["POST"], key_func=buyer_key
)
@limiter.limit(lambda: current_app.config["CHECKOUT_ADDRESS_RATE_LIMIT"], methods=["POST"])
def checkout():
    today = today_vn()
    view = cart.build_view(cart.read_lines(current_user), today)
    addresses = _saved_addresses()
    form = CheckoutForm()
    if request.method == "GET":
        if not view.lines:
            return redirect(url_for("cart.show"))
        _prefill(form, addresses)
        form.checkout_token.data = services.new_checkout_token()
    # Shipping priced for the form's province (posted, or the saved address): no
    # query, the fee terms came with the cart and the regions are a Python table.
    view.ship_to(form.province_code.data)
    # The centres a producer's part can be collected at: read to show the page, and
    # on a POST only when one was chosen (a home delivery's order costs no query more).
    posted = request.method == "POST" and any(
        key.startswith("pickup-") and value != "home" for key, value in request.form.items()
    )
    options = services.pickup_choices(view) if view.lines and posted else None
    pickups = _posted_pickups(options or {}) if posted else {}
    if pickups is None:
        flash(_("Điểm nhận hàng đã chọn không còn nhận đơn này. Vui lòng chọn lại."), "error")
        pickups = {}
        services.choose_pickups(view, pickups)
        form.expected_total.data = str(view.total_vnd)
        return _page(form, view, addresses, 409, options, pickups)
    services.choose_pickups(view, pickups)
    form.requires_adult = view.has_alcohol
    if request.method == "GET":
        form.expected_total.data = str(view.total_vnd)
    status = 200
    if form.is_submitted() and "refresh_wards" in request.form:
        form.expected_total.data = str(view.total_vnd)
    elif form.validate_on_submit():
        token = form.checkout_token.data
        if not services.valid_token(token):
            flash(_("Phiên đặt hàng không hợp lệ. Vui lòng kiểm tra lại và đặt hàng."), "error")
            form.checkout_token.data = services.new_checkout_token()
            form.expected_total.data = str(view.total_vnd)
            return _page(form, view, addresses, 400, options, pickups)
        expected = form.expected_total.data or ""
        expected_total = (
            int(expected)
            if expected.isascii() and expected.isdigit() and len(expected) < 16
            else None
        )
        contact = services.Contact(
            customer_name=form.customer_name.data.strip(),
            phone=form.phone.data,
            email=form.email.data or None,
            province_code=form.province_code.data,
            ward_code=form.ward_code.data,
            street=form.street.data.strip(),
            note=(form.note.data or "").strip(),
        )
        try:
            order, created = services.place_order(
                lines=cart.read_lines(current_user),
                contact=contact,
                payment_method=PaymentMethod(form.payment_method.data),
                token=token,
                user=current_user if current_user.is_authenticated else None,
                today=today,
                expected_total_vnd=expected_total,
                view=view,
                adult_confirmed=bool(form.adult_confirmed.data),
                pickups=pickups,
            )
        except services.AgeNotConfirmed:
            db.session.rollback()
            form.adult_confirmed.errors = [*form.adult_confirmed.errors, adult_required_message()]
            return _page(form, view, addresses, 400, options, pickups)
        except services.PickupUnavailable:
            db.session.rollback()
            flash(_("Điểm nhận hàng đã chọn không còn nhận đơn này. Vui lòng chọn lại."), "error")
            return redirect(url_for("checkout.checkout"), 303)
        except services.OutOfStock as exc:
            db.session.rollback()
            for short in exc.short:
                flash(
                    _(
                        "“%(name)s”: bạn đặt %(wanted)s, chỉ còn %(left)s.",
                        name=short.name,
                        wanted=short.wanted,
                        left=short.available,
                    ),
                    "error",
                )
            if not exc.short:
                flash(_("Số lượng tồn kho vừa thay đổi. Vui lòng kiểm tra lại giỏ hàng."), "error")
            flash(_("Chưa đặt hàng: không có sản phẩm nào bị trừ kho."), "error")
            return redirect(url_for("cart.show"), 303)
        except services.PriceChanged:
            db.session.rollback()
            view = cart.build_view(cart.read_lines(current_user), today).ship_to(
                contact.province_code
            )
            services.choose_pickups(view, pickups)
            flash(
                _(
                    "Phí vận chuyển đã được tính theo tỉnh nhận hàng. "
                    "Vui lòng xem lại tổng tiền rồi đặt hàng."
                )
                if view.ships_by_zone
                else _(
                    "Giá hoặc phí vận chuyển vừa thay đổi. Vui lòng xem lại tổng tiền rồi đặt hàng."
                ),
                "error",
            )
            form.expected_total.data = str(view.total_vnd)
            return _page(form, view, addresses, 409, options, pickups)
        except services.CartNotReady as exc:
            db.session.rollback()
            for line in exc.view.problems:
                flash(_problem_message(line), "error")
            flash(_("Chưa đặt hàng: giỏ hàng có sản phẩm cần xem lại."), "error")
            return redirect(url_for("cart.show"), 303)
        # Read before the commit expires the order: no query to load it again.
        number, email, method, target = (
            order.number,
            order.email,
            order.payment_method,
            order_url(order),
        )
        if created:
            if current_user.is_authenticated and form.save_address.data:
                services.remember_address(current_user.id, contact)
            cart.clear(current_user, [line.product.id for line in view.lines])
            # Queued with the order, written and sent after the commit.
            emails.order_placed(order, services.pickup_texts(order) if pickups else None)
            db.session.commit()
            observability.order_placed(method)
            flash(
                _(
                    "Đã đặt đơn hàng %(number)s. Chúng tôi đã gửi xác nhận đến %(email)s.",
                    number=number,
                    email=email,
                )
                if email
                else _("Đã đặt đơn hàng %(number)s.", number=number),
                "success",
            )
        return redirect(target, 303)
    elif request.method == "POST":
        status = 400
        form.expected_total.data = str(view.total_vnd)
    if not view.lines:
        return redirect(url_for("cart.show"))
    return _page(form, view, addresses, status, options, pickups)


def _posted_pickups(options: dict) -> dict[int, int] | None:
    """{producer id: centre id} from the form's ``pickup-<producer id>`` radios
    ("home" or a centre listed for that group); None when a posted centre is not
    one of them (sold out meanwhile, closed, or a tampered form)."""
    chosen: dict[int, int] = {}
    for producer_id, centres in options.items():
        value = request.form.get(f"pickup-{producer_id}", "home")
        if value == "home":
            continue
        ids = {centre.id for centre in centres}
        if not (value.isascii() and value.isdigit() and int(value) in ids):
            return None
        chosen[producer_id] = int(value)
    return chosen


def _page(form: CheckoutForm, view, addresses, status: int, options=None, pickups=None):
    """The checkout page. The province and ward lists are loaded only to show
    them: a posted address is checked by looking up its one ward."""
    form.load_address_choices()
    if options is None:
        options = services.pickup_choices(view) if view.lines else {}
    return render_template(
        "checkout/checkout.html",
        form=form,
        view=view,
        addresses=addresses,
        pickup_options=options,
        pickups=pickups or {},
    ), status


def _problem_message(line) -> str:
    name = line.product.name
    if line.problem == "short":
        return _(
            "“%(name)s”: bạn đặt %(wanted)s, chỉ còn %(left)s.",
            name=name,
            wanted=line.quantity,
            left=line.available,
        )
    if line.problem == "out_of_stock":
        return _("“%(name)s” đã hết hàng.", name=name)
    return _("“%(name)s” hiện không được bán.", name=name)
