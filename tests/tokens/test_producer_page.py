"""The producer's API tokens page: owners create (the secret shown once) and
revoke; members only look; another producer's token is a 404."""

import re

import pytest
from sqlalchemy import select

from shop.extensions import db
from shop.producers.models import MemberRole, ProducerMember
from shop.tokens.models import ApiToken
from shop.tokens.rules import hash_token
from tests.helpers_http import assert_redirect
from tests.tokens.helpers import bearer, make_token

PAGE = "/producer/api-tokens"


@pytest.fixture
def producer(app, make_producer):
    return make_producer()


def _login_owner(auth, producer):
    auth.login(producer.members[0].user.email)


def test_signed_out_goes_to_sign_in(client, producer):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert "/login" in response.location


def test_owner_creates_a_token_shown_once(client, auth, producer):
    _login_owner(auth, producer)
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "Tạo khoá mới" in page.get_data(as_text=True)
    response = client.post(
        PAGE,
        data={"name": "Bảng tính kho", "scopes": ["stock:write", "orders:read"], "lifetime": "30"},
    )
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    html = response.get_data(as_text=True)
    secret = re.search(r'value="(ocop_pat_[A-Za-z0-9_-]{43})"', html).group(1)
    token = db.session.scalar(select(ApiToken))
    assert token.token_hash == hash_token(secret)
    assert token.name == "Bảng tính kho"
    assert token.scopes_text == "orders:read stock:write"
    assert token.created_by_id == producer.members[0].user_id
    # The token works, and the page never shows it again.
    assert client.get("/api/v1/producer/orders", headers=bearer(secret)).status_code == 200
    again = client.get(PAGE).get_data(as_text=True)
    assert secret not in again
    assert token.hint in again


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "scopes": ["orders:read"], "lifetime": "90"}, "Vui lòng đặt tên cho khoá."),
        (
            {"name": "   ", "scopes": ["orders:read"], "lifetime": "90"},
            "Vui lòng đặt tên cho khoá.",
        ),
        ({"name": "x", "lifetime": "90"}, "Chọn ít nhất một quyền."),
        ({"name": "x", "scopes": ["admin:all"], "lifetime": "90"}, None),
        ({"name": "x", "scopes": ["orders:read"], "lifetime": "7"}, None),
        ({"name": "x" * 81, "scopes": ["orders:read"], "lifetime": "90"}, "Tên tối đa 80 ký tự."),
    ],
)
def test_a_bad_form_is_a_400_and_makes_nothing(client, auth, producer, data, message):
    _login_owner(auth, producer)
    response = client.post(PAGE, data=data)
    assert response.status_code == 400
    if message:
        assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(ApiToken)) is None


def test_owner_revokes(client, auth, producer):
    token, secret = make_token(producer)
    _login_owner(auth, producer)
    assert_redirect(client.post(f"{PAGE}/{token.id}/revoke"), PAGE, 303)
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).revoked_at is not None
    assert client.get("/api/v1/producer/orders", headers=bearer(secret)).status_code == 401
    assert_redirect(client.post(f"{PAGE}/{token.id}/revoke"), PAGE, 303)  # twice: told, no 500


def test_a_member_sees_but_cannot_create_or_revoke(client, auth, producer, make_user):
    token, _secret = make_token(producer)
    member = make_user()
    db.session.add(ProducerMember(producer=producer, user=member, role=MemberRole.MEMBER))
    db.session.commit()
    auth.login(member.email)
    page = client.get(PAGE)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert token.name in html
    assert "Tạo khoá mới" not in html
    response = client.post(PAGE, data={"name": "x", "scopes": ["orders:read"], "lifetime": "90"})
    assert response.status_code == 403
    assert client.post(f"{PAGE}/{token.id}/revoke").status_code == 403
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).revoked_at is None
    assert db.session.scalar(select(db.func.count()).select_from(ApiToken)) == 1


def test_another_producers_token_is_a_404(client, auth, producer, make_producer):
    other = make_producer()
    theirs, _secret = make_token(other, name="Của người khác")
    _login_owner(auth, producer)
    assert client.post(f"{PAGE}/{theirs.id}/revoke").status_code == 404
    assert "Của người khác" not in client.get(PAGE).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(ApiToken, theirs.id).revoked_at is None


def test_recent_calls_are_listed_for_owners(client, auth, producer):
    _token, secret = make_token(producer, name="Đồng bộ")
    assert client.get("/api/v1/producer/orders", headers=bearer(secret)).status_code == 200
    _login_owner(auth, producer)
    html = client.get(PAGE).get_data(as_text=True)
    assert "GET /api/v1/producer/orders" in html


def test_the_nav_links_to_the_page(client, auth, producer):
    _login_owner(auth, producer)
    html = client.get("/producer/members").get_data(as_text=True)
    assert f'href="{PAGE}"' in html
