import click
from flask.cli import AppGroup

from shop.jobs.periodic import run_job, skipped_message

wishlist_cli = AppGroup("wishlist", help="Wishlist jobs (run by Celery beat, or from cron).")


@wishlist_cli.command("notify")
@click.option("--force", is_flag=True, help="Run even if this period's run is done.")
def notify_command(force: bool) -> None:
    """E-mail each pending back-in-stock alert whose product is listed and in
    stock again. Once per 10-minute period across all nodes; safe to run often
    and twice at once (the cron alternative to beat):

        */10 * * * *  cd /srv/ocop && .venv/bin/flask --app wsgi wishlist notify
    """
    result = run_job("wishlist.back_in_stock", force=force)
    click.echo(result.summary if result.ran else skipped_message(result))
