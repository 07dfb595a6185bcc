"""Producers: apply for a first rating or a re-rating, self-assess on the product
set's score sheet, upload the dossier, save a draft, submit, follow the stages.

Members of a producer prepare drafts; only an owner submits (it is the producer's
application to the authorities). Another producer's application is a 404."""

from flask import (
    Blueprint,
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
from flask_login import current_user

from shop.catalog.models import Product
from shop.catalog.services import products_of
from shop.clock import today_vn
from shop.extensions import db
from shop.pagination import paginate
from shop.producers.access import own_or_404, producer_required
from shop.producers.services import membership_of
from shop.rating import queries, services
from shop.rating.exceptions import (
    AlreadyOpen,
    IncompleteApplication,
    NotDraft,
    ScoreOutOfRange,
    SheetNotReady,
)
from shop.rating.forms import DocumentForm, NewApplicationForm, score_form
from shop.rating.models import DocumentKind, RatingApplication, RatingDocument
from shop.rating.rules import BANDS
from shop.uploads import UploadRejected, check_scan, delete_upload, send_upload, store_upload

bp = Blueprint("rating_producer", __name__, url_prefix="/producer/rating")

PAGE = 50
MAX_DOCUMENTS = 30  # files in one dossier


def _is_owner() -> bool:
    member = membership_of(current_user)
    return member is not None and member.is_owner


@bp.get("/")
@producer_required
def index():
    today = today_vn()
    pager = paginate(queries.applications_of(g.producer), PAGE)
    return render_template(
        "rating/producer_index.html",
        applications=pager.items,
        pages=pager,
        due=queries.due_reratings(g.producer, today),
        today=today,
    )


@bp.route("/new", methods=["GET", "POST"])
@producer_required
def new_application():
    products = db.session.scalars(products_of(g.producer)).all()
    chosen = next((p for p in products if str(p.id) == request.args.get("product", "")), None)
    form = NewApplicationForm(
        products=products,
        data={"product_id": chosen.id, "product_set_id": chosen.product_set_id} if chosen else None,
    )
    if form.validate_on_submit():
        product = own_or_404(Product, form.product_id.data)
        try:
            application = services.start_application(
                g.producer,
                product,
                current_user._get_current_object(),
                today_vn(),
                product_set_id=form.product_set_id.data,
            )
        except AlreadyOpen as exc:
            db.session.rollback()
            flash(_("Sản phẩm này đã có hồ sơ đang làm: mở hồ sơ đó."), "info")
            return redirect(url_for(".application", application_id=exc.application_id))
        except SheetNotReady:
            db.session.rollback()
            form.product_set_id.errors.append(
                _("Chưa có bộ tiêu chí sẵn sàng cho bộ sản phẩm này. Hãy liên hệ cán bộ.")
            )
        else:
            db.session.commit()
            if application.previous_id:
                flash(_("Đã tạo hồ sơ, chép điểm tự đánh giá và tài liệu từ lần trước."), "success")
            else:
                flash(_("Đã tạo hồ sơ nháp."), "success")
            return redirect(url_for(".application", application_id=application.id))
    status = 400 if form.errors else 200
    return render_template(
        "rating/producer_new.html", form=form, has_products=bool(products)
    ), status


def _own(application_id: int) -> RatingApplication:
    return own_or_404(RatingApplication, application_id)


def _page(application: RatingApplication, form=None, document_form=None, submit_errors=None):
    self_scoring = application.self_assessment
    form = form or score_form(
        application.sheet,
        required=False,
        comments_label=_("Ghi chú cho hội đồng"),
        data=self_scoring.points() if self_scoring else {},
    )
    if form.comments.data is None:
        form.comments.data = application.notes
    decided_scoring = services.latest_scoring(application)
    return render_template(
        "rating/producer_application.html",
        application=application,
        form=form,
        document_form=document_form or DocumentForm(),
        outcome=services.self_outcome(application),
        missing_documents=services.missing_documents(application),
        submit_errors=submit_errors or [],
        is_owner=_is_owner(),
        council=decided_scoring if application.status.is_decided else None,
        council_outcome=services.outcome_of(decided_scoring)
        if decided_scoring and application.status.is_decided
        else None,
        document_kinds=list(DocumentKind),
        bands=BANDS,
    )


@bp.route("/<int:application_id>", methods=["GET", "POST"])
@producer_required
def application(application_id: int):
    application = _own(application_id)
    if request.method == "GET":
        return _page(application)
    if not application.status.is_draft:
        flash(_("Hồ sơ đã gửi, không sửa được nữa."), "info")
        return redirect(url_for(".application", application_id=application.id))
    form = score_form(application.sheet, required=False, comments_label=_("Ghi chú cho hội đồng"))
    if not form.validate_on_submit():
        return _page(application, form=form), 400
    try:
        services.save_self_assessment(
            application,
            current_user._get_current_object(),
            form.points(application.sheet),
            form.comments.data or "",
        )
    except ScoreOutOfRange:  # the form checks the range; a sheet changed meanwhile
        db.session.rollback()
        return _page(application, form=form), 400
    db.session.commit()
    flash(_("Đã lưu bản nháp."), "success")
    return redirect(url_for(".application", application_id=application.id))


@bp.post("/<int:application_id>/documents")
@producer_required
def upload_document(application_id: int):
    application = _own(application_id)
    if not application.status.is_draft:
        abort(409)
    form = DocumentForm()
    valid = form.validate_on_submit()
    upload = form.file.data
    if not upload or not getattr(upload, "filename", ""):
        form.file.errors = [*form.file.errors, _("Vui lòng chọn tệp.")]
        valid = False
    if len(application.documents) >= MAX_DOCUMENTS:
        form.file.errors = [
            *form.file.errors,
            _("Hồ sơ đã có %(n)s tệp, tối đa cho phép.", n=MAX_DOCUMENTS),
        ]
        valid = False
    checked = None
    if valid:
        try:
            checked = check_scan(upload, current_app.config["SCAN_MAX_BYTES"])
        except UploadRejected as exc:
            form.file.errors = [*form.file.errors, str(exc)]
        else:
            if form.kind.data is DocumentKind.PHOTO and checked[1] == "application/pdf":
                message = _("Ảnh sản phẩm phải là ảnh JPEG, PNG hoặc WebP.")
                form.file.errors = [*form.file.errors, message]
                checked = None
    if checked is None:
        return _page(application, document_form=form), 400
    data, content_type = checked
    stored = store_upload(data, "rating", content_type)
    services.add_document(
        application,
        current_user._get_current_object(),
        form.kind.data,
        stored,
        upload.filename,
        len(data),
    )
    db.session.commit()
    flash(_("Đã tải lên: %(name)s.", name=upload.filename), "success")
    return redirect(url_for(".application", application_id=application.id) + "#dossier")


def _own_document(application: RatingApplication, document_id: int) -> RatingDocument:
    document = db.session.get(RatingDocument, document_id)
    if document is None or document.application_id != application.id:
        abort(404)
    return document


@bp.post("/<int:application_id>/documents/<int:document_id>/delete")
@producer_required
def delete_document(application_id: int, document_id: int):
    application = _own(application_id)
    document = _own_document(application, document_id)
    try:
        unused = services.remove_document(application, document)
    except NotDraft:
        abort(409)
    db.session.commit()
    delete_upload(unused)  # after the commit, and only when no application uses it
    flash(_("Đã xoá tệp khỏi hồ sơ."), "success")
    return redirect(url_for(".application", application_id=application.id) + "#dossier")


@bp.get("/<int:application_id>/documents/<int:document_id>")
@producer_required
def document(application_id: int, document_id: int):
    return send_document(_own_document(_own(application_id), document_id))


def send_document(document: RatingDocument):
    """Dossier files are private (the producer and staff) and always downloaded."""
    suffix = ".pdf" if document.is_pdf else ".webp"
    response = send_upload(
        document.path,
        document.content_type,
        as_attachment=True,
        download_name=f"{document.kind.value}-{document.id}{suffix}",
    )
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/<int:application_id>/submit")
@producer_required
def submit(application_id: int):
    application = _own(application_id)
    if not _is_owner():
        abort(403)
    try:
        services.submit_application(application, current_user._get_current_object(), today_vn())
    except NotDraft:
        flash(_("Hồ sơ này đã được gửi."), "info")
        return redirect(url_for(".application", application_id=application.id))
    except IncompleteApplication as exc:
        db.session.rollback()
        errors = []
        if exc.missing_scores:
            errors.append(
                _(
                    "Chưa tự chấm điểm các tiêu chí: %(codes)s.",
                    codes=", ".join(exc.missing_scores),
                )
            )
        for kind in exc.missing_documents:
            errors.append(_("Thiếu tài liệu: %(kind)s.", kind=kind.label))
        return _page(application, submit_errors=errors), 400
    db.session.commit()
    flash(_("Đã gửi hồ sơ. Cán bộ sẽ tiếp nhận và báo cho bạn ở mỗi bước."), "success")
    return redirect(url_for(".application", application_id=application.id))
