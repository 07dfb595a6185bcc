"""The entry point of the Celery worker and beat:

celery -A shop.worker worker --loglevel INFO
celery -A shop.worker beat --loglevel INFO
"""

from shop import create_app

flask_app = create_app()
if not flask_app.config["CELERY_BROKER_URL"]:
    raise RuntimeError(
        "A worker needs a broker: set CELERY_BROKER_URL or REDIS_URL. Without one "
        "the shop runs jobs in-process after each commit and cron runs the periodic "
        "commands; no worker is needed."
    )
celery_app = flask_app.extensions["celery"]
