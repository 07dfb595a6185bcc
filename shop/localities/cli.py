import click
from flask.cli import with_appcontext

from shop.extensions import db
from shop.localities.services import load_localities


@click.command("load-localities")
@with_appcontext
def load_localities_command() -> None:
    """Load the 34 provinces and their wards/communes (idempotent)."""
    provinces, wards = load_localities()
    db.session.commit()
    click.echo(f"Localities: {provinces} provinces, {wards} wards/communes")
