"""Small pieces shared by the feature forms."""

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length, ValidationError

from shop.phones import normalize_phone


def choices(pairs: Iterable[tuple], placeholder=None) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices, optionally after an empty placeholder."""
    items = [SelectChoice("", placeholder)] if placeholder is not None else []
    return items + [SelectChoice(value, label) for value, label in pairs]


def choice_values(field) -> set:
    return {c.value for c in field.choices if c.value != ""}


MAX_ID = 2**31 - 1  # PostgreSQL's integer: a larger number is no id of ours


def int_or_none(value):
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 <= number <= MAX_ID else None


def email_field(label, description=None) -> EmailField:
    """A required e-mail address, checked for its form only (no DNS lookups)."""
    return EmailField(
        label,
        description=description,
        validators=[
            InputRequired(message=_l("Vui lòng nhập email.")),
            Length(max=254, message=_l("Email quá dài.")),
            Email(message=_l("Email không hợp lệ."), check_deliverability=False),
        ],
    )


def _vietnamese_phone(form, field) -> None:
    normalized = normalize_phone(field.data or "")
    if normalized is None:
        raise ValidationError(
            _l("Số điện thoại không hợp lệ: dùng dạng 0xxxxxxxxx hoặc +84xxxxxxxxx.")
        )
    field.data = normalized  # stored as 0xxxxxxxxx


def phone_field(label, description=None) -> StringField:
    """A required Vietnamese phone number, normalised to 0xxxxxxxxx."""
    return StringField(
        label,
        description=description,
        validators=[
            InputRequired(message=_l("Vui lòng nhập số điện thoại.")),
            _vietnamese_phone,
        ],
    )


def error_texts(errors) -> list[str]:
    """A field's messages as text, for the error summary: plain and lazy strings
    alike; the nested errors of a FormField or FieldList (dicts, lists) are shown
    at their own fields."""
    if isinstance(errors, dict):
        return []
    return [str(e) for e in errors or () if not isinstance(e, (dict, list, tuple))]
