import click
from flask.cli import with_appcontext

from shop.extensions import db
from shop.localities import former
from shop.localities.services import load_localities


@click.command("load-localities")
@click.option(
    "--reindex",
    is_flag=True,
    help="Also recompute every product's search text (after new locality data).",
)
@with_appcontext
def load_localities_command(reindex: bool) -> None:
    """Load the 34 provinces and their wards/communes (idempotent)."""
    provinces, wards = load_localities()
    db.session.commit()
    click.echo(f"Localities: {provinces} provinces, {wards} wards/communes")
    count = len(former.data().provinces)
    click.echo(f"Former localities: {count} provinces ({former.version_label()})")
    if reindex:
        from shop.catalog.services import refresh_all_search

        changed = refresh_all_search()
        db.session.commit()
        click.echo(f"Search text: {changed} products updated")
