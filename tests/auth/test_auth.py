import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from shop.auth.models import Role, User
from shop.core.redirects import safe_next
from shop.extensions import db
from shop.mail import outbox
from tests.conftest import PASSWORD
from tests.helpers_http import assert_signed_in


def _register(client, email="An@Example.vn", password=PASSWORD, path="/register", **extra):
    data = {
        "full_name": "Trần Thị An",
        "email": email,
        "password": password,
        "confirm": password,
        **extra,
    }
    return client.post(path, data=data)


def redirects_to(response, location: str) -> None:
    assert response.status_code == 302, response.status_code
    assert response.headers["Location"] == location


def answers(response, status: int) -> None:
    """A page, not a redirect, with this status."""
    assert response.status_code == status
    assert "Location" not in response.headers


def _link_in(message, path: str) -> str:
    """The path (and query) of the first link to ``path`` in an e-mail."""
    url = re.search(r"http://\S+" + re.escape(path) + r"\S*", message.get_content()).group(0)
    return url.split("127.0.0.1:5000", 1)[1]


def test_register_stores_argon2id_hash_and_emails_a_sign_in_link(client):
    response = _register(client)
    redirects_to(response, "/register/sent")
    user = db.session.scalar(select(User))
    assert user.email == "an@example.vn"
    assert user.role == Role.CUSTOMER
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
    # Not signed in yet: the e-mail has the way in.
    assert client.get("/account/password").status_code == 302
    page = client.get("/register/sent")
    assert page.status_code == 200
    assert "Chúng tôi đã gửi một thư tới an@example.vn." in page.get_data(as_text=True)
    (mail,) = outbox()
    assert mail["To"] == "an@example.vn"
    assert mail["Subject"] == "Chào mừng bạn đến với Chợ OCOP!"
    redirects_to(
        client.post(_link_in(mail, "/login"), data={"email": user.email, "password": PASSWORD}),
        "/",
    )
    assert client.get("/account/password").status_code == 200


def _same_page(a: str, b: str, address_a: str, address_b: str) -> None:
    """Equal once the address and the per-session form tokens are taken out."""

    def clean(html: str, address: str) -> str:
        html = html.replace(address, "ADDRESS")
        return re.sub(r'name="csrf_token" value="[^"]+"', 'name="csrf_token" value=""', html)

    assert clean(a, address_a) == clean(b, address_b)


def test_register_does_not_reveal_that_an_address_has_an_account(app, make_user):
    holder = make_user(email="an@example.vn", full_name="Trần Thị An")
    before = holder.password_hash
    taken, new = app.test_client(), app.test_client()

    r_taken = _register(taken, email="AN@Example.vn", password="another passphrase 1")
    r_new = _register(new, email="Binh@Example.vn", password="another passphrase 1")

    # The same status, the same redirect, the same body...
    assert r_taken.status_code == r_new.status_code == 302
    assert r_taken.headers["Location"] == r_new.headers["Location"] == "/register/sent"
    assert r_taken.get_data() == r_new.get_data()
    # ...and the same page after it, apart from the address.
    p_taken, p_new = taken.get("/register/sent"), new.get("/register/sent")
    assert p_taken.status_code == p_new.status_code == 200
    _same_page(
        p_taken.get_data(as_text=True),
        p_new.get_data(as_text=True),
        "an@example.vn",
        "binh@example.vn",
    )

    # Nothing changed for the holder, who alone learns what happened.
    assert db.session.scalar(select(func.count()).select_from(User)) == 2
    db.session.refresh(holder)
    assert holder.password_hash == before
    assert holder.full_name == "Trần Thị An"
    redirects_to(
        app.test_client().post("/login", data={"email": "an@example.vn", "password": PASSWORD}),
        "/",
    )
    mails = {m["To"]: m for m in outbox()}
    assert mails.keys() == {"an@example.vn", "binh@example.vn"}
    attempt = mails["an@example.vn"]
    assert attempt["Subject"] == "Có người thử đăng ký bằng email của bạn"
    body = attempt.get_content()
    assert "Xin chào Trần Thị An," in body
    assert "đã có tài khoản" in body
    assert _link_in(attempt, "/login") == "/login"
    assert _link_in(attempt, "/password/forgot") == "/password/forgot"
    assert mails["binh@example.vn"]["Subject"] == "Chào mừng bạn đến với Chợ OCOP!"


