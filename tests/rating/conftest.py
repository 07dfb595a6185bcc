import pytest

from shop.clock import today_vn
from shop.extensions import db
from shop.rating.defaults import seed_defaults


@pytest.fixture(autouse=True)
def rating_defaults(app):
    """The migration's sheets and plan, seeded again: tests empty the tables."""
    seed_defaults(today_vn().year)
    db.session.commit()
