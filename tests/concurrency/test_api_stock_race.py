"""The producer API racing checkouts on PostgreSQL: 50 API stock changes (units
taken off, and compare-and-set restocks) against 50 buyers checking out the same
product at once, over HTTP against a threaded server. Every unit is accounted
for: the final stock is the first, less what was sold and taken off, plus what
was restocked; nothing is oversold and no sold unit is written back."""

import threading
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import func, select

from shop.catalog.models import Product
from shop.extensions import db
from shop.orders.models import OrderLine
from tests.concurrency.test_races import Buyer
from tests.conftest import is_postgres
from tests.tokens.helpers import make_token

FIRST_STOCK = 40
BUYERS = 50
TAKE_OFFS = 25  # POST .../stock/adjustments {"delta": -1}
RESTOCKS = 25  # GET, then PUT .../stock {"quantity": s + 2, "expected": s}, retried on 409


@pytest.fixture(autouse=True)
def postgres_only(app):
    if not is_postgres(app):
        pytest.skip("concurrency proofs run on PostgreSQL (the second pass of .ci/run)")
    # One token makes every API call here, and every buyer shares 127.0.0.1.
    app.config["RATELIMIT_ENABLED"] = False


def test_api_stock_changes_racing_50_checkouts(app, live_server, make_listed):
    product = make_listed("Mật ong bạc hà", stock=FIRST_STOCK, price=200_000)
    product_id = product.id
    _token, secret = make_token(product.producer)
    api = f"{live_server}/api/v1/producer/products/{product_id}"

    buyers = [Buyer(live_server) for _ in range(BUYERS)]
    with ThreadPoolExecutor(max_workers=16) as pool:
        forms = list(pool.map(lambda b: (b.add(product_id), b.checkout_form())[1], buyers))

    barrier = threading.Barrier(BUYERS + TAKE_OFFS + RESTOCKS)
    outcomes: Counter = Counter()
    lock = threading.Lock()

    def count(what: str) -> None:
        with lock:
            outcomes[what] += 1

    def checkout(buyer: Buyer, form: dict) -> None:
        barrier.wait()
        response = buyer.submit(form)
        target = urlsplit(response.headers.get("Location", "")).path
        if response.status_code == 303 and target.startswith("/orders/DH"):
            count("ordered")
        elif response.status_code == 303 and target == "/cart":
            count("not ordered")
        else:
            count(f"checkout http {response.status_code} to {target}")

    def headers() -> dict:
        return {"Authorization": f"Bearer {secret}", "Idempotency-Key": str(uuid.uuid4())}

    def take_off() -> None:
        http = requests.Session()
        barrier.wait()
        response = http.post(
            f"{api}/stock/adjustments", json={"delta": -1}, headers=headers(), timeout=120
        )
        if response.status_code == 200:
            count("taken off")
        elif response.status_code == 409 and response.json()["errors"]["stock"] == [0]:
            count("none to take off")
        else:
            count(f"adjust http {response.status_code}")

    def restock() -> None:
        http = requests.Session()
        barrier.wait()
        for _ in range(50):
            read = http.get(api, headers={"Authorization": f"Bearer {secret}"}, timeout=120)
            assert read.status_code == 200
            seen = read.json()["stock"]
            response = http.put(
                f"{api}/stock",
                json={"quantity": seen + 2, "expected": seen},
                headers=headers(),
                timeout=120,
            )
            if response.status_code == 200:
                count("restocked")
                return
            if response.status_code != 409:
                count(f"set http {response.status_code}")
                return
            count("stale set refused")
        count("restock gave up")

    threads = [
        threading.Thread(target=checkout, args=pair) for pair in zip(buyers, forms, strict=True)
    ]
    threads += [threading.Thread(target=take_off) for _ in range(TAKE_OFFS)]
    threads += [threading.Thread(target=restock) for _ in range(RESTOCKS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert not [k for k in outcomes if "http" in k], outcomes
    assert outcomes["ordered"] + outcomes["not ordered"] == BUYERS
    assert outcomes["taken off"] + outcomes["none to take off"] == TAKE_OFFS
    assert outcomes["restocked"] + outcomes["restock gave up"] == RESTOCKS
    db.session.expire_all()
    final = db.session.get(Product, product_id).stock
    sold = db.session.scalar(
        select(func.coalesce(func.sum(OrderLine.quantity), 0)).where(
            OrderLine.product_id == product_id
        )
    )
    assert sold == outcomes["ordered"]  # one unit per order, each order one line
    # Every unit accounted for: no oversell, no sold unit written back by a set.
    assert final == FIRST_STOCK - sold - outcomes["taken off"] + 2 * outcomes["restocked"], outcomes
    assert final >= 0
    print(dict(outcomes), "final stock", final)
