"""Account use cases. They flush; the caller commits."""

import hashlib

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from shop.auth.exceptions import EmailTaken, InvalidCredentials, InvalidResetToken, WrongPassword
from shop.auth.models import Role, User, normalize_email
from shop.auth.passwords import burn_verify_time, hash_password, needs_rehash, verify_password
from shop.clock import utcnow
from shop.extensions import db


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def register_user(email: str, password: str, full_name: str, role: Role = Role.CUSTOMER) -> User:
    email = normalize_email(email)
    # Hashed first, taken or not: /register must not answer an address that has
    # an account measurably faster than a new one.
    password_hash = hash_password(password)
    if find_user_by_email(email) is not None:
        raise EmailTaken(email)
    user = User(email=email, full_name=full_name.strip(), password_hash=password_hash, role=role)
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User:
    user = find_user_by_email(email)
    if user is None:
        burn_verify_time(password)
        raise InvalidCredentials(email)
    if not verify_password(user.password_hash, password) or not user.is_active:
        raise InvalidCredentials(email)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    db.session.flush()
    return user


def end_all_sessions(user: User) -> None:
    """Log out everywhere: every session and remember cookie names the old token."""
    user.rotate_session_token()
    db.session.flush()


def change_password(user: User, current_password: str, new_password: str) -> None:
    if not verify_password(user.password_hash, current_password):
        raise WrongPassword()
    set_password(user, new_password)


def set_password(user: User, new_password: str) -> None:
    user.password_hash = hash_password(new_password)
    user.rotate_session_token()
    db.session.flush()


# Password reset tokens are signed, expire, and carry a fingerprint of the current
# password hash: once the password changes, every earlier link stops working.
_RESET_SALT = "password-reset"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_RESET_SALT)


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def make_reset_token(user: User) -> str:
    return _serializer().dumps({"uid": user.id, "fp": _fingerprint(user)})


def user_for_reset_token(token: str) -> User:
    max_age = current_app.config["PASSWORD_RESET_MAX_AGE"]
    try:
        data = _serializer().loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature) as exc:
        raise InvalidResetToken() from exc
    if not isinstance(data, dict):
        raise InvalidResetToken()
    user = db.session.get(User, data.get("uid"))
    if user is None or data.get("fp") != _fingerprint(user):
        raise InvalidResetToken()
    return user


def reset_password(token: str, new_password: str) -> User:
    user = user_for_reset_token(token)
    set_password(user, new_password)
    return user
