from sqlalchemy import select

from shop.auth.models import Role, User
from shop.extensions import db


def test_create_staff_user(runner):
    result = runner.invoke(
        args=["create-user", "--role", "staff", "Staff@Example.vn", "--password", "long enough pw"]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "staff@example.vn"))
    assert user.role == Role.STAFF
    assert user.is_staff


def test_create_user_twice_fails_cleanly(runner):
    args = ["create-user", "--role", "admin", "a@example.vn", "--password", "long enough pw"]
    assert runner.invoke(args=args).exit_code == 0
    result = runner.invoke(args=args)
    assert result.exit_code != 0
    assert "already has an account" in result.output


def test_create_user_rejects_short_password(runner):
    result = runner.invoke(args=["create-user", "b@example.vn", "--password", "short"])
    assert result.exit_code != 0
