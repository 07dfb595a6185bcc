import click
from flask.cli import AppGroup

from shop.clock import today_vn
from shop.promotion.expiry import run_daily

ocop_cli = AppGroup("ocop", help="Trade-promotion jobs (run from cron).")


@ocop_cli.command("daily")
def daily_command() -> None:
    """Tell producers about certificates entering their last 30 days (once each),
    and send staff a summary. Safe to run often and even twice at once:

        15 6 * * *  cd /srv/ocop && .venv/bin/flask --app wsgi ocop daily
    """
    notified = run_daily(today_vn())
    click.echo(f"Expiry notices sent: {len(notified)}")
