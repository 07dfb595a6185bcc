from sqlalchemy import select

from shop.auth.models import User
from shop.extensions import db


def load_user(session_token: str) -> User | None:
    """Flask-Login's loader: the session holds the user's rotating token, not the id."""
    return db.session.scalar(select(User).where(User.session_token == session_token))
