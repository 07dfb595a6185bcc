"""Public routes: the verification page (what the QR on a package opens), the GS1
Digital Link and the public register of certificates. Its JSON twin,
/api/v1/verify/<code>, is in shop/api/views.py."""

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from shop.catalog.services import current_product_sets
from shop.certification import register as certificate_register
from shop.certification.queries import (
    code_for_gtin14,
    group_code,
    is_listed,
    normalize_code,
    verify_code,
)
from shop.clock import today_vn
from shop.core.edge import cacheable
from shop.extensions import limiter
from shop.localities.former import former_provinces_of
from shop.localities.services import list_provinces, wards_of

bp = Blueprint("verify", __name__)


def _lookup_limit() -> str:
    return current_app.config["VERIFY_MISS_RATE_LIMIT"]


# Misses (unknown codes) count against one shared budget per address, so codes
# cannot be enumerated; scanning real labels never runs into it.
unknown_code_limit = limiter.shared_limit(
    _lookup_limit, scope="verify-miss", deduct_when=lambda response: response.status_code == 404
)


def product_url(verification, external: bool = True) -> str | None:
    """The product's page while it is for sale. Site-relative in the HTML page: a
    cached page must not carry the host name one visitor sent."""
    product = verification.certificate.product
    if verification.status.is_valid and is_listed(product.id, verification.today):
        return url_for("storefront.product_detail", slug=product.slug, _external=external)
    return None


@bp.get("/verify")
@unknown_code_limit
def verify_form():
    """The address printed under the QR: type the code read off the package."""
    typed = request.args.get("code")
    if typed is None:
        return render_template("verify/form.html", typed="", error=None)
    typed = typed[:40]
    if not normalize_code(typed):
        error = _("Hãy nhập mã xác thực in bên cạnh mã QR trên bao bì.")
        return render_template("verify/form.html", typed=typed, error=error), 400
    verification = verify_code(typed, today_vn())
    if verification is None:
        # Not found is a 404 like /verify/<code>: it spends the same budget of misses.
        return render_template("verify/form.html", typed=typed, error=_not_found(typed)), 404
    return redirect(url_for("verify.verify_page", code=verification.certificate.verification_code))


def _not_found(typed: str) -> str:
    return _(
        "Không tìm thấy chứng nhận OCOP nào mang mã %(code)s. Hãy kiểm tra lại mã in trên "
        "bao bì; nếu mã đúng, sản phẩm có thể không phải sản phẩm OCOP.",
        code=group_code(normalize_code(typed)) or typed,
    )


@bp.get("/verify/<code>")
@unknown_code_limit
# The answer changes with the date and with revocations: a revoked or expired
# certificate is never shown as valid, so every cache asks again (ETag: a 304).
@cacheable(revalidate=True)
def verify_page(code: str):
    verification = verify_code(code, today_vn())
    if verification is None:
        return render_template("verify/not_found.html", code=code[:32], typed=code[:32]), 404
    return render_template(
        "verify/page.html",
        v=verification,
        c=verification.certificate,
        product_url=product_url(verification, external=False),
    )


@bp.get("/01/<gtin14>")
@unknown_code_limit
def digital_link(gtin14: str):
    """GS1 Digital Link: a QR with the product's GTIN resolves to the same page."""
    code = code_for_gtin14(gtin14)
    if code is None:
        return render_template("verify/not_found.html", code=gtin14[:32], typed=""), 404
    return redirect(url_for("verify.verify_page", code=code))


@bp.get("/certificates")
# Like the verification page: a revoked certificate leaves the register at once, so
# any cache may keep the page but must ask again before each use (a 304 when unchanged).
@cacheable(revalidate=True)
def register():
    """The public register: every certificate valid today, filtered and paginated."""
    today = today_vn()
    f = certificate_register.PublicFilter.from_args(request.args, today)
    page = certificate_register.register_page(f, today)
    if f.page > page.pages:
        abort(404)
    return render_template(
        "verify/register.html",
        f=f,
        page=page,
        today=today,
        provinces=list_provinces(),
        former_provinces_of=former_provinces_of,
        wards=wards_of(f.province) if f.province else [],
        product_sets=current_product_sets(),
        years=range(today.year, certificate_register.FIRST_YEAR - 1, -1),
    )


@bp.get("/certificates.csv")
@cacheable(revalidate=True)
def register_csv():
    today = today_vn()
    f = certificate_register.PublicFilter.from_args(request.args, today)
    data = certificate_register.public_csv(certificate_register.all_entries(f, today))
    response = current_app.response_class(data, mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="chung-nhan-ocop-con-hieu-luc-{today.isoformat()}.csv"'
    )
    return response
