"""Shared steps for the token tests: a producer with a product, a token, an order."""

import uuid

from shop.clock import utcnow
from shop.extensions import db
from shop.tokens.rules import Scope
from shop.tokens.services import create_token

ALL_SCOPES = tuple(Scope)


def make_token(producer, scopes=ALL_SCOPES, owner=None, days=90, name="Đồng bộ kho"):
    """A token of ``producer`` made by its first owner; returns (token, secret)."""
    owner = owner or producer.members[0].user
    token, secret = create_token(producer, owner, name, scopes, utcnow(), days)
    db.session.commit()
    return token, secret


def bearer(secret: str, key: str | None = None, **extra) -> dict:
    headers = {"Authorization": f"Bearer {secret}", **extra}
    if key is not None:
        headers["Idempotency-Key"] = key
    return headers


def new_key() -> str:
    return str(uuid.uuid4())
