"""Pure rules: complaint deadlines and states, who may delete an account. No I/O."""

import enum
from collections.abc import Iterable
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l

# The version of the marketing-consent text a user agreed to; a new wording gets a
# new version, and consents given to an older one stay recorded with theirs.
MARKETING_CONSENT_VERSION = "marketing-2026-01"
PRIVACY_POLICY_VERSION = "privacy-2026-01"

# Law on Accounting 88/2015, Art. 41: accounting documents (invoices, the orders
# behind them) are kept at least 10 years; an account's deletion leaves them.
ACCOUNTING_RETENTION_YEARS = 10


class ComplaintStatus(enum.StrEnum):
    OPEN = "open"
    ANSWERED = "answered"
    CLOSED = "closed"

    @property
    def label(self):
        return _COMPLAINT_LABELS[self]

    @property
    def tone(self) -> str:
        """The badge colour."""
        return _COMPLAINT_TONES[self]

    @property
    def is_final(self) -> bool:
        """No move leaves it (see TRANSITIONS): nothing more to answer."""
        return not TRANSITIONS[self]


_COMPLAINT_LABELS = {
    ComplaintStatus.OPEN: _l("Đang xử lý"),
    ComplaintStatus.ANSWERED: _l("Đã trả lời"),
    ComplaintStatus.CLOSED: _l("Đã đóng"),
}
_COMPLAINT_TONES = {
    ComplaintStatus.OPEN: "pending",
    ComplaintStatus.ANSWERED: "verified",
    ComplaintStatus.CLOSED: "superseded",
}


# The one table of allowed moves. An answered complaint can be answered again
# (a follow-up) before it is closed; a closed one is history.
TRANSITIONS = {
    ComplaintStatus.OPEN: {ComplaintStatus.ANSWERED, ComplaintStatus.CLOSED},
    ComplaintStatus.ANSWERED: {ComplaintStatus.ANSWERED, ComplaintStatus.CLOSED},
    ComplaintStatus.CLOSED: set(),
}


class ComplaintTransitionError(Exception):
    def __init__(self, current: ComplaintStatus, wanted: ComplaintStatus):
        super().__init__(f"complaint cannot go from {current} to {wanted}")
        self.current = current
        self.wanted = wanted


def check_transition(current: ComplaintStatus, wanted: ComplaintStatus) -> None:
    if wanted not in TRANSITIONS[current]:
        raise ComplaintTransitionError(current, wanted)


def parse_holidays(text: str) -> frozenset[date]:
    """ "2026-01-01, 2026-04-30" -> dates; a malformed entry is a configuration error."""
    days = set()
    for part in (text or "").split(","):
        part = part.strip()
        if part:
            days.add(date.fromisoformat(part))
    return frozenset(days)


def add_working_days(start: date, days: int, holidays: Iterable[date] = ()) -> date:
    """The date ``days`` working days after ``start`` (Monday–Friday, not a holiday).

    The day of filing is not counted (Civil Code 2015, Art. 147): filed on a
    Friday with 3 working days, the answer is due by the end of Wednesday."""
    holidays = frozenset(holidays)
    current = start
    left = days
    while left > 0:
        current += timedelta(days=1)
        if current.weekday() < 5 and current not in holidays:
            left -= 1
    return current


def is_overdue(status: ComplaintStatus, due_on: date, today: date) -> bool:
    """Open past the end of its due date. An answered complaint is never overdue."""
    return status == ComplaintStatus.OPEN and today > due_on


class DeletionRefusal(enum.StrEnum):
    """Why an account cannot delete itself (yet); the page says it in words."""

    STAFF = "staff"  # staff accounts answer for what they did: an administrator closes them
    PRODUCER = "producer"  # a seller's member: listings, orders to ship, settlements
    ORDERS_IN_PROGRESS = "orders_in_progress"  # undelivered orders, money still moving


def deletion_refusals(
    *, is_staff: bool, is_producer_member: bool, orders_in_progress: int
) -> list[DeletionRefusal]:
    """Every reason, so the user learns them all at once; empty: deletion may go on."""
    refusals = []
    if is_staff:
        refusals.append(DeletionRefusal.STAFF)
    if is_producer_member:
        refusals.append(DeletionRefusal.PRODUCER)
    if orders_in_progress:
        refusals.append(DeletionRefusal.ORDERS_IN_PROGRESS)
    return refusals
