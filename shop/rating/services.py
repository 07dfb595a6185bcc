"""Rating use cases: applications, their dossier and scores, the stage moves and the
decision. They flush; the caller commits. The decision issues the certificate through
certification's own use cases (submit, then verify: a re-rating supersedes the older
certificate on its decision date, as a certificate staff record by hand does)."""

from datetime import date

from sqlalchemy import select

from shop.audit import services as audit
from shop.auth.models import User
from shop.catalog.models import Product
from shop.certification import services as certification
from shop.certification.exceptions import NotOwnProduct
from shop.certification.legal_bases import BASIS_148, period_on
from shop.certification.models import Certificate
from shop.clock import utcnow
from shop.extensions import db
from shop.producers.models import Producer
from shop.rating.defaults import build_plan
from shop.rating.exceptions import (
    AlreadyOpen,
    IllegalMove,
    IncompleteApplication,
    NoScores,
    NotDraft,
    SheetInUse,
    SheetNotReady,
)
from shop.rating.models import (
    ApplicationKind,
    ApplicationStatus,
    DocumentKind,
    RatingApplication,
    RatingCriterion,
    RatingDocument,
    RatingMove,
    RatingPlan,
    RatingScore,
    RatingScoring,
    RatingSheet,
    RatingStage,
)
from shop.rating.rules import Outcome, evaluate, may_enter, recognised_stars, sheet_problems
from shop.uploads import StoredFile

# --- Sheets -------------------------------------------------------------------------------


def current_basis(today: date) -> str:
    """The legal basis in force today: a new application is scored on its sheets."""
    period = period_on(today)
    return period.basis if period is not None else BASIS_148


def sheet_for(basis: str, product_set_id: int) -> RatingSheet | None:
    """The active sheet of the product set under ``basis``, else the general one."""
    sheets = db.session.scalars(
        select(RatingSheet).where(
            RatingSheet.legal_basis == basis,
            RatingSheet.active.is_(True),
            (RatingSheet.product_set_id == product_set_id) | RatingSheet.product_set_id.is_(None),
        )
    ).all()
    own = [s for s in sheets if s.product_set_id == product_set_id]
    general = [s for s in sheets if s.product_set_id is None]
    found = own or general
    return found[0] if found else None


def sheet_is_ready(sheet: RatingSheet) -> bool:
    return not sheet_problems(sheet.maxima, sheet.criteria)


def sheet_problems_of(sheet: RatingSheet) -> list[tuple[str, int, int]]:
    return sheet_problems(sheet.maxima, sheet.criteria)


def sheet_in_use(sheet: RatingSheet) -> bool:
    return (
        db.session.scalar(
            select(RatingApplication.id)
            .where(
                RatingApplication.sheet_id == sheet.id,
                RatingApplication.status != ApplicationStatus.DRAFT,
            )
            .limit(1)
        )
        is not None
    )


def save_criterion(
    sheet: RatingSheet, staff: User, data: dict, criterion: RatingCriterion | None = None
) -> RatingCriterion:
    """Add a criterion to ``sheet`` or change ``criterion``. The wording of a sheet in
    use may change; its points and parts may not (a scored application would change
    its total): copy the sheet instead."""
    scoring_fields = ("part", "max_points", "mandatory", "min_points")
    changes_scoring = criterion is None or any(
        getattr(criterion, f) != data[f] for f in scoring_fields if f in data
    )
    if changes_scoring and sheet_in_use(sheet):
        raise SheetInUse(sheet.id)
    if criterion is None:
        criterion = RatingCriterion(sheet=sheet, position=len(sheet.criteria))
        db.session.add(criterion)
    for field in ("part", "code", "text", "max_points", "mandatory", "min_points"):
        if field in data:
            setattr(criterion, field, data[field])
    if not criterion.mandatory:
        criterion.min_points = min(criterion.min_points, criterion.max_points)
    db.session.flush()
    audit.record(staff, "rating.criterion", sheet, code=criterion.code, points=criterion.max_points)
    return criterion


