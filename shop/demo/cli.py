import time

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from shop.clock import today_vn
from shop.demo import data
from shop.demo.seed import missing_localities, seed_bulk, seed_demo
from shop.extensions import db
from shop.localities.models import Province
from shop.localities.services import load_localities


def _refuse_in_production() -> None:
    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("demo data and demo passwords never go into production")


def _ensure_localities() -> None:
    if db.session.scalar(select(Province.code).limit(1)) is None:
        provinces, wards = load_localities()
        db.session.commit()
        click.echo(f"No localities yet: loaded {provinces} provinces and {wards} wards/communes.")
    missing = missing_localities()
    if missing:
        codes = ", ".join(f"{p}/{w}" for p, w in missing)
        raise click.ClickException(
            f"the demo producers' communes (province/ward {codes}) are not in the database: "
            "run `flask --app wsgi load-localities` first"
        )


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Load the demo catalogue (idempotent: a second run adds nothing).

    On a database without localities it loads them first, as
    ``flask load-localities`` would; when some are there but not the demo
    producers' communes, it stops and names that command."""
    _refuse_in_production()
    _ensure_localities()
    added = seed_demo(today_vn())
    db.session.commit()
    click.echo(
        f"Demo catalogue: {added['producers']} producers, {added['products']} products "
        f"and {added['orders']} orders added."
    )
    click.echo(
        f"Demo accounts (password {data.DEMO_PASSWORD}): customer {data.CUSTOMER[0]}, "
        f"producer {data.PRODUCERS[0]['owner'][0]}, staff {data.STAFF[0]}, "
        f"admin {data.ADMIN[0]}, sales centre {data.CENTRE_STAFF[0]}"
    )


@click.command("seed-bulk")
@click.option(
    "--products", "count", type=click.IntRange(1, 2_000_000), default=10_000, show_default=True
)
@with_appcontext
def seed_bulk_command(count: int) -> None:
    """Add a large synthetic catalogue of listed products, for benchmarks."""
    _refuse_in_production()
    started = time.perf_counter()
    added = seed_bulk(count, today_vn())
    db.session.commit()
    click.echo(f"Added {added} products in {time.perf_counter() - started:.1f} s")
