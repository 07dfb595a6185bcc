import io
import os

import pytest
from PIL import Image
from sqlalchemy import func, select
from werkzeug.test import EnvironBuilder

from shop.audit.models import AuditEntry
from shop.auth.models import Role, User
from shop.extensions import db
from shop.producers.models import MemberRole, Producer, ProducerMember, ProducerStatus
from tests.conftest import PASSWORD
from tests.factories import OTHER_WARD, PROVINCE, WARD
from tests.helpers_http import assert_signed_in


def _form(**overrides):
    data = {
        "kind": "cooperative",
        "legal_name": "Hợp tác xã Chè Shan Tuyết Lũng Phìn",
        "registration_number": "5100456789",
        "representative": "Vàng Mí Sính",
        "phone": "0912 345 678",
        "email": "htx@example.vn",
        "province_code": str(PROVINCE),
        "ward_code": str(WARD),
        "street": "Thôn Sán Trồ",
        "former_locality": "Hà Giang",
        "description": "Chè cổ thụ.",
    }
    data.update(overrides)
    return data


def _png(size=(64, 64), color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def signed_in(client, make_user, auth):
    user = make_user(email="owner@example.vn")
    assert_signed_in(auth.login("owner@example.vn"))
    return user


def add_member_directly(producer, user):
    """A member as accepting an invitation leaves one (see test_invitations.py)."""
    producer.members.append(ProducerMember(user=user, role=MemberRole.MEMBER))
    user.role = Role.PRODUCER
    db.session.commit()


def post_multipart(client, path, data):
    """POST a multipart body and close the temporary file werkzeug spools it into.

    (The test client leaves a body over 500 KB in an open temporary file.)
    """
    builder = EnvironBuilder(
        path=path, method="POST", data=data, content_type="multipart/form-data"
    )
    environ = builder.get_environ()
    try:
        return client.open(environ)
    finally:
        environ["wsgi.input"].close()
        builder.close()


def redirects_to(response, location: str) -> None:
    assert response.status_code == 302, response.status_code
    assert response.headers["Location"] == location


def answers(response, status: int) -> None:
    """A page, not a redirect, with this status."""
    assert response.status_code == status
    assert "Location" not in response.headers


def _register_producer(client, **overrides):
    redirects_to(client.post("/producer/register", data=_form(**overrides)), "/producer/")


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def _uploaded_files(app):
    root = app.config["UPLOAD_FOLDER"]
    return [f for _dir, _dirs, files in os.walk(root) for f in files]


def test_register_producer_starts_pending_with_re_encoded_logo(app, client, signed_in):
    data = _form(logo=(io.BytesIO(_png()), "logo.png"))
    response = client.post("/producer/register", data=data, content_type="multipart/form-data")
    redirects_to(response, "/producer/")
    producer = db.session.scalar(select(Producer))
    assert producer.status == ProducerStatus.PENDING
    assert producer.phone == "0912345678"
    assert producer.ward.name == "Xã Lũng Phìn"
    assert producer.former_locality == "Hà Giang"
    assert producer.members[0].user_id == signed_in.id
    db.session.refresh(signed_in)
    assert signed_in.role == Role.PRODUCER
    assert producer.logo_path.endswith(".webp")
    with client.get("/media/" + producer.logo_path) as logo:
        assert logo.status_code == 200
        assert Image.open(io.BytesIO(logo.data)).format == "WEBP"


def test_household_needs_no_registration_number(client, signed_in):
    _register_producer(client, kind="household", registration_number="", tax_id="001089012345")
    assert db.session.scalar(select(Producer)).registration_number is None


def test_phone_in_plus84_form_is_accepted(client, signed_in):
    _register_producer(client, phone="+84 987 654 321")
    assert db.session.scalar(select(Producer)).phone == "0987654321"


BAD_INPUT = [
    ({"legal_name": ""}, "Vui lòng nhập tên chủ thể."),
    ({"legal_name": "x" * 201}, "Tên tối đa 200 ký tự."),
    ({"registration_number": ""}, "Hợp tác xã và doanh nghiệp phải có mã số thuế hoặc số đăng ký."),
    ({"kind": "corporation"}, "Vui lòng chọn loại chủ thể."),
    ({"representative": ""}, "Vui lòng nhập người đại diện."),
    ({"phone": "12345"}, "Số điện thoại không hợp lệ"),
    ({"phone": "0112345678"}, "Số điện thoại không hợp lệ"),
    ({"phone": "+1 415 555 0100"}, "Số điện thoại không hợp lệ"),
    ({"email": "nope"}, "Email không hợp lệ."),
    ({"province_code": ""}, "Vui lòng chọn tỉnh/thành phố."),
    ({"province_code": "999"}, "Vui lòng chọn tỉnh/thành phố."),
    ({"ward_code": ""}, "Vui lòng chọn xã/phường."),
    ({"ward_code": "99999999"}, "Xã/phường không thuộc tỉnh/thành phố đã chọn."),
    ({"ward_code": "abc"}, "Vui lòng chọn xã/phường."),
    ({"ward_code": str(OTHER_WARD)}, "Xã/phường không thuộc tỉnh/thành phố đã chọn."),
    ({"street": ""}, "Vui lòng nhập địa chỉ."),
    ({"street": "s" * 201}, "Địa chỉ tối đa 200 ký tự."),
    ({"description": "d" * 4001}, "Giới thiệu tối đa 4000 ký tự."),
]


@pytest.mark.parametrize(("overrides", "message"), BAD_INPUT)
def test_bad_producer_input_gets_a_message_and_saves_nothing(
    app, client, signed_in, overrides, message
):
    response = client.post("/producer/register", data=_form(**overrides))
    answers(response, 400)
    assert message in response.get_data(as_text=True)
    assert _count(Producer) == 0
    assert _count(ProducerMember) == 0


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        ((b"\x89PNG" + b"\0" * (20 * 1024 * 1024), "big.png"), "Tệp quá lớn: tối đa 5 MB."),
        (
            (b"%PDF-1.4 not an image", "doc.png"),
            "Tệp không phải là ảnh JPEG, PNG hoặc WebP hợp lệ.",
        ),
        ((b"plain text", "notes.txt"), "Tệp không phải là ảnh JPEG, PNG hoặc WebP hợp lệ."),
        (
            (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "l.svg"),
            "Không nhận ảnh SVG",
        ),
        ((b'<?xml version="1.0"?><svg></svg>', "logo.png"), "Không nhận ảnh SVG"),
    ],
)
def test_bad_logo_is_refused_beside_the_field(app, client, signed_in, upload, message):
    body, name = upload
    response = post_multipart(client, "/producer/register", _form(logo=(io.BytesIO(body), name)))
    answers(response, 400)
    assert message in response.get_data(as_text=True)
    assert _count(Producer) == 0
    assert _uploaded_files(app) == []


