"""Staff: the rating council's secretary. The queue of applications by stage, one
application (dossier, self-assessment, each council's scores with the total and its
band, the moves the year's plan allows, the decision), the pipeline of certificates
expiring in a year, the score sheets and the plan of stages.

GET  /staff/rating/                              applications by stage
GET  /staff/rating/applications/<id>             one application
POST /staff/rating/applications/<id>/move        to another stage of the plan
POST /staff/rating/applications/<id>/scores      the current stage's council scores
POST /staff/rating/applications/<id>/decide      certificate (3★+) or not certified
GET  /staff/rating/pipeline?year=                expiring certificates by ward and set
GET  /staff/rating/sheets, /sheets/<id>          score sheets, add and edit criteria
GET  /staff/rating/plan?year=                    the year's stages and moves
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from shop.auth.decorators import staff_required
from shop.catalog.models import ProductSet
from shop.certification.exceptions import InvalidLegalBasis, NeedsConfirmation
from shop.certification.models import IssuerLevel
from shop.clock import today_vn
from shop.extensions import db
from shop.pagination import paginate
from shop.rating import emails, queries, services
from shop.rating.exceptions import (
    IllegalMove,
    IncompleteApplication,
    NoScores,
    ScoreOutOfRange,
    SheetInUse,
)
from shop.rating.forms import (
    CopySheetForm,
    CriterionForm,
    DecisionForm,
    MoveForm,
    StageForm,
    score_form,
)
from shop.rating.models import (
    ApplicationStatus,
    RatingApplication,
    RatingCriterion,
    RatingDocument,
    RatingPlan,
    RatingSheet,
    RatingStage,
)
from shop.rating.producer import send_document
from shop.rating.rules import BANDS, recognised_stars

bp = Blueprint("rating_staff", __name__, url_prefix="/staff/rating")

PAGE = 200


def _me():
    return current_user._get_current_object()


@bp.get("/")
@staff_required
def index():
    status = request.args.get("status") or None
    try:
        wanted = ApplicationStatus(status) if status else None
    except ValueError:
        abort(404)
    stage_code = request.args.get("stage") or None
    pager = paginate(queries.staff_applications(wanted, stage_code), PAGE)
    plan = services.plan_for(today_vn().year)
    counts = dict(
        db.session.execute(
            select(RatingApplication.stage_id, func.count())
            .where(RatingApplication.status == ApplicationStatus.IN_REVIEW)
            .group_by(RatingApplication.stage_id)
        ).all()
    )
    db.session.commit()  # the year's plan, made on first use
    return render_template(
        "rating/staff_index.html",
        applications=pager.items,
        pages=pager,
        plan=plan,
        counts=counts,
        statuses=list(ApplicationStatus)[1:],
        status=wanted,
        stage_code=stage_code,
    )


def _application(application_id: int) -> RatingApplication:
    application = queries.application_for_staff(application_id)
    if application is None:  # drafts are the producer's own until submitted
        abort(404)
    return application


def _detail(application: RatingApplication, score=None, move=None, decide=None, status=200):
    stage = application.stage
    scoring = application.scoring_at(stage)
    if score is None and stage is not None and stage.records_scores:
        # The council starts from its own saved scores, else the previous council's,
        # else the producer's self-assessment (the page says which).
        start = scoring or services.latest_scoring(application) or application.self_assessment
        score = score_form(
            application.sheet,
            required=True,
            comments_label=_("Nhận xét của hội đồng"),
            data=start.points() if start else {},
            comments=scoring.comments if scoring else "",
        )
    latest = services.latest_scoring(application)
    deciding = services.deciding_scoring(application)
    deciding_outcome = services.outcome_of(deciding) if deciding else None
    stars = None
    if deciding is not None and deciding_outcome is not None:
        central = bool(deciding.stage and deciding.stage.five_star_only)
        stars = recognised_stars(deciding_outcome.band, central_scored=central)
    targets = services.allowed_targets(application)
    decision_stage = services.decision_stage(application)
    if decide is None and decision_stage is not None:
        decide = DecisionForm(
            data={
                "decision_date": today_vn(),
                "issuer_level": (IssuerLevel.CENTRAL if stars == 5 else IssuerLevel.PROVINCE).value,
            }
        )
    current_outcome = None
    if score is not None:
        try:
            current_outcome = services.evaluate_points(application, score.points(application.sheet))
        except ScoreOutOfRange:
            current_outcome = None
    return render_template(
        "rating/staff_application.html",
        application=application,
        self_outcome=services.self_outcome(application),
        scorings=[(s, services.outcome_of(s)) for s in application.council_scorings],
        score_form=score,
        current_outcome=current_outcome,
        move_form=move or (MoveForm(targets=targets) if targets else None),
        decide_form=decide,
        decision_stage=decision_stage,
        deciding=deciding,
        deciding_outcome=deciding_outcome,
        latest=latest,
        latest_outcome=services.outcome_of(latest) if latest else None,
        stars=stars,
        history=queries.history(application),
        bands=BANDS,
        today=today_vn(),
    ), status


def _to(application: RatingApplication):
    return redirect(url_for(".application", application_id=application.id))


@bp.get("/applications/<int:application_id>")
@staff_required
def application(application_id: int):
    return _detail(_application(application_id))


@bp.post("/applications/<int:application_id>/move")
@staff_required
def move(application_id: int):
    application = _application(application_id)
    form = MoveForm(targets=services.allowed_targets(application))
    if not form.validate_on_submit():
        return _detail(application, move=form, status=400)
    target = db.session.get(RatingStage, form.stage_id.data)
    if target is None:  # the form offered it a moment ago: the plan changed
        abort(409)
    reason = (form.reason.data or "").strip() or None
    try:
        services.transition(application, target, _me(), reason)
    except IllegalMove:
        db.session.rollback()
        flash(_("Không chuyển được: bước này không có trong kế hoạch từ bước hiện tại."), "error")
        return _to(application)
    emails.stage_changed(application, reason)
    db.session.commit()
    flash(_("Đã chuyển hồ sơ sang bước: %(stage)s.", stage=target.name), "success")
    return _to(application)


@bp.post("/applications/<int:application_id>/scores")
@staff_required
def scores(application_id: int):
    application = _application(application_id)
    stage = application.stage
    if stage is None or not stage.records_scores:
        flash(_("Bước hiện tại không chấm điểm."), "error")
        return _to(application)
    form = score_form(application.sheet, required=True, comments_label=_("Nhận xét của hội đồng"))
    if not form.validate_on_submit():
        return _detail(application, score=form, status=400)
    try:
        services.record_scores(
            application, stage, _me(), form.points(application.sheet), form.comments.data or ""
        )
    except (IllegalMove, IncompleteApplication, ScoreOutOfRange):
        db.session.rollback()
        flash(_("Không lưu được điểm: hãy chấm đủ mọi tiêu chí trong khung điểm."), "error")
        return _to(application)
    db.session.commit()
    flash(_("Đã lưu điểm của %(stage)s.", stage=stage.name), "success")
    return _to(application)


@bp.post("/applications/<int:application_id>/decide")
@staff_required
def decide(application_id: int):
    application = _application(application_id)
    if services.decision_stage(application) is None:
        flash(_("Hồ sơ chưa đến bước quyết định."), "error")
        return _to(application)
    form = DecisionForm()
    if not form.validate_on_submit():
        return _detail(application, decide=form, status=400)
    deciding = services.deciding_scoring(application)
    if deciding is None:
        flash(
            _("Hội đồng của bước này chưa chấm điểm: hãy chấm điểm trước khi quyết định."), "error"
        )
        return _to(application)
    outcome = services.outcome_of(deciding)
    central = bool(deciding.stage and deciding.stage.five_star_only)
    if recognised_stars(outcome.band, central_scored=central) and not form.check_certified():
        return _detail(application, decide=form, status=400)
    try:
        certificate = services.decide(application, _me(), today_vn(), form.decision())
    except NeedsConfirmation as exc:
        db.session.rollback()
        form.transition_confirmed.errors = [str(w) for w in exc.warnings]
        return _detail(application, decide=form, status=400)
    except InvalidLegalBasis as exc:
        db.session.rollback()
        form.issuer_level.errors = [str(r) for r in exc.reasons]
        return _detail(application, decide=form, status=400)
    except (IllegalMove, NoScores):
        db.session.rollback()
        flash(_("Hồ sơ này không còn chờ quyết định."), "info")
        return _to(application)
    emails.decided(application)
    db.session.commit()
    if certificate is not None:
        flash(
            _(
                "Đã công nhận %(stars)s sao, chứng nhận %(number)s.",
                stars=certificate.star_rank,
                number=certificate.decision_number,
            ),
            "success",
        )
    else:
        flash(_("Đã ghi quyết định: sản phẩm chưa đạt hạng sao OCOP."), "success")
    return _to(application)


@bp.get("/applications/<int:application_id>/documents/<int:document_id>")
@staff_required
def document(application_id: int, document_id: int):
    document = db.session.get(RatingDocument, document_id)
    if document is None or document.application_id != _application(application_id).id:
        abort(404)
    return send_document(document)


@bp.get("/pipeline")
@staff_required
def pipeline():
    today = today_vn()
    year = request.args.get("year", type=int) or today.year
    if not 2018 <= year <= today.year + 5:
        abort(404)
    return render_template(
        "rating/staff_pipeline.html",
        groups=queries.pipeline(year),
        year=year,
        today=today,
    )


# --- Score sheets ---------------------------------------------------------------------------


@bp.get("/sheets")
@staff_required
def sheets():
    rows = db.session.scalars(queries.sheets()).unique().all()
    return render_template(
        "rating/staff_sheets.html",
        sheets=[(s, services.sheet_is_ready(s)) for s in rows],
    )


def _sheet_page(sheet: RatingSheet, form=None, copy_form=None, edit=None, status=200):
    return render_template(
        "rating/staff_sheet.html",
        sheet=sheet,
        problems=services.sheet_problems_of(sheet),
        in_use=services.sheet_in_use(sheet),
        form=form or CriterionForm(),
        copy_form=copy_form
        or CopySheetForm(data={"product_set_id": sheet.product_set_id or 0, "name": sheet.name}),
        edit=edit,
    ), status


@bp.route("/sheets/<int:sheet_id>", methods=["GET", "POST"])
@staff_required
def sheet(sheet_id: int):
    """The sheet, and (POST) a new criterion."""
    sheet = db.get_or_404(RatingSheet, sheet_id)
    if request.method == "GET":
        return _sheet_page(sheet)
    form = CriterionForm()
    if not form.validate_on_submit():
        return _sheet_page(sheet, form=form, status=400)
    data = form.criterion_data()
    if any(c.code == data["code"] for c in sheet.criteria):
        form.code.errors.append(_("Mã này đã có trong bộ tiêu chí."))
        return _sheet_page(sheet, form=form, status=400)
    try:
        services.save_criterion(sheet, _me(), data)
    except SheetInUse:
        db.session.rollback()
        return _in_use(sheet)
    db.session.commit()
    flash(_("Đã thêm tiêu chí %(code)s.", code=data["code"]), "success")
    return redirect(url_for(".sheet", sheet_id=sheet.id))


def _in_use(sheet: RatingSheet):
    flash(
        _(
            "Bộ tiêu chí đã được dùng để chấm hồ sơ: điểm và phần không đổi được nữa. "
            "Hãy sao chép thành bộ mới rồi sửa."
        ),
        "error",
    )
    return redirect(url_for(".sheet", sheet_id=sheet.id))


@bp.route("/criteria/<int:criterion_id>", methods=["GET", "POST"])
@staff_required
def criterion(criterion_id: int):
    criterion = db.get_or_404(RatingCriterion, criterion_id)
    sheet = criterion.sheet
    if request.method == "GET":
        return _sheet_page(sheet, edit=(criterion, CriterionForm(obj=criterion)))
    form = CriterionForm()
    if not form.validate_on_submit():
        return _sheet_page(sheet, edit=(criterion, form), status=400)
    data = form.criterion_data()
    if any(c.code == data["code"] and c.id != criterion.id for c in sheet.criteria):
        form.code.errors.append(_("Mã này đã có trong bộ tiêu chí."))
        return _sheet_page(sheet, edit=(criterion, form), status=400)
    try:
        services.save_criterion(sheet, _me(), data, criterion)
    except SheetInUse:
        db.session.rollback()
        return _in_use(sheet)
    db.session.commit()
    flash(_("Đã lưu tiêu chí %(code)s.", code=criterion.code), "success")
    return redirect(url_for(".sheet", sheet_id=sheet.id))


@bp.post("/criteria/<int:criterion_id>/delete")
@staff_required
def delete_criterion(criterion_id: int):
    criterion = db.get_or_404(RatingCriterion, criterion_id)
    sheet = criterion.sheet
    try:
        services.delete_criterion(criterion, _me())
    except SheetInUse:
        db.session.rollback()
        return _in_use(sheet)
    db.session.commit()
    flash(_("Đã xoá tiêu chí."), "success")
    return redirect(url_for(".sheet", sheet_id=sheet.id))


@bp.post("/sheets/<int:sheet_id>/copy")
@staff_required
def copy_sheet(sheet_id: int):
    sheet = db.get_or_404(RatingSheet, sheet_id)
    form = CopySheetForm()
    if not form.validate_on_submit():
        return _sheet_page(sheet, copy_form=form, status=400)
    set_id = form.product_set_id.data or None
    if set_id is not None and db.session.get(ProductSet, set_id) is None:
        abort(400)
    copy = services.copy_sheet(sheet, _me(), set_id, form.name.data.strip())
    db.session.commit()
    flash(_("Đã tạo bộ tiêu chí mới; bộ cũ cho cùng bộ sản phẩm thôi dùng."), "success")
    return redirect(url_for(".sheet", sheet_id=copy.id))


# --- The plan -------------------------------------------------------------------------------


@bp.get("/plan")
@staff_required
def plan():
    today = today_vn()
    year = request.args.get("year", type=int) or today.year
    if not 2018 <= year <= today.year + 1:
        abort(404)
    plan = db.session.scalar(select(RatingPlan).where(RatingPlan.year == year))
    if plan is None and year >= today.year:
        plan = services.plan_for(year)
        db.session.commit()
    if plan is None:
        abort(404)
    return render_template("rating/staff_plan.html", plan=plan, form=StageForm(), year=year)


@bp.post("/stages/<int:stage_id>")
@staff_required
def rename_stage(stage_id: int):
    stage = db.get_or_404(RatingStage, stage_id)
    form = StageForm()
    if not form.validate_on_submit():
        flash(_("Vui lòng nhập tên bước (tối đa 120 ký tự)."), "error")
        return redirect(url_for(".plan", year=stage.plan.year))
    services.rename_stage(stage, _me(), form.name.data.strip())
    db.session.commit()
    flash(_("Đã đổi tên bước."), "success")
    return redirect(url_for(".plan", year=stage.plan.year))
