import click
from flask.cli import AppGroup

from shop.payments.services import reconcile_open_card_payments, reconcile_refunds

payments_cli = AppGroup("payments", help="Payment jobs (run from cron).")


@payments_cli.command("reconcile")
def reconcile_command() -> None:
    """Re-read every open Stripe PaymentIntent and settle orders whose webhook
    never arrived; settle card refunds left pending (a crash or an outage
    between committing a refund and Stripe's answer), never refunding twice:

        */15 * * * *  cd /srv/ocop && .venv/bin/flask --app wsgi payments reconcile
    """
    checked, settled = reconcile_open_card_payments()
    click.echo(f"Open card payments checked: {checked}, settled now: {settled}")
    click.echo(f"Pending refunds settled: {reconcile_refunds()}")
