"""Routes for a centre's own staff: the till (scan, basket, sale, receipt), the
daily report, and the centre's stock with its returns and count corrections.

The basket lives in the signed session (ids and quantities only: price,
certificate and stock are read afresh at every step, and again in the sale's
transaction)."""

import base64
import secrets

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from shop.catalog.models import Product
from shop.centres import queries, services
from shop.centres.access import centre_required
from shop.centres.exceptions import CentreError, CentreShort, NotFound, NotSellable
from shop.centres.forms import AdjustForm, CheckoutForm, HandOverForm, ReturnForm, ScanForm
from shop.centres.models import CentreStock, TillPayment, TillSale
from shop.centres.staff import LEDGER_PAGE, report_day
from shop.clock import today_vn
from shop.extensions import db
from shop.formfields import int_or_none
from shop.pagination import paginate
from shop.payments import vietqr
from shop.security import allow_camera

bp = Blueprint("centres", __name__, url_prefix="/centre")

BASKET_KEY = "till_basket"
MAX_LINES = 50


# -- the basket, in the session -------------------------------------------------------


def _basket() -> dict[int, int]:
    stored = session.get(BASKET_KEY) or {}
    if stored.get("centre") != g.centre.id:
        return {}
    return {int(k): int(v) for k, v in (stored.get("lines") or {}).items()}


def _save(basket: dict[int, int]) -> None:
    session[BASKET_KEY] = {
        "centre": g.centre.id,
        "lines": {str(k): v for k, v in basket.items()},
        # A new token whenever the basket changes: a sale is one basket, once.
        "token": secrets.token_hex(16),
    }


def _token() -> str:
    stored = session.get(BASKET_KEY) or {}
    token = stored.get("token")
    if not token or stored.get("centre") != g.centre.id:
        _save(_basket())
        token = session[BASKET_KEY]["token"]
    return token


def _transfer_content(token: str) -> str:
    """The transfer's content for the bank statement: ASCII, short."""
    return f"OCOP {token[:10].upper()}"


# -- the till ---------------------------------------------------------------------------


def _till_page(scan_form=None, scanned=None, refusal=None, checkout_form=None, status=200):
    allow_camera()
    basket = _basket()
    today = today_vn()
    lines, problems = [], []
    products = {
        p.id: p for p in db.session.scalars(db.select(Product).where(Product.id.in_(list(basket))))
    }
    for product_id, quantity in basket.items():
        product = products.get(product_id)
        if product is None:
            continue
        try:
            s = services.basket_lines(g.centre, {product_id: quantity}, today)[0]
        except NotSellable as exc:
            problems.append((product, exc.message))
            lines.append((product, quantity, None))
            continue
        if s.held < quantity:
            problems.append((product, _("Điểm bán chỉ còn %(n)s đơn vị sản phẩm này.", n=s.held)))
        lines.append((product, quantity, s))
    total = sum(p.price_vnd * q for p, q, _s in lines)
    form = checkout_form or CheckoutForm(formdata=None)
    form.sale_token.data = _token()
    return (
        render_template(
            "centres/till.html",
            centre=g.centre,
            form=scan_form or ScanForm(formdata=None),
            checkout=form,
            scanned=scanned,
            refusal=refusal,
            lines=lines,
            problems=problems,
            total=total,
            has_alcohol=any(p.is_alcohol for p, _q, _s in lines),
        ),
        status,
    )


@bp.get("/")
@centre_required
def till():
    scanned = None
    product_id = int_or_none(request.args.get("scanned"))
    if product_id is not None and product_id in _basket():
        try:
            scanned = services.basket_lines(g.centre, {product_id: 1}, today_vn())[0]
        except NotSellable:
            scanned = None
    return _till_page(scanned=scanned)


@bp.post("/scan")
@centre_required
def scan():
    form = ScanForm()
    if not form.validate_on_submit():
        return _till_page(scan_form=form, status=400)
    try:
        found = services.scan(g.centre, form.code.data, today_vn())
    except NotFound as exc:
        form.code.errors.append(exc.message)
        return _till_page(scan_form=form, status=404)
    except NotSellable as exc:
        return _till_page(scan_form=ScanForm(formdata=None), refusal=exc, status=422)
    basket = _basket()
    wanted = basket.get(found.product.id, 0) + 1
    if wanted > found.held:
        return _till_page(
            scan_form=ScanForm(formdata=None),
            refusal=NotSellable(
                _("Điểm bán chỉ còn %(n)s đơn vị sản phẩm này.", n=found.held),
                product=found.product,
                certificate=found.certificate,
                status=found.status,
            ),
            status=409,
        )
    if found.product.id not in basket and len(basket) >= MAX_LINES:
        form.code.errors.append(_("Giỏ đã đủ 50 dòng: thanh toán trước khi quét tiếp."))
        return _till_page(scan_form=form, status=400)
    basket[found.product.id] = wanted
    _save(basket)
    return redirect(url_for(".till", scanned=found.product.id), 303)


