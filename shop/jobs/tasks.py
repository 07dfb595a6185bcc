"""The Celery tasks: thin wrappers around the outbox and the periodic jobs."""

from celery import shared_task

from shop.jobs import periodic, services

SWEEP_TASK = "shop.jobs.sweep"


@shared_task(bind=True, name=services.DELIVER_TASK, max_retries=None)
def deliver_message(self, message_id: int) -> str:
    """Deliver one outbox row; a failure comes back after the row's backoff (the
    row goes dead after OUTBOX_MAX_ATTEMPTS, which ends the retries)."""
    outcome = services.deliver(message_id)
    if outcome.status == "retry":
        raise self.retry(countdown=outcome.retry_in)
    return outcome.status


@shared_task(name=SWEEP_TASK)
def sweep_outbox() -> int:
    return services.sweep()


@shared_task(name=periodic.RUN_TASK)
def run_periodic(name: str) -> str:
    result = periodic.run_job(name)
    return result.summary if result.ran else periodic.skipped_message(result)
