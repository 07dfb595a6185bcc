"""Pure rules: working-day deadlines, complaint states, who may delete."""

from datetime import date

import pytest

from shop.legal.rules import (
    ComplaintStatus,
    ComplaintTransitionError,
    DeletionRefusal,
    add_working_days,
    check_transition,
    deletion_refusals,
    is_overdue,
    parse_holidays,
)

FRIDAY = date(2026, 11, 27)


@pytest.mark.parametrize(
    ("start", "days", "holidays", "due"),
    [
        (FRIDAY, 3, (), date(2026, 12, 2)),  # Mon, Tue, Wed: the filing day is not counted
        (date(2026, 11, 28), 3, (), date(2026, 12, 2)),  # filed on a Saturday
        (date(2026, 11, 29), 3, (), date(2026, 12, 2)),  # ... or a Sunday
        (date(2026, 11, 30), 3, (), date(2026, 12, 3)),  # Monday -> Thursday
        (FRIDAY, 3, (date(2026, 12, 1),), date(2026, 12, 3)),  # a holiday on Tuesday
        (date(2026, 4, 29), 1, (date(2026, 4, 30), date(2026, 5, 1)), date(2026, 5, 4)),
        (FRIDAY, 0, (), FRIDAY),
    ],
)
def test_working_days_skip_weekends_and_holidays(start, days, holidays, due):
    assert add_working_days(start, days, holidays) == due


def test_holidays_come_from_configuration_text():
    assert parse_holidays(" 2026-09-02, 2026-04-30 ,") == {date(2026, 9, 2), date(2026, 4, 30)}
    assert parse_holidays("") == frozenset()
    with pytest.raises(ValueError, match="isoformat"):
        parse_holidays("30/04/2026")


def test_only_an_open_complaint_past_its_due_date_is_overdue():
    due = date(2026, 12, 2)
    assert not is_overdue(ComplaintStatus.OPEN, due, due)  # the whole due day counts
    assert is_overdue(ComplaintStatus.OPEN, due, date(2026, 12, 3))
    assert not is_overdue(ComplaintStatus.ANSWERED, due, date(2027, 1, 1))
    assert not is_overdue(ComplaintStatus.CLOSED, due, date(2027, 1, 1))


def test_complaint_transitions():
    check_transition(ComplaintStatus.OPEN, ComplaintStatus.ANSWERED)
    check_transition(ComplaintStatus.OPEN, ComplaintStatus.CLOSED)
    check_transition(ComplaintStatus.ANSWERED, ComplaintStatus.ANSWERED)  # a follow-up
    check_transition(ComplaintStatus.ANSWERED, ComplaintStatus.CLOSED)
    for wanted in ComplaintStatus:
        with pytest.raises(ComplaintTransitionError):
            check_transition(ComplaintStatus.CLOSED, wanted)
    with pytest.raises(ComplaintTransitionError):
        check_transition(ComplaintStatus.ANSWERED, ComplaintStatus.OPEN)


def test_deletion_refusals_list_every_reason():
    assert deletion_refusals(is_staff=False, is_producer_member=False, orders_in_progress=0) == []
    assert deletion_refusals(is_staff=True, is_producer_member=True, orders_in_progress=2) == [
        DeletionRefusal.STAFF,
        DeletionRefusal.PRODUCER,
        DeletionRefusal.ORDERS_IN_PROGRESS,
    ]
    assert deletion_refusals(is_staff=False, is_producer_member=False, orders_in_progress=1) == [
        DeletionRefusal.ORDERS_IN_PROGRESS
    ]