@bp.post("/basket")
@centre_required
def change_basket():
    """Set a line's quantity (0 removes it), or empty the basket."""
    if not CheckoutForm().validate_on_submit():
        abort(400)
    basket = _basket()
    if request.form.get("clear"):
        basket = {}
    else:
        product_id = int_or_none(request.form.get("product_id"))
        quantity = int_or_none(request.form.get("quantity"))
        if product_id not in basket or quantity is None or quantity > 100_000:
            abort(400)
        if quantity == 0:
            basket.pop(product_id)
        else:
            basket[product_id] = quantity
    _save(basket)
    return redirect(url_for(".till"), 303)


def _method() -> TillPayment:
    try:
        return TillPayment(request.form.get("method", ""))
    except ValueError:
        abort(400)


@bp.post("/checkout")
@centre_required
def checkout():
    """Cash: the sale is recorded at once. VietQR: the first post shows the code
    for the buyer to scan; the cashier confirms once the money shows in the bank
    app (a bank QR gives no callback) and the sale is recorded."""
    form = CheckoutForm()
    if not form.validate_on_submit():
        abort(400)
    method = _method()
    token = form.sale_token.data or ""
    if not (0 < len(token) <= 64):
        abort(400)
    existing = services.sale_by_token(token)
    if existing is not None and existing.centre_id == g.centre.id:
        return redirect(url_for(".receipt", sale_id=existing.id), 303)
    if token != _token():
        flash(_("Giỏ hàng đã thay đổi. Kiểm tra lại trước khi thu tiền."), "error")
        return redirect(url_for(".till"), 303)
    basket = _basket()
    today = today_vn()
    if method.is_vietqr and not request.form.get("confirmed"):
        return _vietqr_page(basket, token, form)
    try:
        sale = services.record_sale(
            g.centre,
            current_user,
            basket,
            method,
            token,
            today,
            age_confirmed=bool(form.age_confirmed.data),
        )
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        existing = services.sale_by_token(token)
        if existing is None or existing.centre_id != g.centre.id:
            raise
        return redirect(url_for(".receipt", sale_id=existing.id), 303)
    except CentreShort as exc:
        db.session.rollback()
        left = services.held(g.centre.id, exc.product_id)
        product = db.session.get(Product, exc.product_id)
        flash(
            _(
                "%(name)s: điểm bán chỉ còn %(n)s đơn vị. Không có gì được ghi bán.",
                name=product.name if product else "",
                n=left,
            ),
            "error",
        )
        return _till_page(checkout_form=form, status=409)
    except CentreError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _till_page(checkout_form=form, status=409)
    session.pop(BASKET_KEY, None)
    return redirect(url_for(".receipt", sale_id=sale.id), 303)


def _vietqr_page(basket: dict[int, int], token: str, form: CheckoutForm):
    try:
        scans = services.basket_lines(g.centre, basket, today_vn()) if basket else []
    except NotSellable as exc:
        flash(exc.message, "error")
        return _till_page(checkout_form=form, status=409)
    if not scans:
        flash(_("Chưa có sản phẩm nào trong giỏ."), "error")
        return _till_page(checkout_form=form, status=409)
    total = sum(s.product.price_vnd * basket[s.product.id] for s in scans)
    config = current_app.config
    content = _transfer_content(token)
    payload = vietqr.build_payload(
        bank_bin=config["VIETQR_BANK_BIN"],
        account=config["VIETQR_ACCOUNT"],
        amount_vnd=total,
        content=content,
    )
    return render_template(
        "centres/vietqr.html",
        centre=g.centre,
        form=form,
        total=total,
        content=content,
        qr_src=vietqr_data_uri(payload),
        age_confirmed=bool(form.age_confirmed.data),
    )


def vietqr_data_uri(payload: str) -> str:
    return "data:image/png;base64," + base64.b64encode(vietqr.qr_png(payload, scale=6)).decode()


@bp.get("/sales/<int:sale_id>")
@centre_required
def receipt(sale_id: int):
    sale = db.session.get(TillSale, sale_id)
    if sale is None or sale.centre_id != g.centre.id:
        abort(404)
    return render_template("centres/receipt.html", sale=sale, centre=g.centre)


