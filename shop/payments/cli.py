import click
from flask.cli import AppGroup

from shop.payments.services import reconcile_open_card_payments

payments_cli = AppGroup("payments", help="Payment jobs (run from cron).")


@payments_cli.command("reconcile")
def reconcile_command() -> None:
    """Re-read every open Stripe PaymentIntent and settle orders whose webhook
    never arrived:

        */15 * * * *  cd /srv/ocop && .venv/bin/flask --app wsgi payments reconcile
    """
    checked, settled = reconcile_open_card_payments()
    click.echo(f"Open card payments checked: {checked}, settled now: {settled}")
