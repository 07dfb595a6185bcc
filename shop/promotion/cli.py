import click
from flask.cli import AppGroup

from shop.jobs.periodic import run_job, skipped_message

ocop_cli = AppGroup("ocop", help="Trade-promotion jobs (run by Celery beat, or from cron).")


@ocop_cli.command("daily")
@click.option("--force", is_flag=True, help="Run even if today's run is done.")
def daily_command(force: bool) -> None:
    """Remind producers to apply for re-rating 90, 60, 30 and 7 days before a
    certificate's last valid day (each reminder once), and send staff a summary.
    Once per day (Vietnam time) across all nodes; safe to run often and even twice
    at once (the cron alternative to beat):

        15 6 * * *  cd /srv/ocop && .venv/bin/flask --app wsgi ocop daily
    """
    result = run_job("ocop.daily", force=force)
    click.echo(result.summary if result.ran else skipped_message(result))