def test_a_taken_address_cannot_sign_in_with_the_new_password(app, client, make_user):
    make_user(email="an@example.vn")
    redirects_to(
        _register(client, email="an@example.vn", password="not the owner's 1"), "/register/sent"
    )
    response = client.post(
        "/login", data={"email": "an@example.vn", "password": "not the owner's 1"}
    )
    assert response.status_code == 401
    assert "Location" not in response.headers


def test_register_carries_a_local_next_into_the_sign_in_link(client):
    response = _register(client, path="/register?next=/producer/invitations/abc")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/register/sent"
    assert parse_qs(location.query) == {"next": ["/producer/invitations/abc"]}
    link = urlsplit(_link_in(outbox()[-1], "/login"))
    assert parse_qs(link.query) == {"next": ["/producer/invitations/abc"]}


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example"])
def test_register_drops_an_off_site_next(client, target):
    redirects_to(_register(client, path=f"/register?next={target}"), "/register/sent")
    assert _link_in(outbox()[-1], "/login") == "/login"


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
    answers(response, 400)
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
    assert outbox() == []


def test_login_with_any_case_email(client, make_user, auth):
    make_user(email="binh@example.vn")
    assert_signed_in(auth.login("Binh@Example.VN"))
    assert client.get("/account/password").status_code == 200


def test_wrong_password_is_refused_with_a_message(client, make_user, auth):
    make_user(email="binh@example.vn")
    response = auth.login("binh@example.vn", "wrong password!")
    answers(response, 401)
    assert "Email hoặc mật khẩu không đúng." in response.get_data(as_text=True)
    assert client.get("/account/password").status_code == 302


def test_unknown_email_gets_the_same_answer(auth):
    response = auth.login("nobody@example.vn")
    answers(response, 401)
    assert "Email hoặc mật khẩu không đúng." in response.get_data(as_text=True)


def _login(browser, email, password=PASSWORD, **extra):
    redirects_to(browser.post("/login", data={"email": email, "password": password, **extra}), "/")


def test_logout_invalidates_the_remember_cookie(app, make_user):
    make_user(email="chi@example.vn")
    browser = app.test_client()
    _login(browser, "chi@example.vn", remember="y")
    remember = browser.get_cookie("remember_token")
    assert remember is not None
    redirects_to(browser.post("/logout"), "/")

    # A stolen copy of the old cookie, replayed in a fresh browser, is worthless.
    thief = app.test_client()
    thief.set_cookie("remember_token", remember.value)
    assert thief.get("/account/password").status_code == 302


def test_remember_cookie_signs_in_a_new_browser_session(app, make_user):
    make_user(email="chi@example.vn")
    browser = app.test_client()
    _login(browser, "chi@example.vn", remember="y")
    remember = browser.get_cookie("remember_token")
    fresh = app.test_client()
    fresh.set_cookie("remember_token", remember.value)
    assert fresh.get("/account/password").status_code == 200


def test_changing_password_signs_out_other_sessions(app, make_user):
    make_user(email="dung@example.vn")
    laptop, phone = app.test_client(), app.test_client()
    for c in (laptop, phone):
        _login(c, "dung@example.vn")
        assert c.get("/account/password").status_code == 200
    new = "a brand new passphrase"
    response = laptop.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": new, "confirm": new},
    )
    redirects_to(response, "/")
    assert laptop.get("/account/password").status_code == 200  # this session stays
    assert phone.get("/account/password").status_code == 302  # the other one is out
    _login(app.test_client(), "dung@example.vn", new)


def test_change_password_needs_the_current_one(client, make_user, auth):
    make_user(email="dung@example.vn")
    assert_signed_in(auth.login("dung@example.vn"))
    response = client.post(
        "/account/password",
        data={"current_password": "not it at all", "new_password": "x" * 12, "confirm": "x" * 12},
    )
    answers(response, 400)
    assert "Mật khẩu hiện tại không đúng." in response.get_data(as_text=True)


