import click
from flask.cli import AppGroup

from shop.jobs.periodic import run_job, skipped_message

orders_cli = AppGroup("orders", help="Order jobs (run by Celery beat, or from cron).")


@orders_cli.command("expire")
@click.option("--force", is_flag=True, help="Run even if this period's run is done.")
def expire_command(force: bool) -> None:
    """Cancel unpaid transfer and card orders older than UNPAID_ORDER_HOURS and
    return their stock. Once per 10-minute period across all nodes; safe to run
    often and twice at once (the cron alternative to beat):

        */10 * * * *  cd /srv/ocop && .venv/bin/flask --app wsgi orders expire
    """
    result = run_job("orders.expire", force=force)
    click.echo(result.summary if result.ran else skipped_message(result))
