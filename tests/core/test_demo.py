from sqlalchemy import func, select

from shop.catalog.models import Product
from shop.certification.models import Certificate
from shop.clock import today_vn
from shop.extensions import db
from shop.producers.models import Producer


def _counts():
    return tuple(
        db.session.scalar(select(func.count()).select_from(m))
        for m in (Producer, Product, Certificate)
    )


def test_load_demo_is_idempotent(runner):
    assert runner.invoke(args=["load-demo"]).exit_code == 0
    first = _counts()
    assert first[0] >= 2
    assert first[1] == first[2] >= 4
    assert runner.invoke(args=["load-demo"]).exit_code == 0
    assert _counts() == first
    today = today_vn()
    assert all(c.status(today).is_valid for c in db.session.scalars(select(Certificate)))
