import click
from flask.cli import AppGroup

from shop.clock import today_vn
from shop.extensions import db
from shop.rating.defaults import seed_defaults

rating_cli = AppGroup("rating", help="The rating cycle: score sheets and the year's plan.")


@rating_cli.command("seed")
@click.option("--year", type=int, default=None, help="The plan's year (default: this year).")
def seed_command(year: int | None) -> None:
    """Add the general score sheets (Decisions 148/2023 and 1048/2019) and the year's
    plan of stages where they are missing; never changes what staff have edited."""
    year = year or today_vn().year
    seed_defaults(year)
    db.session.commit()
    click.echo(f"Rating sheets and the {year} plan are in place.")