def test_gif_logo_is_refused(app, client, signed_in):
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, format="GIF")
    response = client.post(
        "/producer/register",
        data=_form(logo=(io.BytesIO(out.getvalue()), "x.gif")),
        content_type="multipart/form-data",
    )
    answers(response, 400)
    assert "không phải là ảnh JPEG, PNG hoặc WebP" in response.get_data(as_text=True)


def test_valid_logo_with_invalid_form_stores_no_file(app, client, signed_in):
    response = client.post(
        "/producer/register",
        data=_form(phone="1", logo=(io.BytesIO(_png()), "logo.png")),
        content_type="multipart/form-data",
    )
    answers(response, 400)
    assert _uploaded_files(app) == []


def test_wards_of_the_chosen_province_are_offered(client, signed_in):
    response = client.post("/producer/register", data=_form(ward_code=""))
    answers(response, 400)
    page = response.get_data(as_text=True)
    assert "Xã Lũng Phìn" in page
    assert "Xã Bắc Hà" not in page  # a commune of Lào Cai


def test_one_producer_per_user(client, signed_in):
    _register_producer(client)
    redirects_to(client.get("/producer/register"), "/producer/")


def test_a_member_leaves_and_the_owner_removes_one(client, app, make_user, signed_in):
    _register_producer(client)
    producer = db.session.scalar(select(Producer))
    for email in ("colleague@example.vn", "leaver@example.vn"):
        add_member_directly(producer, make_user(email=email))
    by_email = {m.user.email: m.id for m in producer.members}
    leaver_user = db.session.scalar(select(User).where(User.email == "leaver@example.vn"))

    leaver = app.test_client()
    redirects_to(
        leaver.post("/login", data={"email": "leaver@example.vn", "password": PASSWORD}),
        "/producer/",
    )
    # A plain member may remove only themselves.
    answers(leaver.post(f"/producer/members/{by_email['colleague@example.vn']}/remove"), 403)
    redirects_to(
        leaver.post(f"/producer/members/{by_email['leaver@example.vn']}/remove"),
        "/producer/members",
    )
    redirects_to(
        client.post(f"/producer/members/{by_email['colleague@example.vn']}/remove"),
        "/producer/members",
    )
    db.session.expire_all()
    assert [m.user.email for m in producer.members] == ["owner@example.vn"]
    assert leaver_user.role == Role.CUSTOMER
    removals = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "producer.member_remove")
    ).all()
    assert {(e.actor.email, e.target_id) for e in removals} == {
        ("leaver@example.vn", producer.id),
        ("owner@example.vn", producer.id),
    }


