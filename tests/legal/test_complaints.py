"""Complaints: filed by anyone, due in working days, answered by staff through the outbox."""

import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from shop.audit.models import AuditEntry
from shop.auth.models import Role
from shop.extensions import db
from shop.legal.models import Complaint
from shop.legal.rules import ComplaintStatus, ComplaintTransitionError
from shop.legal.services import (
    ComplaintInput,
    answer_complaint,
    close_complaint,
    complaint_for_key,
    complaints_for_staff,
    file_complaint,
)
from shop.mail import outbox
from tests.helpers_http import assert_redirect, assert_signed_in, follow

FRIDAY = date(2026, 11, 27)
NOW = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)


def _input(**overrides) -> ComplaintInput:
    data = {
        "name": "Lò Thị Mai",
        "email": "Mai@Example.vn",
        "phone": None,
        "order_number": "dh2611000001",
        "text": "Mật ong bị vỡ lọ khi nhận hàng.",
    }
    data.update(overrides)
    return ComplaintInput(**data)


def _file(today=FRIDAY, **overrides):
    complaint, key = file_complaint(_input(**overrides), user=None, today=today, working_days=3)
    db.session.commit()
    return complaint, key


def _form(**overrides) -> dict:
    data = {
        "name": "Lò Thị Mai",
        "email": "mai@example.vn",
        "phone": "091 234 5678",
        "order_number": "",
        "text": "Mật ong bị vỡ lọ khi nhận hàng.",
    }
    data.update(overrides)
    return data


# -- services


def test_a_filed_complaint_is_open_and_due_in_three_working_days(app):
    complaint, key = _file()
    assert complaint.status == ComplaintStatus.OPEN
    assert complaint.due_on == date(2026, 12, 2)  # Friday + Mon, Tue, Wed
    assert complaint.email == "mai@example.vn"
    assert complaint.order_number == "DH2611000001"
    assert complaint.reference.startswith("KN-")
    assert key not in complaint.access_key_hash  # only its hash is stored
    assert complaint_for_key(complaint.id, key) is complaint
    assert complaint_for_key(complaint.id, key + "x") is None
    [mail] = outbox()
    assert mail["To"] == "mai@example.vn"
    assert complaint.reference in mail["Subject"]
    assert "02/12/2026" in mail.get_content()
    assert f"/complaints/{complaint.id}?key={key}" in mail.get_content()
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "complaint.filed"))
    assert entry.target_id == complaint.id


def test_answering_records_audits_and_emails(app, staff):
    complaint, _key = _file()
    answer_complaint(complaint, staff, "  Người bán sẽ gửi lọ mới trong 2 ngày.  ", NOW)
    db.session.commit()
    assert complaint.status == ComplaintStatus.ANSWERED
    assert complaint.answer == "Người bán sẽ gửi lọ mới trong 2 ngày."
    assert complaint.answered_by_id == staff.id
    answer_mail = outbox()[-1]
    assert answer_mail["To"] == "mai@example.vn"
    assert "Người bán sẽ gửi lọ mới" in answer_mail.get_content()
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "complaint.answered"))
    assert (entry.actor_id, entry.target_id) == (staff.id, complaint.id)


def test_a_closed_complaint_takes_no_answer(app, staff):
    complaint, _key = _file()
    close_complaint(complaint, staff, NOW, "Trùng khiếu nại KN-khác")
    db.session.commit()
    sent = len(outbox())
    with pytest.raises(ComplaintTransitionError):
        answer_complaint(complaint, staff, "Trả lời muộn", NOW)
    db.session.rollback()
    assert len(outbox()) == sent
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "complaint.closed"))
    assert entry.reason == "Trùng khiếu nại KN-khác"


def test_staff_list_puts_open_complaints_first_earliest_due_first(app, staff):
    # Filed in this order; listed by due date, not by filing.
    fresh, _ = _file(today=date(2026, 11, 27))
    answered, _ = _file(today=date(2026, 10, 1))
    answer_complaint(answered, staff, "Đã xử lý.", NOW)
    late, _ = _file(today=date(2026, 11, 2))
    closed, _ = _file(today=date(2026, 9, 1))
    close_complaint(closed, staff, NOW, "Không liên quan")
    db.session.commit()
    ids = [c.id for c in db.session.scalars(complaints_for_staff())]
    assert ids == [late.id, fresh.id, answered.id, closed.id]
    open_ids = [c.id for c in db.session.scalars(complaints_for_staff(ComplaintStatus.OPEN))]
    assert open_ids == [late.id, fresh.id]


# -- the public form


def test_the_form_files_a_complaint_and_shows_its_due_date(client, app):
    response = client.post("/complaints/new", data=_form())
    assert response.status_code == 303
    complaint = db.session.scalar(select(Complaint))
    assert response.location.startswith(f"/complaints/{complaint.id}?key=")
    page = client.get(response.location)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "private, no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    html = page.get_data(as_text=True)
    assert complaint.reference in html
    assert complaint.due_on.strftime("%d/%m/%Y") in html
    assert complaint.phone == "0912345678"
    assert [m["To"] for m in outbox()] == ["mai@example.vn"]


