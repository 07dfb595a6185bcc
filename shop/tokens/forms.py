from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField
from wtforms.validators import InputRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from shop.formfields import choices
from shop.tokens.rules import DEFAULT_LIFETIME, LIFETIMES, MAX_NAME, Scope


def _lifetime_label(days: int | None):
    if days is None:
        return _l("Không hết hạn")
    return _l("%(n)s ngày", n=days)


class TokenForm(FlaskForm):
    name = StringField(
        _l("Tên khoá"),
        description=_l("Để nhận ra khoá sau này, ví dụ: Đồng bộ Shopee, Bảng tính kho."),
        validators=[
            InputRequired(message=_l("Vui lòng đặt tên cho khoá.")),
            Length(max=MAX_NAME, message=_l("Tên tối đa 80 ký tự.")),
        ],
    )
    scopes = SelectMultipleField(
        _l("Quyền của khoá"),
        choices=choices((s.value, s.label) for s in Scope),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    lifetime = SelectField(
        _l("Thời hạn"),
        choices=choices((str(d or "never"), _lifetime_label(d)) for d in LIFETIMES),
        default=str(DEFAULT_LIFETIME),
    )

    def validate_name(self, field):
        if not (field.data or "").strip():
            raise ValidationError(_l("Vui lòng đặt tên cho khoá."))

    def validate_scopes(self, field):
        if not field.data:
            raise ValidationError(_l("Chọn ít nhất một quyền."))

    @property
    def lifetime_days(self) -> int | None:
        return None if self.lifetime.data == "never" else int(self.lifetime.data)