def test_password_reset_by_emailed_link(app, client, make_user):
    make_user(email="em@example.vn")
    response = client.post("/password/forgot", data={"email": "EM@example.vn"})
    redirects_to(response, "/login")
    assert outbox()[-1]["To"] == "em@example.vn"
    path = _link_in(outbox()[-1], "/password/reset/")
    new = "reset passphrase 2026"
    redirects_to(client.post(path, data={"password": new, "confirm": new}), "/login")
    _login(client, "em@example.vn", new)
    # The link works once: the password it was made for is gone.
    redirects_to(client.post("/logout"), "/")
    assert client.get(path).status_code == 400


def test_forgot_password_does_not_reveal_accounts(client):
    response = client.post("/password/forgot", data={"email": "nobody@example.vn"})
    redirects_to(response, "/login")
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
    redirects_to(response, "/")


def test_login_follows_a_local_next(client, make_user):
    make_user(email="gia@example.vn")
    response = client.post(
        "/login?next=/account/password", data={"email": "gia@example.vn", "password": PASSWORD}
    )
    redirects_to(response, "/account/password")


def test_eleventh_failed_login_for_one_account_is_429(client, make_user):
    make_user(email="ha@example.vn")
    for n in range(10):
        response = client.post(
            "/login",
            data={"email": "ha@example.vn", "password": "wrong"},
            environ_base={"REMOTE_ADDR": f"10.0.0.{n + 1}"},  # from ten addresses
        )
        answers(response, 401)
    response = client.post(
        "/login",
        data={"email": "HA@example.vn", "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.99"},
    )
    answers(response, 429)
    assert "thử quá nhiều lần" in response.get_data(as_text=True)


def test_eleventh_failed_login_from_one_address_is_429(client):
    for n in range(10):
        response = client.post("/login", data={"email": f"x{n}@example.vn", "password": "wrong"})
        answers(response, 401)
    answers(client.post("/login", data={"email": "y@example.vn", "password": "w"}), 429)


def test_successful_logins_do_not_count_towards_the_limit(client, make_user):
    make_user(email="ha@example.vn")
    for _ in range(12):
        _login(client, "ha@example.vn")
        redirects_to(client.post("/logout"), "/")


def test_signup_is_rate_limited(client):
    for n in range(10):
        redirects_to(_register(client, email=f"s{n}@example.vn"), "/register/sent")
    answers(_register(client, email="s99@example.vn"), 429)


def test_signing_up_while_signed_in_goes_home(client, make_user, auth):
    make_user(email="an@example.vn")
    assert_signed_in(auth.login("an@example.vn"))
    redirects_to(_register(client, email="other@example.vn"), "/")
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


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
        answers(response, 400)
        assert csrf_client.get("/account/password").status_code == 302

    def test_login_with_token_works(self, csrf_client, make_user):
        make_user(email="khoa@example.vn")
        page = csrf_client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        response = csrf_client.post(
            "/login", data={"email": "khoa@example.vn", "password": PASSWORD, "csrf_token": token}
        )
        redirects_to(response, "/")

    @pytest.mark.parametrize(
        "path",
        [
            "/logout",
            "/register",
            "/account/password",
            "/password/forgot",
            "/producer/register",
            "/producer/members",
            "/producer/members/1/remove",
            "/producer/members/invitations/1/revoke",
            "/producer/invitations/some-token",
        ],
    )
    def test_state_changing_routes_need_a_token(self, csrf_client, path):
        answers(csrf_client.post(path, data={}), 400)


@pytest.mark.parametrize(
    ("role", "landing"),
    [("customer", "/"), ("staff", "/staff/"), ("admin", "/staff/"), ("producer", "/producer/")],
)
def test_signing_in_lands_each_user_where_they_work(
    client, make_user, make_producer, role, landing
):
    from shop.auth.models import Role

    if role == "producer":
        user = make_user(email="htx@example.vn")
        make_producer(owner=user)
    else:
        user = make_user(email="gia@example.vn", role=Role(role))
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    redirects_to(response, landing)
    assert client.get(landing).status_code == 200
    # A next that is on this site still wins over the landing page.
    client.post("/logout")
    response = client.post(
        "/login?next=/account/password", data={"email": user.email, "password": PASSWORD}
    )
    redirects_to(response, "/account/password")