def delete_criterion(criterion: RatingCriterion, staff: User) -> None:
    sheet = criterion.sheet
    if sheet_in_use(sheet) or db.session.scalar(
        select(RatingScore.scoring_id).where(RatingScore.criterion_id == criterion.id).limit(1)
    ):
        raise SheetInUse(sheet.id)
    sheet.criteria.remove(criterion)
    db.session.flush()
    audit.record(staff, "rating.criterion_delete", sheet, code=criterion.code)


def copy_sheet(
    sheet: RatingSheet, staff: User, product_set_id: int | None, name: str
) -> RatingSheet:
    """A new sheet with the same parts and criteria (for a product set's own sheet, or
    a new version of a sheet in use); an older active sheet for the same set and
    basis is retired."""
    for old in db.session.scalars(
        select(RatingSheet).where(
            RatingSheet.legal_basis == sheet.legal_basis,
            RatingSheet.active.is_(True),
            RatingSheet.product_set_id.is_(None)
            if product_set_id is None
            else RatingSheet.product_set_id == product_set_id,
        )
    ):
        old.active = False
    copy = RatingSheet(
        legal_basis=sheet.legal_basis,
        product_set_id=product_set_id,
        name=name,
        part_a_max=sheet.part_a_max,
        part_b_max=sheet.part_b_max,
        part_c_max=sheet.part_c_max,
    )
    for c in sheet.criteria:
        copy.criteria.append(
            RatingCriterion(
                part=c.part,
                code=c.code,
                text=c.text,
                max_points=c.max_points,
                mandatory=c.mandatory,
                min_points=c.min_points,
                position=c.position,
            )
        )
    db.session.add(copy)
    db.session.flush()
    audit.record(staff, "rating.sheet_copy", copy, source=sheet.id)
    return copy


# --- Plans --------------------------------------------------------------------------------


def plan_for(year: int) -> RatingPlan:
    """The plan of ``year``; a year without one starts from the latest earlier plan
    (stages and moves copied), or from the defaults."""
    plan = db.session.scalar(select(RatingPlan).where(RatingPlan.year == year))
    if plan is not None:
        return plan
    latest = db.session.scalar(
        select(RatingPlan).where(RatingPlan.year < year).order_by(RatingPlan.year.desc())
    )
    if latest is None:
        plan = build_plan(year)
    else:
        plan = RatingPlan(year=year, name=latest.name.replace(str(latest.year), str(year)))
        copies = {}
        for stage in latest.stages:
            copies[stage.id] = RatingStage(
                code=stage.code,
                name=stage.name,
                position=stage.position,
                records_scores=stage.records_scores,
                five_star_only=stage.five_star_only,
                final=stage.final,
            )
            plan.stages.append(copies[stage.id])
        for stage in latest.stages:
            for move in stage.moves:
                copies[stage.id].moves.append(RatingMove(to_stage=copies[move.to_stage_id]))
    db.session.add(plan)
    db.session.flush()
    return plan


def first_stage(plan: RatingPlan) -> RatingStage:
    return plan.stages[0]


def rename_stage(stage: RatingStage, staff: User, name: str) -> None:
    before = stage.name
    stage.name = name
    db.session.flush()
    audit.record(staff, "rating.stage_rename", stage, before=before, after=name)


# --- Applications -------------------------------------------------------------------------


def current_certificate(product: Product, today: date) -> Certificate | None:
    return db.session.scalar(
        select(Certificate)
        .where(Certificate.product_id == product.id, Certificate.valid_on(today))
        .order_by(Certificate.decision_date.desc())
    )


def open_application_of(product: Product) -> RatingApplication | None:
    return db.session.scalar(
        select(RatingApplication).where(
            RatingApplication.product_id == product.id,
            RatingApplication.status.in_([ApplicationStatus.DRAFT, ApplicationStatus.IN_REVIEW]),
        )
    )


