import click
from flask.cli import with_appcontext

from shop.auth import services
from shop.auth.exceptions import EmailTaken
from shop.auth.models import Role
from shop.extensions import db


@click.command("create-user")
@click.argument("email")
@click.option(
    "--role",
    type=click.Choice([r.value for r in Role]),
    default=Role.STAFF.value,
    show_default=True,
)
@click.option("--name", default="", help="Full name (defaults to the part before @).")
@click.password_option(help="Prompted for when not given (twice, hidden).")
@with_appcontext
def create_user_command(email: str, role: str, name: str, password: str) -> None:
    """Create an account, e.g. a trade-promotion staff member or an admin."""
    if len(password) < 10:
        raise click.BadParameter("at least 10 characters", param_hint="password")
    try:
        user = services.register_user(email, password, name or email.split("@")[0], Role(role))
    except EmailTaken:
        raise click.ClickException(f"{email} already has an account") from None
    db.session.commit()
    click.echo(f"Created {user.role.value} {user.email}")
