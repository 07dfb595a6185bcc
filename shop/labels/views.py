import io

from flask import (
    Blueprint,
    Response,
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

from shop.clock import today_vn
from shop.core.errors import render_error
from shop.extensions import db
from shop.i18n import url_for_language
from shop.labels import render
from shop.labels.forms import PrintOffsetForm, SheetForm
from shop.labels.layout import SHEETS
from shop.labels.services import (
    NoSuchLabel,
    NotPrintable,
    download_name,
    label_content,
    print_offset,
    printable_certificate,
    printable_certificates,
    record_print,
    set_print_offset,
    short_verify_url,
)
from shop.producers.access import producer_required
from shop.producers.services import producer_of

bp = Blueprint("labels", __name__, url_prefix="/labels")

MAX_LABELS = 10_000
MAX_CODES = 20
MEDIA = {"svg": "image/svg+xml", "png": "image/png", "pdf": "application/pdf"}


def _verify_url(code: str) -> str:
    # The Vietnamese page, whatever language the producer works in: it is printed.
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url_for_language(
        current_app.config["BABEL_DEFAULT_LOCALE"], "verify.verify_page", code=code
    )


def _short_url() -> str:
    config = current_app.config
    return short_verify_url(config.get("VERIFY_SHORT_URL", ""), config["PUBLIC_BASE_URL"])


def _content(certificate):
    return label_content(certificate, _verify_url(certificate.verification_code), _short_url())


@bp.errorhandler(NoSuchLabel)
def _no_such_label(exc: NoSuchLabel):
    # An unknown code and another producer's code look the same: 404.
    return render_error(404)


@bp.errorhandler(NotPrintable)
def _refused(exc: NotPrintable):
    words = {
        "pending": _("chứng nhận đang chờ xác minh"),
        "rejected": _("chứng nhận đã bị từ chối"),
        "expired": _("chứng nhận đã hết hiệu lực"),
        "revoked": _("chứng nhận đã bị thu hồi"),
        "superseded": _("chứng nhận đã được thay bằng chứng nhận đánh giá lại"),
    }
    message = _("Không tạo nhãn OCOP: %(why)s.", why=words.get(exc.status.value, exc.status))
    return render_template("errors/error.html", code=409, message=message), 409


@bp.get("/<code>.<any(svg, png, pdf):fmt>")
@login_required
def single(code: str, fmt: str):
    certificate = printable_certificate(code, current_user, today_vn())
    content = _content(certificate)
    if fmt == "svg":
        body = render.label_svg(content).encode()
    elif fmt == "pdf":
        body = render.label_pdf(content)
    else:
        body = render.label_png(content, dpi=300)
    record_print(certificate, current_user, fmt, 1)
    db.session.commit()
    response = Response(body, mimetype=MEDIA[fmt])
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{download_name(content, fmt)}"'
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name, str(default))
    if not raw.isdigit() or not low <= int(raw) <= high:
        abort(400, description=name)
    return int(raw)


@bp.get("/sheet.pdf")
@login_required
def sheet():
    layout = SHEETS.get(request.args.get("layout", "3x8"))
    if layout is None:
        abort(400)
    codes = list(dict.fromkeys(c.strip().upper() for c in request.args.getlist("code") if c))
    if not codes or len(codes) > MAX_CODES:
        abort(400)
    quantity = _int_arg("quantity", layout.per_sheet, 1, MAX_LABELS)
    start = _int_arg("start", 1, 1, layout.per_sheet)
    if quantity * len(codes) > MAX_LABELS:
        abort(400)
    certificates = [printable_certificate(code, current_user, today_vn()) for code in codes]
    contents = [_content(c) for c in certificates]
    out = io.BytesIO()
    offset = print_offset(producer_of(current_user))  # the printer of who prints
    render.sheet_pdf(contents, layout, quantity, start, out=out, offset=offset)
    for certificate in certificates:
        record_print(certificate, current_user, "sheet", quantity, layout.name)
    db.session.commit()
    response = Response(out.getvalue(), mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="nhan-ocop-{layout.name}-{len(contents)}x{quantity}.pdf"'
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/<code>/badge.<any(svg, png):fmt>")
@login_required
def badge(code: str, fmt: str):
    """The star badge alone (our emblem), for packaging designers."""
    certificate = printable_certificate(code, current_user, today_vn())
    year = certificate.decision_date.year
    if fmt == "svg":
        body = render.badge_svg(certificate.star_rank, year).encode()
    else:
        body = render.badge_png(certificate.star_rank, year)
    response = Response(body, mimetype=MEDIA[fmt])
    response.headers["Content-Disposition"] = (
        f'attachment; filename="ocop-{certificate.star_rank}-sao-{year}.{fmt}"'
    )
    return response


@bp.get("/")
@producer_required
def page():
    """The producer's label page: a sheet of labels (layout, quantity, the first free
    position of a partly used sheet) and the printer's offset."""
    certificates = printable_certificates(g.producer, today_vn())
    form = SheetForm(
        request.args,
        certificates=certificates,
        layouts=SHEETS,
        max_labels=MAX_LABELS,
    )
    status = 200
    if request.args:
        if form.validate():
            return redirect(
                url_for(
                    "labels.sheet",
                    code=form.code.data,
                    layout=form.layout.data,
                    quantity=form.quantity.data,
                    start=form.start.data,
                )
            )
        status = 400
    elif certificates:
        form.code.data = [certificates[0].verification_code]
        form.quantity.data = SHEETS["3x8"].per_sheet
    offset_form = PrintOffsetForm(
        data={
            "offset_x": g.producer.label_offset_x / 10,
            "offset_y": g.producer.label_offset_y / 10,
        }
    )
    return render_template(
        "labels/page.html",
        form=form,
        offset_form=offset_form,
        certificates=certificates,
        sheets=SHEETS,
    ), status


@bp.post("/offset")
@producer_required
def offset():
    form = PrintOffsetForm()
    if form.validate():
        set_print_offset(g.producer, form.offset_x.data, form.offset_y.data)
        db.session.commit()
        flash(_("Đã lưu độ lệch máy in. In lại trang căn chỉnh để kiểm tra."), "success")
        return redirect(url_for("labels.page"))
    certificates = printable_certificates(g.producer, today_vn())
    sheet_form = SheetForm(certificates=certificates, layouts=SHEETS, max_labels=MAX_LABELS)
    return render_template(
        "labels/page.html",
        form=sheet_form,
        offset_form=form,
        certificates=certificates,
        sheets=SHEETS,
    ), 400


@bp.get("/calibration.pdf")
@producer_required
def calibration():
    response = Response(
        render.calibration_pdf(print_offset(g.producer)), mimetype="application/pdf"
    )
    response.headers["Content-Disposition"] = (
        'attachment; filename="can-chinh-may-in-nhan-ocop.pdf"'
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
