from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import EqualTo, InputRequired, Length

from shop.formfields import email_field

MARKETING_CONSENT_LABEL = _l(
    "Tôi đồng ý nhận email giới thiệu sản phẩm và chương trình khuyến mại của Chợ OCOP "
    "(có thể rút lại bất cứ lúc nào)."
)

PASSWORD_RULES = [
    InputRequired(message=_l("Vui lòng nhập mật khẩu.")),
    Length(min=10, max=128, message=_l("Mật khẩu phải dài từ 10 đến 128 ký tự.")),
]


class RegisterForm(FlaskForm):
    full_name = StringField(
        _l("Họ và tên"),
        validators=[
            InputRequired(message=_l("Vui lòng nhập họ và tên.")),
            Length(max=120, message=_l("Họ và tên tối đa 120 ký tự.")),
        ],
    )
    email = email_field(_l("Email"))
    password = PasswordField(_l("Mật khẩu"), validators=PASSWORD_RULES)
    confirm = PasswordField(
        _l("Nhập lại mật khẩu"),
        validators=[EqualTo("password", message=_l("Hai mật khẩu không khớp."))],
    )
    # Law 91/2025: a consent of its own, never ticked in advance, never a condition.
    marketing = BooleanField(MARKETING_CONSENT_LABEL, default=False)


class LoginForm(FlaskForm):
    email = email_field(_l("Email"))
    password = PasswordField(
        _l("Mật khẩu"),
        validators=[
            InputRequired(message=_l("Vui lòng nhập mật khẩu.")),
            Length(max=128, message=_l("Mật khẩu quá dài.")),
        ],
    )
    remember = BooleanField(_l("Ghi nhớ đăng nhập"))


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Mật khẩu hiện tại"),
        validators=[InputRequired(message=_l("Vui lòng nhập mật khẩu hiện tại."))],
    )
    new_password = PasswordField(_l("Mật khẩu mới"), validators=PASSWORD_RULES)
    confirm = PasswordField(
        _l("Nhập lại mật khẩu mới"),
        validators=[EqualTo("new_password", message=_l("Hai mật khẩu không khớp."))],
    )


class ForgotPasswordForm(FlaskForm):
    email = email_field(_l("Email"))


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("Mật khẩu mới"), validators=PASSWORD_RULES)
    confirm = PasswordField(
        _l("Nhập lại mật khẩu mới"),
        validators=[EqualTo("password", message=_l("Hai mật khẩu không khớp."))],
    )


class DeleteAccountForm(FlaskForm):
    password = PasswordField(
        _l("Mật khẩu hiện tại"),
        validators=[InputRequired(message=_l("Vui lòng nhập mật khẩu hiện tại."))],
    )
    confirm = BooleanField(
        _l("Tôi hiểu: tài khoản bị xoá vĩnh viễn, không thể khôi phục."),
        validators=[InputRequired(message=_l("Vui lòng xác nhận."))],
    )
