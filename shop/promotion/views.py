"""The trade-promotion staff console: producers, certificates, register, audit, campaigns."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from shop.audit.services import latest_entries
from shop.auth.decorators import staff_required
from shop.catalog.models import Product
from shop.catalog.services import current_product_sets
from shop.certification import register
from shop.certification import services as certification
from shop.certification.exceptions import InvalidLegalBasis, NeedsConfirmation
from shop.certification.exceptions import InvalidTransition as CertificateTransition
from shop.certification.forms import EndDateForm
from shop.certification.models import Certificate, ReviewState
from shop.certification.producer import send_scan
from shop.certification.rules import CertificateStatus
from shop.clock import today_vn
from shop.extensions import db
from shop.i18n import format_date_vn
from shop.labels import artwork as artworks
from shop.labels.forms import ArtworkForm
from shop.labels.models import LabelArtwork
from shop.labels.services import labels_printed
from shop.localities.former import former_provinces_of
from shop.localities.services import list_provinces
from shop.pagination import paginate
from shop.producers import services as producers
from shop.producers.exceptions import InvalidTransition as ProducerTransition
from shop.producers.forms import ReasonForm
from shop.producers.models import Producer, ProducerStatus
from shop.promotion import campaigns as campaign_services
from shop.promotion import notify
from shop.promotion.forms import CampaignForm, FeatureForm
from shop.promotion.models import Campaign
from shop.uploads import UploadRejected, check_image, send_upload, store_upload

bp = Blueprint("promotion", __name__, url_prefix="/staff")


def _get_or_404(model, object_id):
    obj = db.session.get(model, object_id)
    if obj is None:
        abort(404)
    return obj


def _status_arg(enum_cls, default):
    try:
        return enum_cls(request.args.get("status", default))
    except ValueError:
        abort(400)


@bp.get("/")
@staff_required
def dashboard():
    pending_producers = db.session.scalars(
        producers.producers_in_status(ProducerStatus.PENDING)
    ).all()
    pending_certificates = db.session.scalars(
        certification.certificates_in_review(ReviewState.PENDING)
    ).all()
    return render_template(
        "promotion/dashboard.html",
        pending_producers=pending_producers,
        pending_certificates=pending_certificates,
    )


@bp.get("/producers")
@staff_required
def producer_queue():
    status = _status_arg(ProducerStatus, ProducerStatus.PENDING.value)
    items = db.session.scalars(producers.producers_in_status(status)).all()
    return render_template(
        "promotion/producers.html", producers=items, status=status, statuses=list(ProducerStatus)
    )


@bp.get("/producers/<int:producer_id>")
@staff_required
def producer_detail(producer_id: int):
    producer = _get_or_404(Producer, producer_id)
    return render_template("promotion/producer_detail.html", producer=producer, form=ReasonForm())


@bp.post("/producers/<int:producer_id>/verify")
@staff_required
def verify_producer(producer_id: int):
    producer = _get_or_404(Producer, producer_id)
    form = ReasonForm()
    if not form.validate_on_submit() and "csrf_token" in form.errors:
        abort(400)
    try:
        producers.verify_producer(producer, current_user)
    except ProducerTransition:
        flash(_("Chủ thể này đã được xác minh."), "info")
        return redirect(url_for("promotion.producer_detail", producer_id=producer.id))
    notify.producer_reviewed(producer, approved=True)
    db.session.commit()
    flash(_("Đã xác minh chủ thể %(name)s.", name=producer.legal_name), "success")
    return redirect(url_for("promotion.producer_queue"))


@bp.post("/producers/<int:producer_id>/reject")
@staff_required
def reject_producer(producer_id: int):
    producer = _get_or_404(Producer, producer_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        return render_template("promotion/producer_detail.html", producer=producer, form=form), 400
    try:
        producers.reject_producer(producer, current_user, form.reason.data.strip())
    except ProducerTransition:
        flash(_("Chủ thể này đã bị từ chối."), "info")
        return redirect(url_for("promotion.producer_detail", producer_id=producer.id))
    notify.producer_reviewed(producer, approved=False, reason=producer.review_note)
    db.session.commit()
    flash(_("Đã từ chối hồ sơ chủ thể."), "success")
    return redirect(url_for("promotion.producer_queue"))


REGISTER_PAGE = 500  # certificates a page (the CSV holds them all)
AUDIT_PAGE = 500  # audit entries a page


@bp.get("/certificates")
@staff_required
def certificate_queue():
    """The register: every certificate, filtered; ``?status=pending`` is the queue."""
    today = today_vn()
    rf = register.RegisterFilter.from_args(request.args)
    pager = paginate(register.register_query(rf, today), REGISTER_PAGE)
    return render_template(
        "promotion/certificates.html",
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
    return render_template("promotion/expiry.html", rows=register.expiry_watch(today), today=today)


@bp.get("/audit")
@staff_required
def audit_log():
    if not current_user.is_admin:
        abort(403)
    pager = paginate(latest_entries(), AUDIT_PAGE)
    return render_template("promotion/audit.html", entries=pager.items, pages=pager)


def _staff_detail(certificate: Certificate, form=None, end_form=None, confirm_error=None):
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
        labels_printed=labels_printed(certificate.id),
    )


@bp.get("/certificates/<int:certificate_id>")
@staff_required
def certificate_detail(certificate_id: int):
    return _staff_detail(_get_or_404(Certificate, certificate_id))


@bp.post("/certificates/<int:certificate_id>/end-date")
@staff_required
def certificate_end_date(certificate_id: int):
    """The end date the certificate prints: it wins over the 36 months."""
    certificate = _get_or_404(Certificate, certificate_id)
    form = EndDateForm(decision_date=certificate.decision_date)
    if not form.validate_on_submit():
        return _staff_detail(certificate, end_form=form), 400
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
    return redirect(url_for("promotion.certificate_detail", certificate_id=certificate.id))


@bp.get("/certificates/<int:certificate_id>/scan")
@staff_required
def certificate_scan(certificate_id: int):
    return send_scan(_get_or_404(Certificate, certificate_id))


@bp.post("/certificates/<int:certificate_id>/verify")
@staff_required
def verify_certificate(certificate_id: int):
    certificate = _get_or_404(Certificate, certificate_id)
    form = ReasonForm()
    if not form.validate_on_submit() and "csrf_token" in form.errors:
        abort(400)
    if not certificate.product.producer.is_verified:
        flash(_("Hãy xác minh chủ thể trước khi xác minh chứng nhận."), "error")
        return redirect(url_for("promotion.certificate_detail", certificate_id=certificate.id))
    try:
        certification.verify_certificate(
            certificate,
            current_user,
            today_vn(),
            confirmed=request.form.get("confirm_transition") == "y",
        )
    except CertificateTransition:
        flash(_("Chứng nhận này không còn chờ xác minh."), "info")
        return redirect(url_for("promotion.certificate_detail", certificate_id=certificate.id))
    except NeedsConfirmation:
        error = _("Hãy đối chiếu với quyết định và đánh dấu xác nhận trước khi xác minh.")
        return _staff_detail(certificate, confirm_error=error), 400
    except InvalidLegalBasis:
        # The reasons are on the page: the certificate can only be rejected.
        return _staff_detail(certificate), 400
    notify.certificate_reviewed(certificate, "verified")
    db.session.commit()
    flash(_("Đã xác minh chứng nhận %(number)s.", number=certificate.decision_number), "success")
    return redirect(url_for("promotion.certificate_queue"))


def _reason_action(
    certificate_id: int, action, done_message: str, wrong_state_message: str, outcome: str
):
    certificate = _get_or_404(Certificate, certificate_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        return _staff_detail(certificate, form=form), 400
    reason = form.reason.data.strip()
    try:
        action(certificate, current_user, reason)
    except CertificateTransition:
        flash(wrong_state_message, "info")
        return redirect(url_for("promotion.certificate_detail", certificate_id=certificate.id))
    notify.certificate_reviewed(certificate, outcome, reason)
    db.session.commit()
    flash(done_message, "success")
    return redirect(url_for("promotion.certificate_detail", certificate_id=certificate.id))


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


@bp.route("/artwork", methods=["GET", "POST"])
@staff_required
def artwork():
    form = ArtworkForm()
    if form.validate_on_submit():
        upload = form.artwork.data
        if not upload or not getattr(upload, "filename", ""):
            form.artwork.errors.append(_("Hãy chọn tệp biểu trưng."))
        else:
            try:
                png = artworks.check_artwork(upload, current_app.config["LOGO_MAX_BYTES"])
            except UploadRejected as exc:
                form.artwork.errors.append(str(exc))
            else:
                artworks.upload_artwork(png, form.province_code.data, current_user, upload.filename)
                db.session.commit()
                flash(_("Đã tải lên biểu trưng; nhãn mới sẽ dùng biểu trưng này."), "success")
                return redirect(url_for("promotion.artwork"))
    items = db.session.scalars(artworks.active_artworks()).all()
    status = 400 if form.errors else 200
    return render_template("promotion/artwork.html", form=form, artworks=items), status


@bp.post("/artwork/<int:artwork_id>/retire")
@staff_required
def retire_artwork(artwork_id: int):
    artworks.retire_artwork(_get_or_404(LabelArtwork, artwork_id), current_user)
    db.session.commit()
    flash(_("Đã ngừng dùng biểu trưng; nhãn quay về biểu trưng của sàn."), "success")
    return redirect(url_for("promotion.artwork"))


@bp.get("/artwork/<int:artwork_id>.png")
@staff_required
def artwork_image(artwork_id: int):
    item = _get_or_404(LabelArtwork, artwork_id)
    return send_upload(item.path, "image/png", max_age=3600)


@bp.route("/campaigns", methods=["GET", "POST"])
@staff_required
def campaigns():
    form = CampaignForm()
    if form.validate_on_submit():
        banner = None
        upload = form.banner.data
        if upload and getattr(upload, "filename", ""):
            try:
                banner = check_image(upload, current_app.config["PHOTO_MAX_BYTES"], 1600)
            except UploadRejected as exc:
                form.banner.errors = [*form.banner.errors, str(exc)]
        if not form.banner.errors:
            stored = store_upload(banner, "photos", "image/webp").path if banner else None
            campaign = campaign_services.create_campaign(
                current_user,
                title=form.title.data.strip(),
                description=(form.description.data or "").strip(),
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
                banner_path=stored,
            )
            db.session.commit()
            flash(_("Đã tạo chiến dịch. Thêm sản phẩm vào chiến dịch."), "success")
            return redirect(url_for("promotion.campaign_detail", campaign_id=campaign.id))
    items = db.session.scalars(select(Campaign).order_by(Campaign.starts_on.desc())).all()
    status = 400 if form.errors else 200
    return render_template(
        "promotion/campaigns.html", form=form, campaigns=items, today=today_vn()
    ), status


@bp.route("/campaigns/<int:campaign_id>", methods=["GET", "POST"])
@staff_required
def campaign_detail(campaign_id: int):
    campaign = _get_or_404(Campaign, campaign_id)
    form = FeatureForm()
    today = today_vn()
    if form.validate_on_submit():
        product = db.session.scalar(select(Product).where(Product.slug == form.slug()))
        if product is None:
            form.product.errors.append(_("Không có sản phẩm với đường dẫn này."))
        else:
            try:
                item = campaign_services.feature_product(campaign, product, current_user, today)
            except campaign_services.AdvertisingBanned:
                form.product.errors.append(
                    _(
                        "Không quảng cáo rượu từ 15 độ trở lên (Luật Phòng, chống tác hại của "
                        "rượu, bia 44/2019): sản phẩm vẫn được bán trong danh mục, nhưng không "
                        "được đưa vào chiến dịch."
                    )
                )
            except campaign_services.NotFeaturable:
                form.product.errors.append(
                    _("Chỉ thêm được sản phẩm đang bán, có chứng nhận OCOP còn hiệu lực.")
                )
            else:
                db.session.commit()
                if item is None:
                    flash(_("%(name)s đã có trong chiến dịch.", name=product.name), "info")
                else:
                    flash(_("Đã thêm %(name)s vào chiến dịch.", name=product.name), "success")
                return redirect(url_for("promotion.campaign_detail", campaign_id=campaign.id))
    products = {
        p.id: p
        for p in db.session.scalars(
            select(Product).where(Product.id.in_([i.product_id for i in campaign.items]))
        )
    }
    shown = {c.id for c in campaign_services.campaign_cards(campaign, today)}
    status = 400 if form.errors else 200
    return render_template(
        "promotion/campaign_detail.html",
        campaign=campaign,
        form=form,
        products=products,
        shown=shown,
        today=today,
    ), status


@bp.post("/campaigns/<int:campaign_id>/items/<int:product_id>/remove")
@staff_required
def campaign_remove(campaign_id: int, product_id: int):
    campaign = _get_or_404(Campaign, campaign_id)
    campaign_services.unfeature_product(campaign, product_id, current_user)
    db.session.commit()
    flash(_("Đã bỏ sản phẩm khỏi chiến dịch."), "success")
    return redirect(url_for("promotion.campaign_detail", campaign_id=campaign.id))
