"""The rating cycle through its use cases: a re-rating from application to the
certificate that supersedes the old one, with council scores on each band's edge."""

import pytest
from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from shop.audit.models import AuditEntry
from shop.certification.exceptions import NeedsConfirmation, NotOwnProduct
from shop.certification.models import IssuerLevel
from shop.certification.rules import CertificateStatus
from shop.clock import today_vn
from shop.extensions import db
from shop.mail import outbox
from shop.rating import emails, services
from shop.rating.exceptions import (
    AlreadyOpen,
    IllegalMove,
    IncompleteApplication,
    NoScores,
    NotDraft,
    ScoreOutOfRange,
)
from shop.rating.models import ApplicationKind, ApplicationStatus, DocumentKind
from tests.rating.helpers import (
    draft_application,
    fill_dossier,
    points_for,
    submitted_application,
)


@pytest.fixture
def today():
    return today_vn()


@pytest.fixture
def old_certificate(make_product, make_certificate, today):
    """A 4-star certificate in its last three months."""
    product = make_product()
    return make_certificate(product, stars=4, decision_date=today - relativedelta(months=33))


def stage(application, code):
    return next(s for s in application.plan.stages if s.code == code)


def move(application, code, staff):
    services.transition(application, stage(application, code), staff)
    emails.stage_changed(application)
    db.session.commit()


def to_council(application, staff, total, code="provincial"):
    """Through the plan to ``code``, where the council scores ``total``."""
    for step in ("complete", "preliminary", "provincial"):
        move(application, step, staff)
        if step == code:
            break
    points = points_for(application.sheet, total)
    services.record_scores(application, application.stage, staff, points, "Hội đồng nhất trí")
    db.session.commit()


def decision(today, stars_level=IssuerLevel.PROVINCE, number="88/QĐ-UBND"):
    central = stars_level is IssuerLevel.CENTRAL
    return {
        "decision_number": number,
        "decision_date": today,
        "issuer_level": stars_level,
        "issuer_name": "Bộ Nông nghiệp và Môi trường" if central else "UBND tỉnh Tuyên Quang",
        "note": "",
    }


def decide(application, staff, today, **kw):
    certificate = services.decide(application, staff, today, decision(today, **kw))
    emails.decided(application)
    db.session.commit()
    return certificate


@pytest.mark.parametrize(
    ("total", "stars"),
    [(49, None), (50, 3), (69, 3), (70, 4), (89, 4)],
)
def test_a_rerating_at_the_provincial_council_lands_on_the_band_edges(
    old_certificate, staff, today, total, stars
):
    product = old_certificate.product
    application = submitted_application(product, today)
    assert application.kind is ApplicationKind.RERATING
    assert application.certificate == old_certificate
    assert application.stage.code == "received"

    to_council(application, staff, total)
    certificate = decide(application, staff, today)

    db.session.refresh(old_certificate)
    assert application.stage.code == "decided"
    assert application.decided_score == total
    if stars is None:
        assert certificate is None
        assert application.status is ApplicationStatus.NOT_CERTIFIED
        # A failed re-rating leaves the old certificate to run its course.
        assert old_certificate.status(today).is_valid
        assert old_certificate.superseded_by_id is None
    else:
        assert application.status is ApplicationStatus.CERTIFIED
        assert certificate.star_rank == stars
        assert certificate.score == total
        assert certificate.decision_date == today
        assert certificate.status(today).is_valid
        assert certificate.legal_basis == application.sheet.legal_basis
        # Superseded on the decision date, by certification's own rule.
        assert old_certificate.superseded_by_id == certificate.id
        assert old_certificate.status(today) is CertificateStatus.SUPERSEDED
    mail = [m for m in outbox() if m["To"] == product.producer.email]
    assert "Tiếp nhận" not in " ".join(m["Subject"] for m in mail)  # moved, not received
    assert any("Hội đồng đánh giá cấp tỉnh" in m["Subject"] for m in mail)
    decided = mail[-1]
    if stars:
        assert f"{stars} sao" in decided["Subject"]
        assert "được thay thế" in decided.get_content()
    else:
        assert "chưa đạt" in decided["Subject"]


@pytest.mark.parametrize("total", [90, 100])
def test_five_stars_go_through_the_central_council(old_certificate, staff, today, total):
    application = submitted_application(old_certificate.product, today)
    to_council(application, staff, total)
    central = stage(application, "central")
    assert central in services.allowed_targets(application)
    move(application, "central", staff)
    points = points_for(application.sheet, total)
    services.record_scores(application, application.stage, staff, points, "")
    db.session.commit()
    certificate = decide(application, staff, today, stars_level=IssuerLevel.CENTRAL)
    assert certificate.star_rank == 5
    assert old_certificate.superseded_by_id == certificate.id


def test_ninety_by_the_province_alone_is_four_stars(old_certificate, staff, today):
    application = submitted_application(old_certificate.product, today)
    to_council(application, staff, 90)
    certificate = decide(application, staff, today)
    assert certificate.star_rank == 4
    assert certificate.score == 90


def test_only_five_star_candidates_enter_the_central_council(old_certificate, staff, today):
    application = submitted_application(old_certificate.product, today)
    to_council(application, staff, 89)
    central = stage(application, "central")
    assert central not in services.allowed_targets(application)
    with pytest.raises(IllegalMove):
        services.transition(application, central, staff)


