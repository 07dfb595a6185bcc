"""Small pieces shared by the feature forms."""

from collections.abc import Iterable

from wtforms.fields.choices import SelectChoice


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