def last_application_of(product: Product) -> RatingApplication | None:
    """The product's latest submitted application: what a re-rating starts from."""
    return db.session.scalar(
        select(RatingApplication)
        .where(
            RatingApplication.product_id == product.id,
            RatingApplication.status != ApplicationStatus.DRAFT,
        )
        .order_by(RatingApplication.submitted_at.desc(), RatingApplication.id.desc())
    )


def start_application(
    producer: Producer,
    product: Product,
    user: User,
    today: date,
    product_set_id: int | None = None,
) -> RatingApplication:
    """A draft: a re-rating when the product holds a valid certificate, else a first
    rating. The self-assessment and dossier of the product's last application are
    copied in (scores by criterion code, capped at the new sheet's points; the files
    are shared, not copied)."""
    if product.producer_id != producer.id:
        raise NotOwnProduct(product.id)
    existing = open_application_of(product)
    if existing is not None:
        raise AlreadyOpen(existing.id)
    set_id = product_set_id or product.product_set_id
    sheet = sheet_for(current_basis(today), set_id)
    if sheet is None or not sheet_is_ready(sheet):
        raise SheetNotReady(set_id)
    certificate = current_certificate(product, today)
    previous = last_application_of(product)
    application = RatingApplication(
        producer_id=producer.id,
        product=product,
        kind=ApplicationKind.RERATING if certificate else ApplicationKind.FIRST,
        certificate=certificate,
        previous_id=previous.id if previous else None,
        product_set_id=set_id,
        sheet=sheet,
        status=ApplicationStatus.DRAFT,
        created_by=user,
    )
    db.session.add(application)
    db.session.flush()
    if previous is not None:
        _copy_from(application, previous, user)
    audit.record(
        user,
        "rating.start",
        application,
        kind=application.kind.value,
        previous=previous.id if previous else "",
    )
    return application


def _copy_from(application: RatingApplication, previous: RatingApplication, user: User) -> None:
    before = previous.self_assessment
    if before is not None:
        old = before.points()
        criteria = application.sheet.criteria
        points = {c.code: min(old[c.code], c.max_points) for c in criteria if c.code in old}
        _write_scores(application, None, user, points, before.comments)
    application.notes = previous.notes
    for document in previous.documents:
        application.documents.append(
            RatingDocument(
                kind=document.kind,
                path=document.path,
                content_type=document.content_type,
                filename=document.filename,
                size_bytes=document.size_bytes,
                uploaded_by_id=document.uploaded_by_id,
                uploaded_at=document.uploaded_at,
            )
        )
    db.session.flush()


def _write_scores(
    application: RatingApplication,
    stage: RatingStage | None,
    user: User,
    points: dict[str, int],
    comments: str,
) -> RatingScoring:
    """Replace the scores of one scoring (self-assessment or a stage's council)."""
    criteria = {c.code: c for c in application.sheet.criteria}
    known = {code: value for code, value in points.items() if code in criteria}
    # Raises ScoreOutOfRange for a value outside 0..max.
    evaluate([criteria[code] for code in known], known)
    scoring = application.scoring_at(stage) if stage else application.self_assessment
    if scoring is None:
        scoring = RatingScoring(stage=stage, recorded_by=user, comments=comments)
        application.scorings.append(scoring)
    else:
        scoring.recorded_by = user
        scoring.comments = comments
        scoring.recorded_at = utcnow()
    current = {s.criterion.code: s for s in scoring.scores}
    for code, value in known.items():
        if code in current:
            current[code].points = value
        else:
            scoring.scores.append(RatingScore(criterion=criteria[code], points=value))
    for code, score in current.items():
        if code not in known:
            scoring.scores.remove(score)
    db.session.flush()
    return scoring


def _draft(application: RatingApplication) -> None:
    if not application.status.is_draft:
        raise NotDraft(application.id)


def save_self_assessment(
    application: RatingApplication, user: User, points: dict[str, int], notes: str = ""
) -> RatingScoring:
    """Save the producer's own scores (a draft may be incomplete)."""
    _draft(application)
    application.notes = notes
    return _write_scores(application, None, user, points, "")


