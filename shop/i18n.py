"""Language choice and date formatting (dd/mm/yyyy in every language)."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, request, session

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    # Vietnamese unless the browser asks for English and nothing else we have.
    best = request.accept_languages.best_match(list(languages), default="vi")
    return best or "vi"


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
