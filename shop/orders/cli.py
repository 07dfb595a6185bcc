import click
from flask.cli import AppGroup

from shop.orders.services import expire_unpaid

orders_cli = AppGroup("orders", help="Order jobs (run from cron).")


@orders_cli.command("expire")
def expire_command() -> None:
    """Cancel unpaid transfer and card orders older than UNPAID_ORDER_HOURS and
    return their stock. Safe to run often and twice at once:

        */10 * * * *  cd /srv/ocop && .venv/bin/flask --app wsgi orders expire
    """
    cancelled = expire_unpaid()
    click.echo(f"Unpaid orders cancelled: {len(cancelled)}")
    for number in cancelled:
        click.echo(f"  {number}")
