"""The e-mails of signing up. Both answers to /register end in an e-mail, so the
page after it is the same whether or not the address already had an account.
Queued in the caller's transaction, sent after its commit."""

import secrets

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from shop.auth.models import User
from shop.mail import send_mail


def _link(endpoint: str, **values) -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url_for(endpoint, **values)


def welcome(user: User, next_url: str | None = None) -> None:
    with force_locale("vi"):
        body = "\n".join(
            [
                _("Xin chào %(name)s,", name=user.full_name),
                "",
                _(
                    "Tài khoản Chợ OCOP của bạn đã được tạo với địa chỉ %(email)s.",
                    email=user.email,
                ),
                _("Đăng nhập tại: %(url)s", url=_link("auth.login", next=next_url)),
                "",
                _("Nếu bạn không đăng ký, hãy bỏ qua thư này."),
            ]
        )
        send_mail(user.email, _("Chào mừng bạn đến với Chợ OCOP!"), body, key=f"welcome:{user.id}")


def registration_attempt(user: User, next_url: str | None = None) -> None:
    """To the holder of an address someone tried to register again."""
    with force_locale("vi"):
        body = "\n".join(
            [
                _("Xin chào %(name)s,", name=user.full_name),
                "",
                _(
                    "Ai đó vừa thử đăng ký tài khoản Chợ OCOP mới bằng địa chỉ %(email)s, "
                    "nhưng địa chỉ này đã có tài khoản.",
                    email=user.email,
                ),
                _("Nếu đó là bạn, hãy đăng nhập: %(url)s", url=_link("auth.login", next=next_url)),
                _(
                    "Quên mật khẩu? Đặt lại tại: %(url)s",
                    url=_link("auth.forgot_password"),
                ),
                "",
                _("Nếu không phải bạn, hãy bỏ qua thư này: tài khoản của bạn không thay đổi."),
            ]
        )
        # Every attempt is an event of its own (the sign-up limit bounds them).
        send_mail(
            user.email,
            _("Có người thử đăng ký bằng email của bạn"),
            body,
            key=f"registration-attempt:{user.id}:{secrets.token_hex(8)}",
        )