def test_a_wrong_key_is_a_404(client, app):
    complaint, key = _file()
    assert client.get(f"/complaints/{complaint.id}").status_code == 404
    assert client.get(f"/complaints/{complaint.id}?key=nope").status_code == 404
    assert client.get(f"/complaints/{complaint.id + 1}?key={key}").status_code == 404
    assert client.get(f"/complaints/{complaint.id}?key={key}").status_code == 200


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": ""}, "Vui lòng nhập họ và tên."),
        ({"email": "không-phải-email"}, "Email không hợp lệ."),
        ({"phone": "12345"}, "Số điện thoại không hợp lệ"),
        ({"text": "ngắn"}, "Nội dung từ 10 đến"),
        ({"order_number": "X" * 21}, "Mã đơn hàng tối đa 20 ký tự."),
    ],
)
def test_bad_input_is_a_form_error(client, app, overrides, message):
    response = client.post("/complaints/new", data=_form(**overrides))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(Complaint)) is None


def test_the_form_is_rate_limited(client, app):
    app.config["COMPLAINT_RATE_LIMIT"] = "2 per hour"
    for _ in range(2):
        assert client.post("/complaints/new", data=_form()).status_code == 303
    assert client.post("/complaints/new", data=_form()).status_code == 429
    assert len(db.session.scalars(select(Complaint)).all()) == 2


def test_a_signed_in_buyer_gets_the_form_filled_and_the_complaint_linked(
    client, app, auth, make_user
):
    user = make_user(email="an@example.vn", full_name="Nguyễn Văn An")
    assert_signed_in(auth.login("an@example.vn"))
    html = client.get("/complaints/new?order=DH2611000007").get_data(as_text=True)
    assert 'value="Nguyễn Văn An"' in html
    assert 'value="an@example.vn"' in html
    assert 'value="DH2611000007"' in html
    response = client.post("/complaints/new", data=_form(email="an@example.vn"))
    assert response.status_code == 303
    assert db.session.scalar(select(Complaint)).user_id == user.id


# -- staff


def test_only_staff_reach_the_complaints(client, app, auth, make_user):
    complaint, _key = _file()
    assert_redirect(client.get("/staff/complaints"), "/login", query={"next": "/staff/complaints"})
    make_user(email="c@example.vn")
    assert_signed_in(auth.login("c@example.vn"))
    assert client.get("/staff/complaints").status_code == 403
    assert client.get(f"/staff/complaints/{complaint.id}").status_code == 403
    data = {"answer": "x"}
    assert client.post(f"/staff/complaints/{complaint.id}/answer", data=data).status_code == 403
    assert client.post(f"/staff/complaints/{complaint.id}/close", data=data).status_code == 403


@pytest.fixture
def staff_client(client, auth, make_user):
    make_user(email="nv@example.vn", role=Role.STAFF, full_name="Cán bộ Hà")
    assert_signed_in(auth.login("nv@example.vn"))
    return client


def test_staff_see_overdue_complaints_first_and_flagged(staff_client, app):
    fresh, _ = _file(today=date(2099, 1, 5), name="Khách mới")
    overdue, _ = _file(today=date(2020, 1, 6), name="Khách quá hạn")
    response = staff_client.get("/staff/complaints")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.index("Khách quá hạn") < html.index("Khách mới")
    rows = re.findall(r"<tr( class=\"overdue\")?>\s*<td data-label=[^>]*><a[^>]*>(KN-\w+)", html)
    assert rows == [(' class="overdue"', overdue.reference), ("", fresh.reference)]
    assert html.count("Quá hạn") == 1
    assert staff_client.get("/staff/complaints?status=bogus").status_code == 400
    assert staff_client.get("/staff/complaints/999999").status_code == 404


def test_staff_answer_then_close(staff_client, app):
    complaint, key = _file()
    url = f"/staff/complaints/{complaint.id}"
    assert staff_client.get(url).status_code == 200
    assert staff_client.post(f"{url}/answer", data={"answer": ""}).status_code == 400
    page = follow(
        staff_client,
        staff_client.post(f"{url}/answer", data={"answer": "Chúng tôi hoàn tiền 120.000 ₫."}),
        url,
        status=303,
    )
    assert "Chúng tôi hoàn tiền 120.000 ₫." in page.get_data(as_text=True)
    db.session.expire_all()
    assert complaint.status == ComplaintStatus.ANSWERED
    assert "Chúng tôi hoàn tiền" in outbox()[-1].get_content()
    # The buyer sees the answer on the tracking page.
    public = staff_client.get(f"/complaints/{complaint.id}?key={key}").get_data(as_text=True)
    assert "Chúng tôi hoàn tiền 120.000 ₫." in public
    assert_redirect(
        staff_client.post(f"{url}/close", data={"reason": "Đã hoàn tiền"}),
        "/staff/complaints",
        status=303,
    )
    db.session.expire_all()
    assert complaint.status == ComplaintStatus.CLOSED
    response = staff_client.post(f"{url}/answer", data={"answer": "Thêm"})
    assert response.status_code == 409
    assert_redirect(staff_client.post(f"{url}/close", data={"reason": "lần hai"}), url, status=303)
