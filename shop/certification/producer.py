"""Routes for producers: their home page (products and certificates), and submitting
and reading their certificates."""

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from shop.catalog.models import Product
from shop.catalog.services import products_of
from shop.certification import services
from shop.certification.forms import CertificateForm
from shop.certification.models import Certificate
from shop.clock import today_vn
from shop.extensions import db
from shop.producers.access import own_or_404, producer_required
from shop.uploads import UploadRejected, check_scan, send_upload, store_upload

bp = Blueprint("certification", __name__)


@bp.get("/producer/")
@producer_required
def producer_dashboard():
    """The producer's home: its products and certificates, and the re-ratings due."""
    products = db.session.scalars(products_of(g.producer)).all()
    certificates = db.session.scalars(services.certificates_of(g.producer)).all()
    today = today_vn()
    return render_template(
        "producers/dashboard.html",
        producer=g.producer,
        products=products,
        certificates=certificates,
        # Valid certificates within 90 days of their last day: apply for re-rating.
        rerating=sorted(
            (c for c in certificates if c.rerating_warning(today)), key=lambda c: c.valid_through
        ),
        today=today,
    )


@bp.get("/producer/certificates")
@producer_required
def producer_certificates():
    certificates = db.session.scalars(services.certificates_of(g.producer)).all()
    return render_template(
        "certification/producer_list.html", certificates=certificates, today=today_vn()
    )


@bp.route("/producer/certificates/new", methods=["GET", "POST"])
@producer_required
def new_certificate():
    products = db.session.scalars(products_of(g.producer)).all()
    form = CertificateForm(products=products)
    if form.is_submitted():
        valid = form.validate()
        scan = None
        if form.scan.data and getattr(form.scan.data, "filename", ""):
            try:
                scan = check_scan(form.scan.data, current_app.config["SCAN_MAX_BYTES"])
            except UploadRejected as exc:
                form.scan.errors = [*form.scan.errors, str(exc)]
        if valid and not form.scan.errors:
            product = own_or_404(Product, form.product_id.data)
            stored = store_upload(scan[0], "scans", scan[1]) if scan else None
            services.submit_certificate(
                g.producer,
                product,
                current_user,
                form.certificate_data(),
                scan_path=stored.path if stored else None,
                scan_content_type=stored.content_type if stored else None,
            )
            db.session.commit()
            flash(_("Đã gửi chứng nhận. Cán bộ sẽ đối chiếu với quyết định."), "success")
            return redirect(url_for("certification.producer_certificates"))
    status = 400 if form.errors else 200
    return render_template("certification/new.html", form=form, has_products=bool(products)), status


@bp.get("/producer/certificates/<int:certificate_id>")
@producer_required
def producer_certificate(certificate_id: int):
    certificate = own_or_404(Certificate, certificate_id)
    return render_template(
        "certification/detail.html", certificate=certificate, today=today_vn(), staff=False
    )


@bp.get("/producer/certificates/<int:certificate_id>/scan")
@producer_required
def producer_certificate_scan(certificate_id: int):
    certificate = own_or_404(Certificate, certificate_id)
    return send_scan(certificate)


def send_scan(certificate: Certificate):
    """Scans are private (owner and staff) and always downloaded, never rendered inline."""
    suffix = ".pdf" if certificate.scan_content_type == "application/pdf" else ".webp"
    response = send_upload(
        certificate.scan_path,
        certificate.scan_content_type or "application/octet-stream",
        as_attachment=True,
        download_name=f"quyet-dinh-{certificate.id}{suffix}",
    )
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["Cache-Control"] = "private, no-store"
    return response