def add_document(
    application: RatingApplication,
    user: User,
    kind: DocumentKind,
    stored: StoredFile,
    filename: str,
    size_bytes: int,
) -> RatingDocument:
    _draft(application)
    document = RatingDocument(
        kind=kind,
        path=stored.path,
        content_type=stored.content_type,
        filename=filename[:200] or kind.value,
        size_bytes=size_bytes,
        uploaded_by_id=user.id,
    )
    application.documents.append(document)
    db.session.flush()
    return document


def remove_document(application: RatingApplication, document: RatingDocument) -> str | None:
    """Take a file out of a draft's dossier. Returns the stored file to delete after the
    commit, or None while another application (copied from this one) still uses it."""
    _draft(application)
    path = document.path
    application.documents.remove(document)
    db.session.flush()
    shared = db.session.scalar(
        select(RatingDocument.id).where(RatingDocument.path == path).limit(1)
    )
    return None if shared else path


def missing_documents(application: RatingApplication) -> tuple[DocumentKind, ...]:
    present = {d.kind for d in application.documents}
    return tuple(k for k in DocumentKind if k.required and k not in present)


def self_outcome(application: RatingApplication) -> Outcome:
    scoring = application.self_assessment
    return evaluate(application.sheet.criteria, scoring.points() if scoring else {})


def submit_application(application: RatingApplication, user: User, today: date) -> None:
    """The owner sends the draft: every criterion self-scored, one file of each
    required kind. It enters the first stage of this year's plan."""
    _draft(application)
    outcome = self_outcome(application)
    documents = missing_documents(application)
    if outcome.missing or documents:
        raise IncompleteApplication(outcome.missing, documents)
    plan = plan_for(today.year)
    application.plan = plan
    application.stage = first_stage(plan)
    application.status = ApplicationStatus.IN_REVIEW
    application.submitted_at = utcnow()
    db.session.flush()
    audit.record(
        user, "rating.submit", application, stage=application.stage.code, total=outcome.total
    )


# --- Stages, scores and the decision ------------------------------------------------------


def latest_scoring(application: RatingApplication) -> RatingScoring | None:
    """The latest council's scores (the stage furthest in the plan)."""
    scorings = application.council_scorings
    return scorings[-1] if scorings else None


def deciding_scoring(application: RatingApplication) -> RatingScoring | None:
    """The scores a decision or a move to the central council rests on: at a stage
    where a council scores, that council's own (none until it has scored); after
    the councils, the latest one's; after a decision, the one it rested on."""
    stage = application.stage
    if stage is not None and stage.records_scores:
        return application.scoring_at(stage)
    return latest_scoring(application)


def outcome_of(scoring: RatingScoring) -> Outcome:
    return evaluate(scoring.application.sheet.criteria, scoring.points())


def evaluate_points(application: RatingApplication, points: dict[str, int]) -> Outcome:
    return evaluate(application.sheet.criteria, points)


def latest_band(application: RatingApplication) -> int | None:
    scoring = deciding_scoring(application)
    return outcome_of(scoring).band if scoring else None


def allowed_targets(application: RatingApplication) -> list[RatingStage]:
    """The stages staff may move the application to now (the decision excluded)."""
    if application.status is not ApplicationStatus.IN_REVIEW or application.stage is None:
        return []
    band = latest_band(application)
    return [
        stage
        for stage in application.stage.targets
        if not stage.final and may_enter(five_star_only=stage.five_star_only, band=band)
    ]


def decision_stage(application: RatingApplication) -> RatingStage | None:
    """The final stage the current one leads to: a decision may be taken now."""
    if application.status is not ApplicationStatus.IN_REVIEW or application.stage is None:
        return None
    return next((s for s in application.stage.targets if s.final), None)


