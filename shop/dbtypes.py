"""Column types shared by the models."""

import enum

from sqlalchemy import Enum


def str_enum(cls: type[enum.StrEnum], length: int = 20) -> Enum:
    """A StrEnum stored as its values in a VARCHAR, the same on SQLite and PostgreSQL."""
    return Enum(
        cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e]
    )
