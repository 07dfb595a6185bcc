"""Law 91/2025/QH15: a separate, recorded marketing consent; the user's own data as a
download; deleting the account (orders kept for the Accounting Law's 10 years)."""

import csv
import io
import json
import zipfile
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from shop.accounts.personal_data import (
    DELETED_NAME,
    AccountDeletionRefused,
    delete_account,
    personal_data,
    refusals_for,
)
from shop.audit.models import AuditEntry
from shop.auth.exceptions import InvalidCredentials
from shop.auth.models import User
from shop.auth.services import authenticate
from shop.cart.models import CartLine
from shop.extensions import db
from shop.legal.models import Complaint, ConsentRecord
from shop.legal.rules import MARKETING_CONSENT_VERSION, DeletionRefusal
from shop.legal.services import (
    ComplaintInput,
    file_complaint,
    grant_marketing_consent,
    marketing_consent,
    marketing_recipients,
    withdraw_marketing_consent,
)
from shop.orders.models import Order, OrderStatus, SavedAddress
from tests.conftest import PASSWORD
from tests.factories import PROVINCE, WARD
from tests.helpers_http import assert_redirect, assert_signed_in, follow
from tests.orders.helpers import order_for

T1 = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
T2 = datetime(2026, 2, 5, 2, 0, tzinfo=UTC)


def _register(client, marketing: bool):
    data = {
        "full_name": "Trần Thị An",
        "email": "an@example.vn",
        "password": PASSWORD,
        "confirm": PASSWORD,
    }
    if marketing:
        data["marketing"] = "y"
    return client.post("/register", data=data)


def _user(email="an@example.vn") -> User:
    return db.session.scalar(select(User).where(User.email == email))


# -- consent


def test_registering_without_ticking_records_no_consent(client, app):
    assert_redirect(_register(client, marketing=False), "/register/sent")
    user = _user()
    assert marketing_consent(user) is None
    assert db.session.scalar(select(func.count()).select_from(ConsentRecord)) == 0


def test_ticking_the_box_records_time_and_text_version(client, app):
    before = datetime.now(UTC)
    assert_redirect(_register(client, marketing=True), "/register/sent")
    consent = marketing_consent(_user())
    assert consent.text_version == MARKETING_CONSENT_VERSION
    assert consent.source == "register"
    granted = consent.granted_at.replace(tzinfo=consent.granted_at.tzinfo or UTC)
    assert granted >= before.replace(microsecond=0)


def test_consent_history_is_kept_and_a_new_wording_replaces_the_old(app, make_user):
    user = make_user()
    first = grant_marketing_consent(user, T1, source="register", version="marketing-2025-12")
    assert grant_marketing_consent(user, T1, "account", version="marketing-2025-12") is first
    second = grant_marketing_consent(user, T2, source="account")
    db.session.commit()
    assert first.withdrawn_at is not None
    assert marketing_consent(user) is second
    assert withdraw_marketing_consent(user, T2) is True
    assert withdraw_marketing_consent(user, T2) is False
    db.session.commit()
    assert marketing_consent(user) is None
    assert db.session.scalar(select(func.count()).select_from(ConsentRecord)) == 2


def test_only_consenting_active_accounts_receive_marketing(app, make_user):
    yes, no, gone = make_user(), make_user(), make_user()
    grant_marketing_consent(yes, T1, source="account")
    grant_marketing_consent(gone, T1, source="account")
    gone.is_active_account = False
    db.session.commit()
    assert list(db.session.scalars(marketing_recipients())) == [yes]
    assert no not in db.session.scalars(marketing_recipients()).all()


def test_account_page_grants_and_withdraws_in_one_click(client, auth, make_user):
    user = make_user(email="an@example.vn")
    assert_signed_in(auth.login("an@example.vn"))
    page = client.get("/account")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "private, no-store"
    assert "Đồng ý nhận email" in page.get_data(as_text=True)
    html = follow(client, client.post("/account/marketing"), "/account", 303).get_data(as_text=True)
    assert "Rút lại đồng ý" in html
    assert marketing_consent(user).source == "account"
    follow(client, client.post("/account/marketing/withdraw"), "/account", 303)
    assert marketing_consent(user) is None


def test_account_pages_need_a_signed_in_user(client, app):
    for path in ("/account", "/account/my-data.zip", "/account/delete"):
        assert_redirect(client.get(path), "/login", query={"next": path})
    assert client.post("/account/marketing/withdraw").status_code == 302


# -- export


@pytest.fixture
def buyer_with_history(app, make_user, make_listed):
    user = make_user(email="an@example.vn", full_name="Trần Thị An")
    db.session.add(
        SavedAddress(
            user_id=user.id,
            customer_name="Trần Thị An",
            phone="0912345678",
            province_code=PROVINCE,
            ward_code=WARD,
            street='=HYPERLINK("http://x")',
        )
    )
    db.session.add(CartLine(user_id=user.id, product_id=make_listed().id, quantity=1))
    db.session.commit()
    order = order_for({make_listed(name="Mật ong bạc hà"): 2}, user=user)
    order.status = OrderStatus.COMPLETED  # delivered: nothing in progress
    grant_marketing_consent(user, T1, source="register")
    file_complaint(
        ComplaintInput("Trần Thị An", "an@example.vn", "0912345678", order.number, "Hộp bị móp."),
        user=user,
        today=T1.date(),
        working_days=3,
    )
    db.session.commit()
    return user, order


