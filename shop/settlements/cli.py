import click
from flask.cli import AppGroup

from shop.clock import today_vn
from shop.extensions import db
from shop.reports.periods import PeriodError, parse_month, previous_month
from shop.settlements.exceptions import SettlementError
from shop.settlements.services import generate

settlements_cli = AppGroup("settlements", help="Producer settlements.")


@settlements_cli.command("generate")
@click.option("--month", "raw_month", metavar="YYYY-MM", help="Default: last month.")
def generate_command(raw_month: str | None) -> None:
    """Compute the draft settlement of every producer with money in or out in the
    month. Paid settlements are left alone; running it again changes nothing:

        5 1 1 * *  cd /srv/ocop && .venv/bin/flask --app wsgi settlements generate
    """
    today = today_vn()
    try:
        month = parse_month(raw_month) if raw_month else previous_month(today)
    except PeriodError as exc:
        raise click.BadParameter(exc.message, param_hint="--month") from None
    try:
        result = generate(month, today)
    except SettlementError as exc:
        raise click.ClickException(exc.message) from None
    db.session.commit()
    click.echo(
        f"Settlements {month:%Y-%m}: {result.created} created, {result.updated} updated, "
        f"{result.unchanged} unchanged, {result.paid} already paid, {result.removed} removed"
    )
