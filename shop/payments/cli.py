import click
from flask.cli import AppGroup

from shop.jobs.periodic import run_job, skipped_message

payments_cli = AppGroup("payments", help="Payment jobs (run by Celery beat, or from cron).")


@payments_cli.command("reconcile")
@click.option("--force", is_flag=True, help="Run even if this period's run is done.")
def reconcile_command(force: bool) -> None:
    """Re-read every open Stripe PaymentIntent and settle orders whose webhook
    never arrived; settle card refunds left pending (a crash or an outage
    between committing a refund and Stripe's answer), never refunding twice.
    Once per 15-minute period across all nodes (the cron alternative to beat):

        */15 * * * *  cd /srv/ocop && .venv/bin/flask --app wsgi payments reconcile
    """
    result = run_job("payments.reconcile", force=force)
    click.echo(result.summary if result.ran else skipped_message(result))
