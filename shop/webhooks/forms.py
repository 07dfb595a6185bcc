from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectMultipleField, StringField
from wtforms.validators import InputRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from shop.formfields import choices
from shop.webhooks.models import EventType
from shop.webhooks.rules import URL_MAX, UrlRefused, check_url


class EndpointForm(FlaskForm):
    url = StringField(
        _l("Địa chỉ nhận (URL)"),
        description=_l("Địa chỉ https:// của hệ thống của cơ sở, nhận yêu cầu POST dạng JSON."),
        validators=[InputRequired(_l("Hãy nhập địa chỉ nhận webhook."))],
        render_kw={"maxlength": URL_MAX, "inputmode": "url", "spellcheck": "false"},
    )
    description = StringField(
        _l("Mô tả (không bắt buộc)"),
        validators=[Length(max=200)],
        render_kw={"maxlength": 200},
    )
    events = SelectMultipleField(
        _l("Sự kiện"),
        choices=choices((str(e), e.label) for e in EventType),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        # validate_events says it in Vietnamese, for a missing and a made-up value alike
        validate_choice=False,
    )
    enabled = BooleanField(_l("Đang bật"), default=True)

    def validate_url(self, field) -> None:
        try:
            field.data = check_url(
                field.data, allow_loopback=current_app.config["WEBHOOK_ALLOW_LOOPBACK"]
            )
        except UrlRefused as exc:
            raise ValidationError(exc.message) from None

    def validate_events(self, field) -> None:
        known = {str(e) for e in EventType}
        if not field.data:
            raise ValidationError(_l("Chọn ít nhất một sự kiện."))
        if any(value not in known for value in field.data):
            raise ValidationError(_l("Sự kiện không hợp lệ."))
