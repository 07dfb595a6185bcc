import pytest
from sqlalchemy import select

from shop.certification.legal_bases import BASIS_148, BASIS_1048
from shop.extensions import db
from shop.rating import services
from shop.rating.defaults import CRITERIA
from shop.rating.exceptions import SheetInUse
from shop.rating.models import RatingSheet
from shop.rating.rules import sheet_problems
from tests.factories import product_set


def general(basis):
    return db.session.scalar(
        select(RatingSheet).where(
            RatingSheet.legal_basis == basis, RatingSheet.product_set_id.is_(None)
        )
    )


@pytest.mark.parametrize(
    ("basis", "maxima"),
    [(BASIS_148, {"A": 40, "B": 25, "C": 35}), (BASIS_1048, {"A": 35, "B": 25, "C": 40})],
)
def test_the_default_sheets_add_up_to_their_parts(basis, maxima):
    sheet = general(basis)
    assert sheet.maxima == maxima
    assert sheet_problems(sheet.maxima, sheet.criteria) == []
    assert services.sheet_is_ready(sheet)
    assert len(sheet.criteria) == len(CRITERIA)
    mandatory = {c.code for c in sheet.criteria if c.mandatory}
    assert "C3" in mandatory  # food safety certification
    assert {c.part for c in sheet.criteria if c.mandatory} == {"A", "B", "C"}


def test_a_product_set_sheet_wins_over_the_general_one(staff):
    tea = product_set("I.11")
    sheet = general(BASIS_148)
    assert services.sheet_for(BASIS_148, tea.id) == sheet
    own = services.copy_sheet(sheet, staff, tea.id, "Bộ tiêu chí chè")
    db.session.commit()
    assert services.sheet_for(BASIS_148, tea.id) == own
    assert services.sheet_for(BASIS_148, product_set("I.13").id) == sheet
    assert [c.code for c in own.criteria] == [c.code for c in sheet.criteria]


def test_staff_edit_a_sheet_and_an_unbalanced_sheet_is_not_ready(staff):
    sheet = general(BASIS_148)
    a1 = sheet.criteria[0]
    services.save_criterion(sheet, staff, {"text": "Nguồn nguyên liệu", "max_points": 6}, a1)
    db.session.commit()
    assert not services.sheet_is_ready(sheet)
    assert sheet_problems(sheet.maxima, sheet.criteria) == [("A", 40, 41)]
    services.save_criterion(
        sheet,
        staff,
        {"part": "A", "code": "A10", "text": "Mới", "max_points": 1, "mandatory": True},
    )
    services.save_criterion(sheet, staff, {"max_points": 4}, a1)
    db.session.commit()
    assert services.sheet_is_ready(sheet)


def test_points_of_a_sheet_in_use_cannot_change(staff, make_product):
    from shop.clock import today_vn
    from tests.rating.helpers import submitted_application

    application = submitted_application(make_product(), today_vn())
    sheet = application.sheet
    criterion = sheet.criteria[0]
    with pytest.raises(SheetInUse):
        services.save_criterion(sheet, staff, {"max_points": 4}, criterion)
    with pytest.raises(SheetInUse):
        services.delete_criterion(criterion, staff)
    # The wording may change.
    services.save_criterion(sheet, staff, {"text": "Nguồn nguyên liệu ổn định"}, criterion)
    db.session.commit()
    assert criterion.text == "Nguồn nguyên liệu ổn định"


def test_the_seed_command_restores_missing_defaults_only(runner, staff):
    from shop.rating.models import RatingPlan

    sheet = general(BASIS_148)
    services.save_criterion(sheet, staff, {"text": "Đã sửa"}, sheet.criteria[0])
    db.session.commit()
    result = runner.invoke(args=["rating", "seed", "--year", "2031"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(RatingPlan).where(RatingPlan.year == 2031)) is not None
    db.session.expire_all()
    assert general(BASIS_148).criteria[0].text == "Đã sửa"
    assert len(db.session.scalars(select(RatingSheet)).all()) == 2
