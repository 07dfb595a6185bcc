import click
from flask.cli import with_appcontext

from shop.catalog.services import refresh_all_search
from shop.extensions import db


@click.command("reindex-search")
@with_appcontext
def reindex_search_command() -> None:
    """Recompute every product's search text (after new locality data)."""
    changed = refresh_all_search()
    db.session.commit()
    click.echo(f"Search text: {changed} products updated")
