import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from shop.mail import outbox
from shop.promotion.expiry import run_daily
from shop.promotion.models import ExpiryNotice
from tests.conftest import is_postgres

TODAY = date(2026, 11, 28)


@pytest.fixture
def expiring(make_certificate):
    return make_certificate(decision_date=date(2023, 12, 20))  # ends 19/12/2026


def _producer_mails():
    return [m for m in outbox() if m["Subject"].startswith("Chứng nhận OCOP sắp hết hạn")]


def test_producer_is_told_once_and_staff_get_a_summary(app, expiring, make_certificate, staff):
    make_certificate(decision_date=date(2025, 9, 15))  # not due
    assert [c.id for c in run_daily(TODAY)] == [expiring.id]
    mails = _producer_mails()
    assert mails
    assert "19/12/2026" in mails[0].get_content()
    assert any(m["To"] == staff.email for m in outbox() if m["Subject"].startswith("Tổng hợp"))
    assert run_daily(TODAY) == []
    assert run_daily(TODAY) == []
    assert len(_producer_mails()) == len(mails)


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
    barrier = threading.Barrier(2)

    def worker():
        worker_app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
        worker_app.extensions["mail_outbox"] = app.extensions.setdefault("mail_outbox", [])
        try:
            with worker_app.app_context():
                barrier.wait()
                results.append(len(run_daily(TODAY)))
                db.session.remove()
                db.engine.dispose()
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert sorted(results) == [0, 1]
    assert db.session.scalar(select(func.count()).select_from(ExpiryNotice)) == 1
    assert len({m["To"] for m in _producer_mails()}) == len(_producer_mails())
