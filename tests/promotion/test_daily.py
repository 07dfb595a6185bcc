import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from shop.extensions import db
from shop.mail import outbox
from shop.promotion.expiry import run_daily
from shop.promotion.models import ExpiryNotice
from tests.conftest import is_postgres

TODAY = date(2026, 11, 28)


@pytest.fixture
def expiring(make_certificate):
    return make_certificate(decision_date=date(2023, 12, 20))  # valid through 20/12/2026


def _producer_mails():
    return [m for m in outbox() if m["Subject"].startswith("Chứng nhận OCOP sắp hết hạn")]


def test_producer_is_told_once_and_staff_get_a_summary(app, expiring, make_certificate, staff):
    make_certificate(decision_date=date(2025, 9, 15))  # not due
    assert [c.id for c in run_daily(TODAY)] == [expiring.id]
    mails = _producer_mails()
    assert mails
    assert "đến hết ngày 20/12/2026, còn 22 ngày" in mails[0].get_content()
    assert any(m["To"] == staff.email for m in outbox() if m["Subject"].startswith("Tổng hợp"))
    assert run_daily(TODAY) == []
    assert run_daily(TODAY) == []
    assert len(_producer_mails()) == len(mails)


def test_four_reminders_each_once_on_their_day(app, make_certificate):
    certificate = make_certificate(decision_date=date(2024, 2, 29))  # valid through 28/02/2027
    last_day = date(2027, 2, 28)
    sent_on = {}
    day = last_day - timedelta(days=100)
    while day <= last_day + timedelta(days=3):
        for _ in range(2):  # the periodic job may run more than once a day
            for c in run_daily(day):
                assert c.id == certificate.id
                sent_on[(last_day - day).days] = sent_on.get((last_day - day).days, 0) + 1
        day += timedelta(days=1)
    assert sent_on == {90: 1, 60: 1, 30: 1, 7: 1}
    thresholds = db.session.scalars(
        select(ExpiryNotice.threshold_days).where(ExpiryNotice.certificate_id == certificate.id)
    )
    assert sorted(thresholds) == [7, 30, 60, 90]
    subjects = [m["Subject"] for m in _producer_mails()]
    recipients = len({m["To"] for m in _producer_mails()})
    assert len(subjects) == 4 * recipients
    assert sum("(còn 7 ngày)" in s for s in subjects) == recipients


def test_a_late_first_run_sends_only_the_reminder_due_now(app, make_certificate):
    certificate = make_certificate(decision_date=date(2024, 2, 29))  # valid through 28/02/2027
    assert run_daily(date(2027, 2, 8)) == [certificate]  # 20 days left: the 30-day one
    assert run_daily(date(2027, 2, 20)) == []  # 8 days left: nothing new
    assert run_daily(date(2027, 2, 21)) == [certificate]  # 7 days left
    assert run_daily(date(2027, 2, 28)) == []  # the last day: all sent
    assert run_daily(date(2027, 3, 1)) == []  # expired: no reminder
    thresholds = db.session.scalars(
        select(ExpiryNotice.threshold_days).where(ExpiryNotice.certificate_id == certificate.id)
    )
    assert sorted(thresholds) == [7, 30]


def test_no_reminder_for_revoked_or_superseded(app, make_certificate, staff):
    from shop.certification.services import revoke_certificate

    revoked = make_certificate(decision_date=date(2024, 2, 29))
    revoke_certificate(revoked, staff, "Không đạt")
    old = make_certificate(decision_date=date(2024, 2, 29))
    make_certificate(old.product, decision_date=date(2026, 11, 1))
    db.session.commit()
    assert run_daily(date(2027, 2, 8)) == []


def test_the_command(runner, expiring):
    result = runner.invoke(args=["ocop", "daily"])
    assert result.exit_code == 0
    assert "Expiry notices sent" in result.output


@pytest.mark.postgres
def test_two_runs_at_once_send_one_notice(app, expiring, database_url):
    if not is_postgres(app):
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises them)")
    from shop import create_app
    from shop.extensions import db

    results, errors = [], []
    # A barrier that gives up: a worker that fails must not leave the other waiting
    # forever (pytest would then never exit).
    barrier = threading.Barrier(2, timeout=20)
    # Built here, not in the threads: create_app is not thread-safe.
    apps = [create_app({"SQLALCHEMY_DATABASE_URI": database_url}) for _ in range(2)]
    for worker_app in apps:
        worker_app.extensions["mail_outbox"] = app.extensions.setdefault("mail_outbox", [])

    def worker(worker_app):
        try:
            with worker_app.app_context():
                barrier.wait()
                results.append(len(run_daily(TODAY)))
                db.session.remove()
                db.engine.dispose()
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(a,), daemon=True) for a in apps]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert sorted(results) == [0, 1]
    assert db.session.scalar(select(func.count()).select_from(ExpiryNotice)) == 1
    assert len({m["To"] for m in _producer_mails()}) == len(_producer_mails())
