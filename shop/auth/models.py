import enum
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from shop.clock import utcnow
from shop.dbtypes import str_enum
from shop.extensions import Model


class Role(enum.StrEnum):
    CUSTOMER = "customer"
    PRODUCER = "producer"
    STAFF = "staff"
    ADMIN = "admin"
    CENTRE = "centre"  # works at an OCOP sales centre (shop/centres): its till and stock


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class User(UserMixin, Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Always stored lower-cased (normalize_email), so the unique constraint makes
    # emails unique whatever case they were typed in.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(
        str_enum(Role),
        default=Role.CUSTOMER,
    )
    # What Flask-Login stores in the session and the remember cookie. Rotating it
    # (log out, password change) invalidates every session and cookie at once.
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    is_active_account: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    def get_id(self) -> str:
        return self.session_token

    @property
    def is_active(self) -> bool:
        return self.is_active_account

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.STAFF, Role.ADMIN)

    @property
    def is_centre_staff(self) -> bool:
        return self.role == Role.CENTRE

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    def rotate_session_token(self) -> None:
        self.session_token = new_session_token()

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"


def normalize_email(email: str) -> str:
    return email.strip().lower()
