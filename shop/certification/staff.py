"""Staff: the certificate register and its queue, one certificate's review, the expiry watch.

Verifying shows the decision scan on the page (an image as is, a PDF's first page
drawn as a PNG: the page's CSP allows no frames or objects) and asks staff to tick
that they compared the data with the decision. A certificate without a scan may
still be verified, since staff can compare it with the issuer's published decision
or the paper original, but only after a second, explicit confirmation that is
recorded in the audit log: the stars the storefront shows rest on that check.
"""

import io

import pypdfium2
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop.audit import services as audit
from shop.auth.decorators import staff_required
from shop.catalog.services import current_product_sets
from shop.certification import emails, register
from shop.certification import services as certification
from shop.certification.exceptions import InvalidLegalBasis, InvalidTransition, NeedsConfirmation
from shop.certification.forms import EndDateForm
from shop.certification.models import Certificate
from shop.certification.producer import send_scan
from shop.certification.rules import CertificateStatus
from shop.clock import today_vn
from shop.extensions import db
from shop.i18n import format_date_vn
from shop.localities.former import former_provinces_of
from shop.localities.services import list_provinces
from shop.pagination import paginate
from shop.producers.forms import ReasonForm
from shop.storage import MissingFile, storage

bp = Blueprint("certification_staff", __name__, url_prefix="/staff")

REGISTER_PAGE = 500  # certificates a page (the CSV holds them all)


@bp.get("/certificates")
@staff_required
def certificate_queue():
    """The register: every certificate, filtered; ``?status=pending`` is the queue."""
    today = today_vn()
    rf = register.RegisterFilter.from_args(request.args)
    pager = paginate(register.register_query(rf, today), REGISTER_PAGE)
    return render_template(
        "certification/staff_register.html",
        certificates=pager.items,
        pages=pager,
        rf=rf,
        statuses=list(CertificateStatus),
        provinces=list_provinces(),
        former_provinces_of=former_provinces_of,
        product_sets=current_product_sets(),
        today=today,
    )


@bp.get("/certificates.csv")
@staff_required
def certificates_csv():
    today = today_vn()
    rf = register.RegisterFilter.from_args(request.args)
    items = db.session.scalars(register.register_query(rf, today)).all()
    response = current_app.response_class(register.register_csv(items, today), mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="so-chung-nhan-ocop-{today.isoformat()}.csv"'
    )
    return response


@bp.get("/expiry")
@staff_required
def expiry():
    today = today_vn()
    return render_template(
        "certification/staff_expiry.html", rows=register.expiry_watch(today), today=today
    )


def _detail(
    certificate: Certificate,
    form=None,
    end_form=None,
    confirm_error=None,
    checked_error=None,
    no_scan_error=None,
):
    return render_template(
        "certification/detail.html",
        certificate=certificate,
        today=today_vn(),
        staff=True,
        form=form or ReasonForm(),
        end_form=end_form
        or EndDateForm(
            data={"printed_valid_through": certificate.printed_valid_through},
            decision_date=certificate.decision_date,
        ),
        basis=certification.basis_check(certificate),
        confirm_error=confirm_error,
        checked_error=checked_error,
        no_scan_error=no_scan_error,
        scan_is_pdf=certificate.scan_content_type == "application/pdf",
    )


def _to_detail(certificate: Certificate):
    return redirect(url_for(".certificate_detail", certificate_id=certificate.id))


@bp.get("/certificates/<int:certificate_id>")
@staff_required
def certificate_detail(certificate_id: int):
    return _detail(db.get_or_404(Certificate, certificate_id))


@bp.post("/certificates/<int:certificate_id>/end-date")
@staff_required
def certificate_end_date(certificate_id: int):
    """The end date the certificate prints: it wins over the 36 months."""
    certificate = db.get_or_404(Certificate, certificate_id)
    form = EndDateForm(decision_date=certificate.decision_date)
    if not form.validate_on_submit():
        return _detail(certificate, end_form=form), 400
    certification.record_printed_end_date(
        certificate, current_user, form.printed_valid_through.data
    )
    db.session.commit()
    flash(
        _(
            "Chứng nhận có hiệu lực đến hết ngày %(day)s.",
            day=format_date_vn(certificate.valid_through),
        ),
        "success",
    )
    return _to_detail(certificate)


@bp.get("/certificates/<int:certificate_id>/scan")
@staff_required
def certificate_scan(certificate_id: int):
    return send_scan(db.get_or_404(Certificate, certificate_id))


PREVIEW_WIDTH = 1100  # pixels of a PDF page's preview
PREVIEW_MAX_SIDE = 2200  # a long or odd-sized page is drawn smaller, never bigger


