"""A centre's stock under real concurrency (PostgreSQL): 100 tills ringing up the
same product at once against 60 units, through the real forms of a threaded
server, each its own signed-in session; and the service racing itself."""

import re
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import func, select

from shop.centres import queries
from shop.centres.models import CentreStock, StockMovement, TillSale, TillSaleLine
from shop.extensions import db
from tests.centres.helpers import consign, make_cashier, make_centre
from tests.centres.test_services import gtin
from tests.conftest import is_postgres
from tests.factories import PASSWORD


@pytest.fixture(autouse=True)
def postgres_only(app):
    if not is_postgres(app):
        pytest.skip("concurrency proofs run on PostgreSQL (the second pass of .ci/run)")
    app.config["RATELIMIT_ENABLED"] = False


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


class Till:
    """One cashier's browser: its own cookies, going through the real forms."""

    def __init__(self, base: str, email: str):
        self.base = base
        self.http = requests.Session()
        page = self.http.get(f"{base}/login", timeout=60)
        r = self.http.post(
            f"{base}/login",
            data={"email": email, "password": PASSWORD, "csrf_token": _csrf(page.text)},
            timeout=60,
            allow_redirects=False,
        )
        assert r.status_code == 302
        assert urlsplit(r.headers["Location"]).path == "/centre/"

    def scan(self, code: str) -> dict:
        till = self.http.get(f"{self.base}/centre/", timeout=60)
        r = self.http.post(
            f"{self.base}/centre/scan",
            data={"code": code, "csrf_token": _csrf(till.text)},
            timeout=60,
            allow_redirects=False,
        )
        assert r.status_code == 303, r.status_code
        page = self.http.get(f"{self.base}/centre/", timeout=60)
        token = re.search(r'name="sale_token" type="hidden" value="([0-9a-f]+)"', page.text)
        return {"method": "cash", "sale_token": token.group(1), "csrf_token": _csrf(page.text)}

    def pay(self, form: dict) -> str:
        r = self.http.post(
            f"{self.base}/centre/checkout", data=form, timeout=120, allow_redirects=False
        )
        target = urlsplit(r.headers.get("Location", "")).path
        if r.status_code == 303 and target.startswith("/centre/sales/"):
            return "sold"
        # Sold out before the sale read the stock, or at its conditional UPDATE.
        if r.status_code == 409 and (
            "chỉ còn 0 đơn vị" in r.text or "không còn sản phẩm này trong kho" in r.text
        ):
            return "told"
        return f"http {r.status_code} {target}"


def test_100_tills_race_for_60_units(app, live_server, make_listed):
    centre = make_centre()
    product = make_listed("Chè Shan Tuyết cổ thụ", gtin=gtin("800001"), price=150_000, stock=7)
    consign(centre, product, 60)
    cashiers = [make_cashier(centre, email=f"quay{i}@example.vn").email for i in range(10)]
    code = product.gtin  # read here: the threads have no app context
    with ThreadPoolExecutor(max_workers=16) as pool:
        tills = list(pool.map(lambda i: Till(live_server, cashiers[i % 10]), range(100)))
        forms = list(pool.map(lambda t: t.scan(code), tills))
    barrier = threading.Barrier(len(tills))
    outcomes: Counter = Counter()
    lock = threading.Lock()

    def go(pair):
        till, form = pair
        barrier.wait()
        outcome = till.pay(form)
        with lock:
            outcomes[outcome] += 1

    threads = [threading.Thread(target=go, args=(p,)) for p in zip(tills, forms, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes == Counter({"sold": 60, "told": 40}), outcomes
    db.session.expire_all()
    assert db.session.get(CentreStock, (centre.id, product.id)).quantity == 0
    assert db.session.scalar(select(func.count(TillSale.id))) == 60
    assert db.session.scalar(select(func.sum(TillSaleLine.quantity))) == 60
    assert queries.ledger_sum(centre.id, product.id) == 0
    balances = sorted(
        db.session.scalars(
            select(StockMovement.balance_after).where(StockMovement.sale_id.is_not(None))
        )
    )
    assert balances == list(range(60))  # each sale saw its own balance: 59 … 0
    assert db.session.get(type(product), product.id).stock == 7  # online untouched


def test_the_first_consignments_of_a_product_race_into_one_row(app, make_listed):
    """Ten consignments of the same product at once to a centre that holds none
    yet (fewer than the pool's connections: each holds one at the barrier):
    INSERT … ON CONFLICT makes one stock row holding all of it."""
    from shop.catalog.models import Product
    from shop.centres import services
    from shop.centres.models import Centre

    centre_id = make_centre().id
    product_id = make_listed(stock=0).id
    barrier = threading.Barrier(10)
    errors = []

    def run():
        with app.app_context():
            try:
                centre = db.session.get(Centre, centre_id)
                product = db.session.get(Product, product_id)
                barrier.wait()
                services.consign(
                    product.producer,
                    centre,
                    product,
                    3,
                    product.producer.members[0].user,
                    from_online=False,
                )
                db.session.commit()
            except Exception as exc:
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    db.session.expire_all()
    assert db.session.get(CentreStock, (centre_id, product_id)).quantity == 30
    assert queries.ledger_sum(centre_id, product_id) == 30
