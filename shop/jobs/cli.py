"""`flask jobs ...`: the outbox and the periodic jobs from a shell or from cron."""

import click
from flask.cli import AppGroup
from sqlalchemy import select

from shop.extensions import db
from shop.jobs.models import JobRun
from shop.jobs.periodic import jobs, run_job, skipped_message
from shop.jobs.services import backlog, sweep

jobs_cli = AppGroup("jobs", help="Background jobs: the outbox and the periodic jobs.")


@jobs_cli.command("sweep")
def sweep_command() -> None:
    """Deliver (or hand to the worker) the outbox rows whose retry is due or whose
    task was lost. Beat does this every minute; without a worker, from cron:

        * * * * *  cd /srv/ocop && .venv/bin/flask --app wsgi jobs sweep
    """
    click.echo(f"Outbox rows handed over: {sweep()}")


@jobs_cli.command("run")
@click.argument("name", type=click.Choice(sorted(jobs())))
@click.option("--force", is_flag=True, help="Run even if this period's run is done.")
def run_command(name: str, force: bool) -> None:
    """Run one periodic job now, once per period across all nodes."""
    result = run_job(name, force=force)
    click.echo(result.summary if result.ran else skipped_message(result))


@jobs_cli.command("status")
def status_command() -> None:
    """The outbox backlog and the latest run of each periodic job."""
    counts = backlog()
    click.echo(f"Outbox: {counts.pending} pending, {counts.dead} dead, {counts.sent} sent")
    if counts.oldest_pending_at is not None:
        click.echo(f"  oldest pending since {counts.oldest_pending_at:%Y-%m-%d %H:%M:%S} UTC")
    for name in sorted(jobs()):
        run = db.session.scalar(
            select(JobRun).where(JobRun.job == name).order_by(JobRun.started_at.desc()).limit(1)
        )
        if run is None:
            click.echo(f"{name}: never run")
        else:
            click.echo(
                f"{name}: {run.period} {run.status.value} at {run.started_at:%Y-%m-%d %H:%M}"
            )
