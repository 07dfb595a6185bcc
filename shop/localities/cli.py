import click
from flask import current_app
from flask.cli import with_appcontext

from shop.extensions import db
from shop.localities import former
from shop.localities.services import load_localities


@click.command("load-localities")
@click.option(
    "--reindex",
    is_flag=True,
    help="Then run reindex-search: every product's search text (after new locality data).",
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
        # The catalogue's command (shop/catalog/cli.py), found in the app's list: the
        # catalogue sits above localities, so this package does not import it.
        ctx = click.get_current_context()
        reindex_search = current_app.cli.get_command(ctx, "reindex-search")
        if reindex_search is None:
            raise click.ClickException("reindex-search is not registered")
        ctx.invoke(reindex_search)
