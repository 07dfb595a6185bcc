import csv
import io
from datetime import date

import pytest
from sqlalchemy import select

from shop.audit.models import AuditEntry
from shop.auth.models import Role
from shop.certification.models import Certificate
from shop.certification.register import (
    RegisterFilter,
    expiry_watch,
    register_csv,
    register_query,
    status_condition,
)
from shop.certification.rules import CertificateStatus
from shop.certification.services import reject_certificate, revoke_certificate
from shop.extensions import db
from tests.factories import OTHER_PROVINCE, OTHER_WARD, PROVINCE
from tests.helpers_http import assert_redirect

TODAY = date(2026, 11, 28)


@pytest.fixture
def every_status(make_certificate, make_product, make_producer, staff):
    other = make_producer(province_code=OTHER_PROVINCE, ward_code=OTHER_WARD)
    certs = {
        "active": make_certificate(decision_date=date(2025, 9, 15)),
        "expiring": make_certificate(decision_date=date(2023, 12, 20), stars=3),
        "expired": make_certificate(make_product(other), decision_date=date(2023, 6, 1)),
        "pending": make_certificate(verified=False),
        "rejected": make_certificate(verified=False),
        "revoked": make_certificate(make_product(other), stars=5),
    }
    old = make_certificate(decision_date=date(2024, 1, 5))
    certs["superseded"] = old
    make_certificate(old.product, decision_date=date(2026, 6, 1))  # the re-rating
    reject_certificate(certs["rejected"], staff, "Sai số quyết định")
    revoke_certificate(certs["revoked"], staff, "Không đạt")
    db.session.commit()
    return certs


def test_sql_status_matches_the_rule_for_every_status(every_status):
    for status in CertificateStatus:
        ids = set(db.session.scalars(select(Certificate.id).where(status_condition(status, TODAY))))
        expected = {
            c.id for c in db.session.scalars(select(Certificate)) if c.status(TODAY) == status
        }
        assert ids == expected, status
        assert ids, status  # the fixture has one of each


def test_filters(every_status):
    def codes(**args):
        f = RegisterFilter.from_args({k: str(v) for k, v in args.items()})
        return {c.id for c in db.session.scalars(register_query(f, TODAY))}

    assert codes(status="revoked") == {every_status["revoked"].id}
    assert every_status["revoked"].id in codes(province=OTHER_PROVINCE, stars=5)
    assert every_status["active"].id not in codes(province=OTHER_PROVINCE)
    assert codes(expires_within=30) == {every_status["expiring"].id}
    assert every_status["active"].id in codes(expires_within=1200)


def test_csv_has_a_bom_and_vietnamese_columns(every_status):
    data = register_csv(db.session.scalars(select(Certificate)).all(), TODAY)
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Mã xác thực", "Trạng thái", "Sản phẩm"]
    assert len(rows) == 1 + len(db.session.scalars(select(Certificate)).all())
    revoked = next(r for r in rows if r[0] == every_status["revoked"].verification_code)
    assert revoked[1] == "revoked"
    assert revoked[-1] == "Không đạt"


def test_csv_download_uses_the_same_filters(client, staff, auth, every_status):
    assert_redirect(auth.login(staff.email), "/staff/")
    response = client.get(f"/staff/certificates.csv?province={OTHER_PROVINCE}")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert {r[0] for r in rows[1:]} == {
        every_status["expired"].verification_code,
        every_status["revoked"].verification_code,
    }


def test_expiry_watch_counts_by_province(every_status):
    rows = {r["code"]: r for r in expiry_watch(TODAY)}
    assert rows[PROVINCE]["d30"] == 1  # the expiring one
    assert rows[OTHER_PROVINCE]["expired"] == 1
    assert rows[PROVINCE]["d90"] >= rows[PROVINCE]["d60"] >= rows[PROVINCE]["d30"]


def test_staff_actions_are_audited_and_only_admins_read_the_log(
    client, auth, every_status, make_user
):
    actions = {(e.action, e.reason) for e in db.session.scalars(select(AuditEntry))}
    assert ("certificate.revoke", "Không đạt") in actions
    assert ("certificate.reject", "Sai số quyết định") in actions
    assert any(a == "certificate.verify" for a, _r in actions)
    make_user(email="canbo2@example.vn", role=Role.STAFF)
    assert_redirect(auth.login("canbo2@example.vn"), "/staff/")
    assert client.get("/staff/audit").status_code == 403
    assert_redirect(auth.logout(), "/")
    make_user(email="admin@example.vn", role=Role.ADMIN)
    assert_redirect(auth.login("admin@example.vn"), "/staff/")
    page = client.get("/staff/audit").get_data(as_text=True)
    assert "certificate.revoke" in page
    assert "Không đạt" in page


def test_expiry_page(client, staff, auth, every_status):
    assert_redirect(auth.login(staff.email), "/staff/")
    assert "Tuyên Quang" in client.get("/staff/expiry").get_data(as_text=True)
