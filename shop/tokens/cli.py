"""`flask tokens ...`: a token for a script, and the idempotency keys' pruning."""

import click
from flask.cli import AppGroup
from sqlalchemy import select

from shop.auth.models import User, normalize_email
from shop.clock import utcnow
from shop.extensions import db
from shop.jobs.periodic import run_job, skipped_message
from shop.producers.models import Producer
from shop.tokens.exceptions import NotOwner
from shop.tokens.rules import Scope
from shop.tokens.services import create_token

tokens_cli = AppGroup("tokens", help="Producer API tokens.")


@tokens_cli.command("create")
@click.option("--producer", "slug", required=True, help="The producer's slug.")
@click.option("--owner", "email", required=True, help="E-mail of an owner of the producer.")
@click.option("--name", required=True, help="What the token is for.")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    required=True,
    type=click.Choice([s.value for s in Scope]),
    help="Repeat for several scopes.",
)
@click.option(
    "--days", type=click.IntRange(1, 3650), default=90, show_default=True, help="Lifetime."
)
@click.option("--no-expiry", is_flag=True, help="A token that never expires.")
def create_command(
    slug: str, email: str, name: str, scopes: tuple[str, ...], days: int, no_expiry: bool
) -> None:
    """Create a token as an owner would on /producer/api-tokens, and print it
    (the only time it is shown): for scripts, tests and the README's session."""
    producer = db.session.scalar(select(Producer).where(Producer.slug == slug))
    if producer is None:
        raise click.ClickException(f"no producer {slug!r}")
    owner = db.session.scalar(select(User).where(User.email == normalize_email(email)))
    if owner is None:
        raise click.ClickException(f"no account {email!r}")
    try:
        _token, secret = create_token(
            producer, owner, name, scopes, utcnow(), None if no_expiry else days
        )
    except NotOwner:
        raise click.ClickException(f"{email} is not an owner of {slug}") from None
    db.session.commit()
    click.echo(secret)


@tokens_cli.command("prune-keys")
@click.option("--force", is_flag=True, help="Run even if this period's run is done.")
def prune_command(force: bool) -> None:
    """Delete Idempotency-Key answers older than 24 hours. Beat runs it hourly;
    from cron instead:

        45 * * * *  cd /srv/ocop && .venv/bin/flask --app wsgi tokens prune-keys
    """
    result = run_job("api.idempotency_prune", force=force)
    click.echo(result.summary if result.ran else skipped_message(result))
