"""Column types shared by the models, and the row count of a data-changing statement."""

import enum
from typing import Any, cast

from sqlalchemy import CursorResult, Enum, Result


def str_enum(cls: type[enum.StrEnum], length: int = 20) -> Enum:
    """A StrEnum stored as its values in a VARCHAR, the same on SQLite and PostgreSQL."""
    return Enum(
        cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e]
    )


def rows_affected(result: Result[Any]) -> int:
    """The row count of an UPDATE or DELETE run through ``session.execute``.

    The session types its result as ``Result``; for data-changing statements it
    is a ``CursorResult``, the one that carries ``rowcount``."""
    return cast(CursorResult[Any], result).rowcount