def test_the_export_holds_account_addresses_orders_complaints_consents(buyer_with_history):
    user, order = buyer_with_history
    data = personal_data(user)
    assert data["account"]["email"] == "an@example.vn"
    assert data["addresses"][0]["phone"] == "0912345678"
    [exported] = data["orders"]
    assert exported["number"] == order.number
    assert exported["lines"][0]["product_name"] == "Mật ong bạc hà"
    assert exported["lines"][0]["quantity"] == 2
    assert data["complaints"][0]["text"] == "Hộp bị móp."
    assert data["consents"][0]["text_version"] == MARKETING_CONSENT_VERSION
    json.dumps(data)  # plain JSON values only


def test_download_my_data_is_a_zip_of_json_and_csv(client, auth, buyer_with_history):
    _user_row, order = buyer_with_history
    assert_signed_in(auth.login("an@example.vn"))
    response = client.get("/account/my-data.zip")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "attachment" in response.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert set(archive.namelist()) == {
        "data.json",
        "account.csv",
        "addresses.csv",
        "orders.csv",
        "order_lines.csv",
        "complaints.csv",
        "consents.csv",
        "wishlist.csv",
        "stock_alerts.csv",
    }
    data = json.loads(archive.read("data.json"))
    assert data["orders"][0]["number"] == order.number
    rows = list(csv.DictReader(io.StringIO(archive.read("addresses.csv").decode("utf-8-sig"))))
    assert rows[0]["address"].startswith("'=HYPERLINK")  # no formula reaches a spreadsheet
    lines = list(csv.DictReader(io.StringIO(archive.read("order_lines.csv").decode("utf-8-sig"))))
    assert lines[0]["order_number"] == order.number


def test_another_users_data_is_not_in_my_export(client, auth, make_user, buyer_with_history):
    make_user(email="khac@example.vn")
    assert_signed_in(auth.login("khac@example.vn"))
    archive = zipfile.ZipFile(io.BytesIO(client.get("/account/my-data.zip").data))
    data = json.loads(archive.read("data.json"))
    assert data["account"]["email"] == "khac@example.vn"
    assert data["orders"] == data["addresses"] == data["complaints"] == data["consents"] == []


# -- deletion


def test_deleting_anonymises_the_person_and_keeps_the_orders(buyer_with_history):
    user, order = buyer_with_history
    delete_account(user, T2)
    db.session.commit()
    db.session.expire_all()
    assert user.full_name == DELETED_NAME
    assert user.email.endswith("@deleted.invalid")
    assert not user.is_active
    assert db.session.scalar(select(func.count()).select_from(SavedAddress)) == 0
    assert db.session.scalar(select(func.count()).select_from(CartLine)) == 0
    complaint = db.session.scalar(select(Complaint))
    assert (complaint.name, complaint.phone) == (DELETED_NAME, None)
    assert complaint.email == user.email
    assert marketing_consent(user) is None
    assert db.session.scalar(select(ConsentRecord)).withdrawn_at is not None  # kept as proof
    # The order, the accounting document, is whole (Law on Accounting, 10 years).
    kept = db.session.get(Order, order.id)
    assert (kept.customer_name, kept.email, kept.phone) == (
        "Trần Thị Bình",
        "binh@example.vn",
        "0912345678",
    )
    assert len(kept.lines) == 1
    with pytest.raises(InvalidCredentials):
        authenticate("an@example.vn", PASSWORD)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "account.deleted"))
    assert entry.target_id == user.id
    assert "an@example.vn" not in json.dumps(entry.data)


def test_an_order_in_progress_refuses_deletion(app, make_user, make_listed):
    user = make_user()
    order_for({make_listed(): 1}, user=user)  # cash on delivery, awaiting delivery
    assert refusals_for(user) == [DeletionRefusal.ORDERS_IN_PROGRESS]
    with pytest.raises(AccountDeletionRefused):
        delete_account(user, T2)
    db.session.rollback()
    assert _user(user.email).is_active


def test_staff_and_producers_are_refused_with_a_reason(client, auth, staff, make_producer):
    assert refusals_for(staff) == [DeletionRefusal.STAFF]
    producer = make_producer()
    owner = producer.members[0].user
    assert refusals_for(owner) == [DeletionRefusal.PRODUCER]
    assert_signed_in(auth.login(owner.email))
    page = client.get("/account/delete")
    assert page.status_code == 200
    assert "thuộc một chủ thể bán hàng" in page.get_data(as_text=True)
    response = client.post("/account/delete", data={"password": PASSWORD, "confirm": "y"})
    assert response.status_code == 409
    assert _user(owner.email).is_active


def test_delete_my_account_through_the_page(client, auth, buyer_with_history):
    user, _order = buyer_with_history
    assert_signed_in(auth.login("an@example.vn"))
    assert client.get("/account/delete").status_code == 200
    # Without the confirmation, or with a wrong password: nothing happens.
    assert client.post("/account/delete", data={"password": PASSWORD}).status_code == 400
    response = client.post("/account/delete", data={"password": "wrong one", "confirm": "y"})
    assert response.status_code == 400
    assert "Mật khẩu hiện tại không đúng." in response.get_data(as_text=True)
    assert _user("an@example.vn") is not None
    response = client.post("/account/delete", data={"password": PASSWORD, "confirm": "y"})
    assert_redirect(response, "/")
    assert _user("an@example.vn") is None
    assert_redirect(client.get("/account"), "/login", query={"next": "/account"})  # signed out
    response = auth.login("an@example.vn")
    assert response.status_code == 401
    # The address is free for a new account.
    assert (
        client.post(
            "/register",
            data={
                "full_name": "An mới",
                "email": "an@example.vn",
                "password": PASSWORD,
                "confirm": PASSWORD,
            },
        ).status_code
        == 302
    )
    assert _user("an@example.vn").id != user.id