def test_a_failed_mandatory_criterion_is_not_certified_whatever_the_total(
    old_certificate, staff, today
):
    application = submitted_application(old_certificate.product, today)
    for step in ("complete", "preliminary", "provincial"):
        move(application, step, staff)
    points = points_for(application.sheet, 95)
    points["C3"] = 0  # no food safety certificate
    services.record_scores(application, application.stage, staff, points, "")
    db.session.commit()
    assert services.latest_band(application) is None
    assert decide(application, staff, today) is None
    assert application.status is ApplicationStatus.NOT_CERTIFIED


def test_moves_follow_the_plan_and_are_audited(make_product, staff, today):
    application = submitted_application(make_product(), today)
    with pytest.raises(IllegalMove):  # not in the table
        services.transition(application, stage(application, "provincial"), staff)
    with pytest.raises(IllegalMove):  # the final stage only by a decision
        services.transition(application, stage(application, "decided"), staff)
    move(application, "complete", staff)
    move(application, "received", staff)  # sent back for additions
    move(application, "complete", staff)
    with pytest.raises(IllegalMove):  # no scores before the council
        services.record_scores(application, stage(application, "provincial"), staff, {}, "")
    moves = db.session.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "rating.stage", AuditEntry.target_id == application.id
        )
    ).all()
    assert [(e.data["from"], e.data["to"]) for e in moves] == [
        ("received", "complete"),
        ("complete", "received"),
        ("received", "complete"),
    ]
    assert all(e.actor_id == staff.id for e in moves)


def test_a_council_scores_every_criterion_within_its_points(make_product, staff, today):
    application = submitted_application(make_product(), today)
    for step in ("complete", "preliminary"):
        move(application, step, staff)
    points = points_for(application.sheet, 60)
    del points["A1"]
    with pytest.raises(IncompleteApplication):
        services.record_scores(application, application.stage, staff, points, "")
    with pytest.raises(ScoreOutOfRange):
        services.record_scores(application, application.stage, staff, {**points, "A1": 99}, "")


def test_a_draft_needs_every_score_and_the_required_files(make_product, today):
    application = draft_application(make_product(), today)
    user = application.producer.members[0].user
    with pytest.raises(IncompleteApplication) as missing:
        services.submit_application(application, user, today)
    assert "C3" in missing.value.missing_scores
    assert DocumentKind.TEST_REPORT in missing.value.missing_documents
    assert DocumentKind.LABEL_ARTWORK not in missing.value.missing_documents
    services.save_self_assessment(application, user, points_for(application.sheet, 75))
    fill_dossier(application)
    services.submit_application(application, user, today)
    db.session.commit()
    assert application.status is ApplicationStatus.IN_REVIEW
    assert application.plan.year == today.year
    with pytest.raises(NotDraft):
        services.save_self_assessment(application, user, {})


def test_a_first_rating_and_one_open_application_a_product(make_product, make_producer, today):
    product = make_product()
    application = draft_application(product, today)
    assert application.kind is ApplicationKind.FIRST
    assert application.certificate is None
    with pytest.raises(AlreadyOpen):
        draft_application(product, today)
    other = make_producer()
    with pytest.raises(NotOwnProduct):
        services.start_application(other, product, other.members[0].user, today)


def test_a_rerating_starts_from_the_last_application(old_certificate, staff, today):
    product = old_certificate.product
    first = submitted_application(product, today, self_total=77)
    to_council(first, staff, 72)
    decide(first, staff, today)
    # Three years later the new certificate is due in turn.
    later = today + relativedelta(months=33)
    again = draft_application(product, later)
    assert again.kind is ApplicationKind.RERATING
    assert again.certificate == first.result_certificate
    assert again.previous_id == first.id
    assert again.self_assessment.points() == first.self_assessment.points()
    assert sum(again.self_assessment.points().values()) == 77
    assert sorted((d.kind, d.path) for d in again.documents) == sorted(
        (d.kind, d.path) for d in first.documents
    )
    # A shared file stays while another application points at it.
    shared = again.documents[0]
    assert services.remove_document(again, shared) is None
    db.session.commit()


def test_decision_outside_its_basis_needs_confirmation(old_certificate, staff, today):
    application = submitted_application(old_certificate.product, today)
    to_council(application, staff, 72)
    wrong = decision(today)
    wrong["issuer_name"] = "UBND tỉnh Hà Giang"  # merged on 1 July 2025
    with pytest.raises(NeedsConfirmation):
        services.decide(application, staff, today, wrong)
    db.session.rollback()
    wrong["transition_confirmed"] = True
    assert services.decide(application, staff, today, wrong).star_rank == 4


def test_plan_of_a_new_year_copies_the_last_one(staff, today):
    this_year = services.plan_for(today.year)
    next_year = services.plan_for(today.year + 1)
    db.session.commit()
    assert [s.code for s in next_year.stages] == [s.code for s in this_year.stages]
    assert str(today.year + 1) in next_year.name
    moves = {(s.code, t.code) for s in next_year.stages for t in s.targets}
    assert ("provincial", "central") in moves
    assert all(t.plan_id == next_year.id for s in next_year.stages for t in s.targets)


def test_a_decision_rests_on_the_current_councils_own_scores(old_certificate, staff, today):
    application = submitted_application(old_certificate.product, today)
    to_council(application, staff, 95, code="preliminary")
    move(application, "provincial", staff)
    # The preliminary review's 95 neither decides nor opens the central council.
    assert services.deciding_scoring(application) is None
    assert stage(application, "central") not in services.allowed_targets(application)
    with pytest.raises(NoScores):
        services.decide(application, staff, today, decision(today))
    points = points_for(application.sheet, 71)
    services.record_scores(application, application.stage, staff, points, "")
    db.session.commit()
    assert decide(application, staff, today).star_rank == 4