def test_last_owner_cannot_be_removed(client, signed_in):
    _register_producer(client)
    member = db.session.scalar(select(ProducerMember))
    response = client.post(f"/producer/members/{member.id}/remove")
    redirects_to(response, "/producer/members")
    page = client.get("/producer/members").get_data(as_text=True)
    assert "phải còn ít nhất một chủ sở hữu" in page
    assert _count(ProducerMember) == 1


def test_staff_verifies_a_producer(client, make_user, make_producer, auth):
    producer = make_producer(verified=False)
    make_user(email="canbo@example.vn", role=Role.STAFF)
    assert_signed_in(auth.login("canbo@example.vn"))
    assert producer.legal_name in client.get("/staff/producers").get_data(as_text=True)
    redirects_to(client.post(f"/staff/producers/{producer.id}/verify"), "/staff/producers")
    db.session.refresh(producer)
    assert producer.status == ProducerStatus.VERIFIED
    assert producer.reviewed_by.email == "canbo@example.vn"


def test_staff_rejects_a_producer_with_a_reason(client, make_user, make_producer, auth):
    producer = make_producer(verified=False)
    make_user(email="canbo@example.vn", role=Role.STAFF)
    assert_signed_in(auth.login("canbo@example.vn"))
    response = client.post(f"/staff/producers/{producer.id}/reject", data={"reason": ""})
    answers(response, 400)
    assert "Vui lòng nêu lý do." in response.get_data(as_text=True)
    response = client.post(
        f"/staff/producers/{producer.id}/reject", data={"reason": "Thiếu mã số thuế"}
    )
    redirects_to(response, "/staff/producers")
    db.session.refresh(producer)
    assert producer.status == ProducerStatus.REJECTED
    assert producer.review_note == "Thiếu mã số thuế"
    from shop.mail import outbox

    (mail,) = [m for m in outbox() if m["To"] == producer.email]
    assert "bị từ chối" in mail["Subject"]
    assert "Lý do: Thiếu mã số thuế" in mail.get_content()


def test_producer_is_emailed_when_verified(client, staff, make_producer, auth):
    from shop.mail import outbox

    producer = make_producer(verified=False)
    assert_signed_in(auth.login(staff.email))
    redirects_to(client.post(f"/staff/producers/{producer.id}/verify"), "/staff/producers")
    (mail,) = [m for m in outbox() if m["To"] == producer.email]
    assert "đã được xác minh" in mail["Subject"]


def test_without_javascript_the_ward_list_reloads_without_saving(client, signed_in):
    response = client.post(
        "/producer/register", data=_form(ward_code="", refresh_wards="1", legal_name="")
    )
    answers(response, 200)
    page = response.get_data(as_text=True)
    assert "Xã Lũng Phìn" in page
    assert "Vui lòng nhập tên chủ thể." not in page
    assert _count(Producer) == 0


def test_staff_cannot_register_a_producer(client, staff, auth):
    assert_signed_in(auth.login(staff.email))
    assert client.get("/producer/register").status_code == 403
    answers(client.post("/producer/register", data=_form()), 403)


def test_changing_legal_identity_sends_a_verified_producer_back_to_review(
    client, make_producer, signed_in
):
    producer = make_producer(owner=signed_in)
    assert producer.status == ProducerStatus.VERIFIED
    same = {"legal_name": producer.legal_name, "registration_number": producer.registration_number}
    redirects_to(
        client.post("/producer/profile", data=_form(**same, street="Mới")), "/producer/profile"
    )
    db.session.refresh(producer)
    assert producer.status == ProducerStatus.VERIFIED  # an address change keeps it
    redirects_to(
        client.post("/producer/profile", data=_form(legal_name="Công ty Khác Hẳn")),
        "/producer/profile",
    )
    db.session.refresh(producer)
    assert producer.status == ProducerStatus.PENDING