def pdf_first_page_png(data: bytes) -> tuple[bytes, int]:
    """The first page of a PDF as a PNG, and the number of pages. Raises ValueError
    when pdfium cannot read the file."""
    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        raise ValueError("unreadable PDF") from exc
    try:
        pages = len(document)
        if not pages:
            raise ValueError("empty PDF")
        page = document[0]
        width, height = page.get_width(), page.get_height()
        scale = min(PREVIEW_WIDTH / width, PREVIEW_MAX_SIDE / max(width, height), 4)
        image = page.render(scale=scale).to_pil()
    finally:
        document.close()
    out = io.BytesIO()
    image.convert("RGB").save(out, format="PNG", optimize=True)
    return out.getvalue(), pages


@bp.get("/certificates/<int:certificate_id>/scan/preview")
@staff_required
def certificate_scan_image(certificate_id: int):
    """The scan to look at on the page: an image inline, a PDF's first page as PNG."""
    certificate = db.get_or_404(Certificate, certificate_id)
    if not certificate.scan_path:
        abort(404)
    try:
        data = storage().read(certificate.scan_path)
    except MissingFile:
        abort(404)
    if certificate.scan_content_type == "application/pdf":
        try:
            data, _pages = pdf_first_page_png(data)
        except ValueError:
            abort(404)
        mimetype = "image/png"
    else:
        mimetype = certificate.scan_content_type or "image/webp"
    response = current_app.response_class(data, mimetype=mimetype)
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["Cache-Control"] = "private, max-age=600"
    return response


@bp.post("/certificates/<int:certificate_id>/verify")
@staff_required
def verify_certificate(certificate_id: int):
    certificate = db.get_or_404(Certificate, certificate_id)
    form = ReasonForm()
    if not form.validate_on_submit() and "csrf_token" in form.errors:
        abort(400)
    if not certificate.product.producer.is_verified:
        flash(_("Hãy xác minh chủ thể trước khi xác minh chứng nhận."), "error")
        return _to_detail(certificate)
    if request.form.get("checked_decision") != "y":
        error = _("Hãy đánh dấu “Tôi đã đối chiếu quyết định” trước khi xác minh.")
        return _detail(certificate, checked_error=error), 400
    without_scan = not certificate.scan_path
    if without_scan and request.form.get("no_scan_confirmed") != "y":
        error = _(
            "Chứng nhận này không có bản scan quyết định: hãy xác nhận lần nữa rằng đã "
            "đối chiếu với bản gốc hoặc văn bản công bố của cơ quan ban hành."
        )
        return _detail(certificate, no_scan_error=error), 400
    try:
        certification.verify_certificate(
            certificate,
            current_user,
            today_vn(),
            confirmed=request.form.get("confirm_transition") == "y",
        )
    except InvalidTransition:
        flash(_("Chứng nhận này không còn chờ xác minh."), "info")
        return _to_detail(certificate)
    except NeedsConfirmation:
        error = _("Hãy đối chiếu với quyết định và đánh dấu xác nhận trước khi xác minh.")
        return _detail(certificate, confirm_error=error), 400
    except InvalidLegalBasis:
        # The reasons are on the page: the certificate can only be rejected.
        return _detail(certificate), 400
    if without_scan:
        audit.record(current_user, "certificate.verify_without_scan", certificate)
    emails.certificate_reviewed(certificate, "verified")
    db.session.commit()
    flash(_("Đã xác minh chứng nhận %(number)s.", number=certificate.decision_number), "success")
    return redirect(url_for(".certificate_queue"))


def _reason_action(
    certificate_id: int, action, done_message: str, wrong_state_message: str, outcome: str
):
    certificate = db.get_or_404(Certificate, certificate_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        return _detail(certificate, form=form), 400
    reason = form.reason.data.strip()
    try:
        action(certificate, current_user, reason)
    except InvalidTransition:
        flash(wrong_state_message, "info")
        return _to_detail(certificate)
    emails.certificate_reviewed(certificate, outcome, reason)
    db.session.commit()
    flash(done_message, "success")
    return _to_detail(certificate)


@bp.post("/certificates/<int:certificate_id>/reject")
@staff_required
def reject_certificate(certificate_id: int):
    return _reason_action(
        certificate_id,
        certification.reject_certificate,
        _("Đã từ chối chứng nhận."),
        _("Chứng nhận này không còn chờ xác minh."),
        "rejected",
    )


@bp.post("/certificates/<int:certificate_id>/revoke")
@staff_required
def revoke_certificate(certificate_id: int):
    return _reason_action(
        certificate_id,
        certification.revoke_certificate,
        _("Đã thu hồi chứng nhận."),
        _("Chỉ thu hồi được chứng nhận đã xác minh và chưa bị thu hồi."),
        "revoked",
    )
