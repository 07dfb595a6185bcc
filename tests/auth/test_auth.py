import re

import pytest
from sqlalchemy import func, select

from shop.auth.models import Role, User
from shop.auth.redirects import safe_next
from shop.extensions import db
from shop.mail import outbox
from tests.conftest import PASSWORD


def _register(client, email="An@Example.vn", password=PASSWORD, **extra):
    data = {
        "full_name": "Trần Thị An",
        "email": email,
        "password": password,
        "confirm": password,
        **extra,
    }
    return client.post("/register", data=data)


def test_register_logs_in_and_stores_argon2id_hash(client):
    response = _register(client)
    assert response.status_code == 302
    user = db.session.scalar(select(User))
    assert user.email == "an@example.vn"
    assert user.role == Role.CUSTOMER
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
    # Signed in: the password page is reachable.
    assert client.get("/account/password").status_code == 200


def test_emails_are_unique_whatever_their_case(client):
    _register(client, email="an@example.vn")
    client.post("/logout")
    response = _register(client, email="AN@EXAMPLE.VN")
    assert response.status_code == 400
    assert "Email này đã được đăng ký." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"email": ""}, "Vui lòng nhập email."),
        ({"email": "not-an-email"}, "Email không hợp lệ."),
        ({"full_name": ""}, "Vui lòng nhập họ và tên."),
        ({"full_name": "x" * 121}, "Họ và tên tối đa 120 ký tự."),
        ({"password": "short", "confirm": "short"}, "Mật khẩu phải dài từ 10 đến 128 ký tự."),
        ({"confirm": "something else"}, "Hai mật khẩu không khớp."),
    ],
)
def test_register_rejects_bad_input_beside_the_field(client, overrides, message):
    response = _register(client, **overrides)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_login_with_any_case_email(client, make_user, auth):
    make_user(email="binh@example.vn")
    response = auth.login("Binh@Example.VN")
    assert response.status_code == 302
    assert client.get("/account/password").status_code == 200


def test_wrong_password_is_refused_with_a_message(client, make_user, auth):
    make_user(email="binh@example.vn")
    response = auth.login("binh@example.vn", "wrong password!")
    assert response.status_code == 401
    assert "Email hoặc mật khẩu không đúng." in response.get_data(as_text=True)
    assert client.get("/account/password").status_code == 302


def test_unknown_email_gets_the_same_answer(auth):
    response = auth.login("nobody@example.vn")
    assert response.status_code == 401
    assert "Email hoặc mật khẩu không đúng." in response.get_data(as_text=True)


def test_logout_invalidates_the_remember_cookie(app, make_user):
    make_user(email="chi@example.vn")
    browser = app.test_client()
    browser.post("/login", data={"email": "chi@example.vn", "password": PASSWORD, "remember": "y"})
    remember = browser.get_cookie("remember_token")
    assert remember is not None
    browser.post("/logout")

    # A stolen copy of the old cookie, replayed in a fresh browser, is worthless.
    thief = app.test_client()
    thief.set_cookie("remember_token", remember.value)
    assert thief.get("/account/password").status_code == 302


def test_remember_cookie_signs_in_a_new_browser_session(app, make_user):
    make_user(email="chi@example.vn")
    browser = app.test_client()
    browser.post("/login", data={"email": "chi@example.vn", "password": PASSWORD, "remember": "y"})
    remember = browser.get_cookie("remember_token")
    fresh = app.test_client()
    fresh.set_cookie("remember_token", remember.value)
    assert fresh.get("/account/password").status_code == 200


def test_changing_password_signs_out_other_sessions(app, make_user):
    make_user(email="dung@example.vn")
    laptop, phone = app.test_client(), app.test_client()
    for c in (laptop, phone):
        c.post("/login", data={"email": "dung@example.vn", "password": PASSWORD})
        assert c.get("/account/password").status_code == 200
    new = "a brand new passphrase"
    response = laptop.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": new, "confirm": new},
    )
    assert response.status_code == 302
    assert laptop.get("/account/password").status_code == 200  # this session stays
    assert phone.get("/account/password").status_code == 302  # the other one is out
    fresh = app.test_client()
    assert (
        fresh.post("/login", data={"email": "dung@example.vn", "password": new}).status_code == 302
    )


def test_change_password_needs_the_current_one(client, make_user, auth):
    make_user(email="dung@example.vn")
    auth.login("dung@example.vn")
    response = client.post(
        "/account/password",
        data={"current_password": "not it at all", "new_password": "x" * 12, "confirm": "x" * 12},
    )
    assert response.status_code == 400
    assert "Mật khẩu hiện tại không đúng." in response.get_data(as_text=True)


