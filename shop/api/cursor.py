"""Opaque cursors for keyset pagination.

A cursor is the sort key and id of the last item of a page, signed (so a client
cannot forge a position, and a cursor of one list or sort is refused by another).
The next page is the rows strictly after that key, so a product added or removed
while a client pages through never shifts or repeats the rest, as an offset would.
"""

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer


class BadCursor(ValueError):
    pass


def _serializer(scope: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=f"api-cursor:{scope}")


def encode(scope: str, key: list) -> str:
    return str(_serializer(scope).dumps(key))


def decode(scope: str, cursor: str) -> list:
    try:
        key = _serializer(scope).loads(cursor)
    except (BadSignature, UnicodeError, ValueError) as error:
        raise BadCursor(cursor) from error
    if not isinstance(key, list) or not all(isinstance(k, int) for k in key):
        raise BadCursor(cursor)
    return key
