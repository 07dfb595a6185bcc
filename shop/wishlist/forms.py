from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, IntegerField
from wtforms.validators import Email, InputRequired, Length


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class StockAlertForm(FlaskForm):
    # Posted from cached product pages, which carry no per-visitor token: the view
    # checks where the post came from instead (shop/core/edge.py).
    class Meta:
        csrf = False

    # shop/formfields.py's email_field, with the spaces a phone keyboard adds trimmed.
    email = EmailField(
        _l("Email nhận thông báo"),
        filters=[_strip],
        validators=[
            InputRequired(message=_l("Vui lòng nhập email.")),
            Length(max=254, message=_l("Email quá dài.")),
            Email(message=_l("Email không hợp lệ."), check_deliverability=False),
        ],
    )
    product_id = IntegerField(validators=[InputRequired()])