def transition(
    application: RatingApplication,
    target: RatingStage,
    actor: User,
    reason: str | None = None,
    *,
    decision: bool = False,
) -> None:
    """The one function that changes an application's stage: the move must be in the
    plan's table, a 5-star stage takes 5-star candidates only, and the final stage is
    entered only by ``decide``. Every move is audited."""
    current = application.stage
    if application.status is not ApplicationStatus.IN_REVIEW or current is None:
        raise IllegalMove(current and current.code, target.code, "not in review")
    if target.id not in {m.to_stage_id for m in current.moves}:
        raise IllegalMove(current.code, target.code)
    if target.final and not decision:
        raise IllegalMove(current.code, target.code, "a decision enters the final stage")
    if not may_enter(five_star_only=target.five_star_only, band=latest_band(application)):
        raise IllegalMove(current.code, target.code, "5-star candidates only")
    application.stage = target
    db.session.flush()
    moved = {"from": current.code, "to": target.code}
    audit.record(actor, "rating.stage", application, reason, **moved)


def record_scores(
    application: RatingApplication,
    stage: RatingStage,
    staff: User,
    points: dict[str, int],
    comments: str,
) -> RatingScoring:
    """A council's scores at the current stage: every criterion, within its points."""
    current = application.stage
    if (
        application.status is not ApplicationStatus.IN_REVIEW
        or current is None
        or current.id != stage.id
        or not stage.records_scores
    ):
        raise IllegalMove(current and current.code, stage.code, "no scores at this stage")
    outcome = evaluate(application.sheet.criteria, points)
    if outcome.missing:
        raise IncompleteApplication(outcome.missing, ())
    scoring = _write_scores(application, stage, staff, points, comments)
    audit.record(
        staff,
        "rating.scores",
        application,
        stage=stage.code,
        total=outcome.total,
        band=outcome.band or "",
    )
    return scoring


def decide(
    application: RatingApplication, staff: User, today: date, decision: dict
) -> Certificate | None:
    """Decide on the latest council's scores. A total in a certified band (with no
    mandatory criterion failed) issues the certificate; 5 stars need the central
    council's scores. ``decision`` holds decision_number, decision_date, issuer_level,
    issuer_name, transition_confirmed and note.

    Raises certification's InvalidLegalBasis / NeedsConfirmation when the decision
    does not fit the rules of its date."""
    final = decision_stage(application)
    if final is None:
        raise IllegalMove(application.stage and application.stage.code, "decided")
    scoring = deciding_scoring(application)
    if scoring is None:
        raise NoScores(application.id)
    outcome = outcome_of(scoring)
    central = bool(scoring.stage and scoring.stage.five_star_only)
    stars = recognised_stars(outcome.band, central_scored=central)
    certificate = None
    if stars is not None:
        certificate = certification.submit_certificate(
            application.producer,
            application.product,
            staff,
            {
                "star_rank": stars,
                "score": outcome.total,
                "decision_number": decision["decision_number"],
                "decision_date": decision["decision_date"],
                "issuer_level": decision["issuer_level"],
                "issuer_name": decision["issuer_name"],
                "legal_basis": application.sheet.legal_basis,
                "product_set_id": application.product_set_id,
                "transition_confirmed": decision.get("transition_confirmed", False),
            },
        )
        certification.verify_certificate(
            certificate, staff, today, confirmed=decision.get("transition_confirmed", False)
        )
        application.result_certificate = certificate
    note = (decision.get("note") or "").strip()[:500] or None
    transition(application, final, staff, note, decision=True)
    application.status = (
        ApplicationStatus.CERTIFIED if certificate else ApplicationStatus.NOT_CERTIFIED
    )
    application.decided_score = outcome.total
    application.decided_stars = stars
    application.decision_note = note
    application.decided_at = utcnow()
    db.session.flush()
    audit.record(
        staff,
        "rating.decide",
        application,
        application.decision_note,
        stars=stars or "",
        total=outcome.total,
        certificate=certificate.id if certificate else "",
    )
    return certificate
