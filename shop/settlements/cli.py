import click
from flask.cli import AppGroup

from shop.clock import today_vn
from shop.extensions import db
from shop.jobs.periodic import run_job, skipped_message
from shop.reports.periods import PeriodError, parse_month
from shop.settlements.exceptions import SettlementError
from shop.settlements.services import generate
from shop.settlements.tasks import describe

settlements_cli = AppGroup("settlements", help="Producer settlements.")


@settlements_cli.command("generate")
@click.option("--month", "raw_month", metavar="YYYY-MM", help="Default: last month.")
@click.option(
    "--force", is_flag=True, help="Without --month: run even if this month's run is done."
)
def generate_command(raw_month: str | None, force: bool) -> None:
    """Compute the draft settlement of every producer with money in or out in the
    month. Paid settlements are left alone; running it again changes nothing.
    Without --month: last month, once per month across all nodes (the cron
    alternative to beat); an explicit --month is a deliberate rerun, never skipped:

        5 1 1 * *  cd /srv/ocop && .venv/bin/flask --app wsgi settlements generate
    """
    if raw_month is None:
        try:
            run = run_job("settlements.generate", force=force)
        except SettlementError as exc:
            raise click.ClickException(exc.message) from None
        click.echo(run.summary if run.ran else skipped_message(run))
        return
    try:
        month = parse_month(raw_month)
    except PeriodError as exc:
        raise click.BadParameter(exc.message, param_hint="--month") from None
    try:
        result = generate(month, today_vn())
    except SettlementError as exc:
        raise click.ClickException(exc.message) from None
    db.session.commit()
    click.echo(describe(month, result))
