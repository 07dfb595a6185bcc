"""Language choice and date formatting (dd/mm/yyyy in every language)."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_request_context, session

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def select_locale() -> str:
    """Vietnamese unless the visitor chose English with the switch.

    Accept-Language is deliberately ignored: many Vietnamese phones are set to
    English, and their owners still expect a Vietnamese shop.
    """
    if not has_request_context():  # cron commands, background jobs: Vietnamese
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("lang")
    if chosen in current_app.config["LANGUAGES"]:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def current_language() -> str:
    from flask_babel import get_locale

    locale = get_locale()
    return locale.language if locale else "vi"


def format_date_vn(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _to_local(value).date()
    return value.strftime("%d/%m/%Y")


def format_datetime_vn(value: datetime | None) -> str:
    if value is None:
        return ""
    return _to_local(value).strftime("%d/%m/%Y %H:%M")


def _to_local(value: datetime) -> datetime:
    if value.tzinfo is None:  # SQLite hands back naive datetimes; we store UTC
        value = value.replace(tzinfo=UTC)
    return value.astimezone(VN_TZ)
