"""argon2id password hashing (argon2-cffi), cost taken from the app config."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app


def _hasher() -> PasswordHasher:
    config = current_app.config
    kwargs = {}
    if "ARGON2_TIME_COST" in config:
        kwargs["time_cost"] = config["ARGON2_TIME_COST"]
    if "ARGON2_MEMORY_COST" in config:
        kwargs["memory_cost"] = config["ARGON2_MEMORY_COST"]
    return PasswordHasher(**kwargs)  # argon2id is argon2-cffi's default type


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


# Verifying against this when the email is unknown keeps the response time of
# "no such user" and "wrong password" alike.
_DUMMY_HASH: dict[str, str] = {}


def burn_verify_time(password: str) -> None:
    key = "dummy"
    if key not in _DUMMY_HASH:
        _DUMMY_HASH[key] = hash_password("not-a-real-password")
    verify_password(_DUMMY_HASH[key], password)