def _reset_link(app) -> str:
    body = outbox()[-1].get_content()
    return re.search(r"http://\S+/password/reset/\S+", body).group(0)


def test_password_reset_by_emailed_link(app, client, make_user):
    make_user(email="em@example.vn")
    response = client.post("/password/forgot", data={"email": "EM@example.vn"})
    assert response.status_code == 302
    assert outbox()[-1]["To"] == "em@example.vn"
    path = _reset_link(app).split("127.0.0.1:5000", 1)[1]
    new = "reset passphrase 2026"
    assert client.post(path, data={"password": new, "confirm": new}).status_code == 302
    assert (
        client.post("/login", data={"email": "em@example.vn", "password": new}).status_code == 302
    )
    # The link works once: the password it was made for is gone.
    client.post("/logout")
    assert client.get(path).status_code == 400


def test_forgot_password_does_not_reveal_accounts(client):
    response = client.post("/password/forgot", data={"email": "nobody@example.vn"})
    assert response.status_code == 302
    assert outbox() == []


def test_tampered_reset_token_is_refused(client):
    assert client.get("/password/reset/not-a-token").status_code == 400


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/producer/", "/producer/"),
        ("/products?q=ch%C3%A8", "/products?q=ch%C3%A8"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("http:/evil.example", "/"),
        ("", "/"),
        (None, "/"),
        ("/ok\r\nSet-Cookie: x=1", "/"),
    ],
)
def test_safe_next(target, expected):
    assert safe_next(target, "/") == expected


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "/\\evil.example"])
def test_login_never_redirects_off_site(client, make_user, target):
    make_user(email="gia@example.vn")
    response = client.post(
        f"/login?next={target}", data={"email": "gia@example.vn", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_login_follows_a_local_next(client, make_user):
    make_user(email="gia@example.vn")
    response = client.post(
        "/login?next=/account/password", data={"email": "gia@example.vn", "password": PASSWORD}
    )
    assert response.headers["Location"] == "/account/password"


def test_eleventh_failed_login_for_one_account_is_429(client, make_user):
    make_user(email="ha@example.vn")
    for n in range(10):
        response = client.post(
            "/login",
            data={"email": "ha@example.vn", "password": "wrong"},
            environ_base={"REMOTE_ADDR": f"10.0.0.{n + 1}"},  # from ten addresses
        )
        assert response.status_code == 401
    response = client.post(
        "/login",
        data={"email": "HA@example.vn", "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.99"},
    )
    assert response.status_code == 429
    assert "thử quá nhiều lần" in response.get_data(as_text=True)


def test_eleventh_failed_login_from_one_address_is_429(client):
    for n in range(10):
        response = client.post("/login", data={"email": f"x{n}@example.vn", "password": "wrong"})
        assert response.status_code == 401
    assert client.post("/login", data={"email": "y@example.vn", "password": "w"}).status_code == 429


def test_successful_logins_do_not_count_towards_the_limit(client, make_user):
    make_user(email="ha@example.vn")
    for _ in range(12):
        assert (
            client.post("/login", data={"email": "ha@example.vn", "password": PASSWORD}).status_code
            == 302
        )
        client.post("/logout")


def test_signup_is_rate_limited(client):
    for n in range(10):
        assert _register(client, email=f"s{n}@example.vn").status_code == 302
        client.post("/logout")
    assert _register(client, email="s99@example.vn").status_code == 429


class TestCsrf:
    @pytest.fixture
    def csrf_client(self, app):
        app.config["WTF_CSRF_ENABLED"] = True
        return app.test_client()

    def test_login_without_token_is_refused(self, csrf_client, make_user):
        make_user(email="khoa@example.vn")
        response = csrf_client.post(
            "/login", data={"email": "khoa@example.vn", "password": PASSWORD}
        )
        assert response.status_code == 400
        assert csrf_client.get("/account/password").status_code == 302

    def test_login_with_token_works(self, csrf_client, make_user):
        make_user(email="khoa@example.vn")
        page = csrf_client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        response = csrf_client.post(
            "/login", data={"email": "khoa@example.vn", "password": PASSWORD, "csrf_token": token}
        )
        assert response.status_code == 302

    @pytest.mark.parametrize(
        "path",
        [
            "/logout",
            "/register",
            "/account/password",
            "/password/forgot",
            "/language",
            "/producer/register",
            "/producer/members",
        ],
    )
    def test_state_changing_routes_need_a_token(self, csrf_client, path):
        assert csrf_client.post(path, data={}).status_code == 400