@bp.get("/report")
@centre_required
def report():
    day, problem = report_day(request.args.get("day"))
    return render_template(
        "centres/report.html",
        problem=problem,
        report=queries.daily_report(g.centre, day),
        receipts=queries.receipts_of_day(g.centre.id, day),
        staff_view=False,
    )


# -- the centre's stock -----------------------------------------------------------------


@bp.get("/stock")
@centre_required
def stock():
    return render_template(
        "centres/stock.html",
        centre=g.centre,
        rows=queries.stock_of(g.centre.id),
        back=ReturnForm(formdata=None),
        adjust=AdjustForm(formdata=None),
    )


def _held_product(value) -> Product:
    """A product this centre has a stock row for; anything else is a 404."""
    product_id = int_or_none(value)
    row = db.session.get(CentreStock, (g.centre.id, product_id)) if product_id is not None else None
    if row is None:
        abort(404)
    return row.product


@bp.post("/stock/return")
@centre_required
def return_stock():
    form = ReturnForm()
    product = _held_product(form.product_id.data)
    if form.validate_on_submit():
        try:
            services.return_to_producer(
                g.centre,
                product,
                form.quantity.data,
                current_user,
                to_online=bool(form.to_online.data),
                note=(form.note.data or "").strip(),
            )
            db.session.commit()
        except CentreShort:
            db.session.rollback()
            form.quantity.errors.append(
                _("Điểm bán chỉ còn %(n)s đơn vị.", n=services.held(g.centre.id, product.id))
            )
        else:
            flash(_("Đã ghi trả %(n)s đơn vị cho chủ thể.", n=form.quantity.data), "success")
            return redirect(url_for(".stock"), 303)
    return _stock_page_with(back=form, product=product), 400


@bp.post("/stock/adjust")
@centre_required
def adjust_stock():
    form = AdjustForm()
    product = _held_product(form.product_id.data)
    if form.validate_on_submit():
        try:
            services.adjust(g.centre, product, form.change.data, form.reason.data, current_user)
            db.session.commit()
        except CentreShort:
            db.session.rollback()
            form.change.errors.append(
                _("Điểm bán chỉ còn %(n)s đơn vị.", n=services.held(g.centre.id, product.id))
            )
        except CentreError as exc:
            db.session.rollback()
            form.change.errors.append(exc.message)
        else:
            flash(_("Đã ghi điều chỉnh kiểm kê."), "success")
            return redirect(url_for(".stock"), 303)
    return _stock_page_with(adjust=form, product=product), 400


def _stock_page_with(product: Product, back=None, adjust=None):
    return render_template(
        "centres/stock.html",
        centre=g.centre,
        rows=queries.stock_of(g.centre.id),
        back=back or ReturnForm(formdata=None),
        adjust=adjust or AdjustForm(formdata=None),
        failed_product_id=product.id,
    )


@bp.get("/ledger")
@centre_required
def ledger():
    pager = paginate(queries.ledger(g.centre.id), LEDGER_PAGE)
    return render_template("centres/ledger.html", centre=g.centre, pager=pager, staff_view=False)


# -- pick-up orders: look a code up, hand over -------------------------------------------


def _pickup_page(code: str, shipment=None, message: str | None = None, status: int = 200):
    return (
        render_template(
            "centres/pickup.html",
            centre=g.centre,
            code=code,
            shipment=shipment,
            message=message,
            form=HandOverForm(),
        ),
        status,
    )


@bp.get("/pickup")
@centre_required
def pickup():
    """Type or scan the buyer's pick-up code (its QR holds just the code)."""
    code = (request.args.get("code") or "").strip()[:40]
    if not code:
        return _pickup_page("")
    try:
        shipment = services.pickup_by_code(g.centre, code)
    except NotFound as exc:
        return _pickup_page(code, message=exc.message, status=404)
    return _pickup_page(code, shipment)


@bp.post("/pickup/<code>/handover")
@centre_required
def hand_over(code: str):
    form = HandOverForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        shipment = services.pickup_by_code(g.centre, code)
    except NotFound:
        abort(404)
    try:
        services.hand_over(g.centre, shipment, current_user)
    except CentreError as exc:
        db.session.rollback()
        shipment = services.pickup_by_code(g.centre, code)
        return _pickup_page(code, shipment, exc.message, 409)
    number = shipment.order.number
    db.session.commit()
    flash(_("Đã giao đơn %(number)s cho khách.", number=number), "success")
    return redirect(url_for("centres.pickup", code=code), 303)
