"""Reports benchmark: staff report pages and CSV exports over 100,000 orders on PostgreSQL.

    .venv/bin/python -m bench.reports.run
    .venv/bin/python -m bench.reports.run --orders 20000 --repeat 3
    .venv/bin/python -m bench.reports.run --smoke    # 300 orders, each page once (CI)

It (re)creates the database ``ocop_bench_reports`` (migrations, localities,
``seed-demo`` and a ``seed-bulk`` catalogue for more producers and provinces),
bulk-inserts the orders with SQLAlchemy Core (about two lines each, spread over
the last twelve months: mostly paid, some unpaid, some cancelled, a few
refunds), then renders every report page through the Flask test client as a
signed-in staff member (whole HTML page with its SVG chart) ``--repeat`` times and
prints the median and the maximum of each. Ranges: the current month (the default
page) and the last twelve months (every order). The database is dropped at the
end unless --keep. Target: under 2 s per page. ``--smoke`` uses its own database
(``ocop_bench_reports_smoke``) and exits non-zero when a page is not a 200.
"""

import argparse
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DATABASE = "ocop_bench_reports"
BATCH = 5_000


def psql(admin: str, sql: str) -> None:
    subprocess.run(["psql", admin, "-qc", sql], check=True)


def prepare(url: str, bulk_products: int, env: dict) -> None:
    flask = [str(BIN / "flask"), "--app", "wsgi"]
    for args in (
        ["db", "upgrade"],
        ["load-localities"],
        ["seed-demo"],
        ["seed-bulk", "--products", str(bulk_products)],
    ):
        subprocess.run(
            [*flask, *args],
            cwd=ROOT,
            env={**env, "DATABASE_URL": url},
            check=True,
            capture_output=True,
            text=True,
        )


def seed_orders(count: int, now: datetime, rng: random.Random) -> dict:
    """Insert ``count`` orders with their shipments, lines and a few refunds."""
    from sqlalchemy import func, insert, select, text

    from shop.catalog.models import Product
    from shop.certification.models import Certificate
    from shop.extensions import db
    from shop.localities.models import Ward
    from shop.orders.models import Order, OrderLine, Shipment
    from shop.payments.models import Refund
    from shop.producers.models import Producer

    today = now.date()
    products = db.session.execute(
        select(
            Product.id,
            Product.name,
            Product.producer_id,
            Product.product_set_id,
            Product.price_vnd,
            Producer.province_code,
            func.max(Certificate.star_rank),
            func.max(Certificate.id),
        )
        .join(Producer, Producer.id == Product.producer_id)
        .join(Certificate, Certificate.product_id == Product.id)
        .where(Certificate.valid_on(today))
        .group_by(Product.id, Product.name, Producer.province_code)
    ).all()
    wards = db.session.execute(select(Ward.code, Ward.province_code)).all()
    # Most sales come from a few products, as in a real shop.
    weights = [1 / (k + 1) ** 0.6 for k in range(len(products))]
    staff_id = db.session.scalar(text("SELECT id FROM users WHERE role = 'staff' LIMIT 1"))

    counts = {"orders": 0, "shipments": 0, "lines": 0, "refunds": 0}
    # Ids are given here (a shipment's lines need it); the sequences are moved on after.
    order_base = db.session.scalar(select(func.coalesce(func.max(Order.id), 0)))
    shipment_id = db.session.scalar(select(func.coalesce(func.max(Shipment.id), 0)))
    for first in range(order_base + 1, order_base + count + 1, BATCH):
        orders, shipments, lines, refunds = [], [], [], []
        for order_id in range(first, min(first + BATCH, order_base + count + 1)):
            created = now - timedelta(seconds=rng.randrange(365 * 86400))
            chosen = rng.choices(products, weights=weights, k=rng.choice((1, 2, 2, 2, 3)))
            by_producer: dict[int, list] = {}
            for p in chosen:
                by_producer.setdefault(p.producer_id, []).append((p, rng.choice((1, 1, 2, 3))))
            fate = rng.random()
            method = rng.choice(("cod", "vietqr", "card"))
            paid = fate < 0.85
            cancelled = 0.85 <= fate < 0.90
            paid_at = created + timedelta(minutes=rng.randrange(5, 3 * 1440)) if paid else None
            ward, province = rng.choice(wards)
            subtotal = shipping = 0
            for producer_id, group in by_producer.items():
                shipment_id += 1
                sub = sum(p.price_vnd * q for p, q in group)
                ship = 0 if sub >= 500_000 else 30_000
                subtotal += sub
                shipping += ship
                status = "cancelled" if cancelled else ("delivered" if paid else "new")
                shipments.append(
                    {
                        "id": shipment_id,
                        "order_id": order_id,
                        "producer_id": producer_id,
                        "status": status,
                        "subtotal_vnd": sub,
                        "shipping_vnd": ship,
                        "refunded_vnd": 0,
                        "delivered_at": paid_at if paid else None,
                        "paid_at": paid_at,
                    }
                )
                for p, q in group:
                    lines.append(
                        {
                            "order_id": order_id,
                            "shipment_id": shipment_id,
                            "product_id": p.id,
                            "producer_id": producer_id,
                            "certificate_id": p[7],
                            "product_name": p.name,
                            "pack": "",
                            "star_rank": p[6],
                            "product_set_id": p.product_set_id,
                            "province_code": p.province_code,
                            "unit_price_vnd": p.price_vnd,
                            "quantity": q,
                            "line_total_vnd": p.price_vnd * q,
                        }
                    )
                if paid and rng.random() < 0.01:
                    amount = rng.randrange(1, sub + ship + 1)
                    shipments[-1]["refunded_vnd"] = amount
                    refunds.append(
                        {
                            "order_id": order_id,
                            "shipment_id": shipment_id,
                            "amount_vnd": amount,
                            "reason": "Hàng vỡ khi vận chuyển",
                            "status": "succeeded",
                            "created_by_id": staff_id,
                            "created_at": paid_at + timedelta(days=rng.randrange(1, 20)),
                        }
                    )
            total = subtotal + shipping
            refunded = sum(r["amount_vnd"] for r in refunds if r["order_id"] == order_id)
            orders.append(
                {
                    "id": order_id,
                    "number": f"DH{created:%y%m}{order_id:07d}",
                    "checkout_token": f"bench-{order_id}-{secrets.token_hex(8)}",
                    "access_key": secrets.token_urlsafe(32)[:43],
                    "customer_name": "Nguyễn Thu Hà",
                    "phone": "0912345678",
                    "email": f"khach{order_id % 5000}@example.vn",
                    "province_code": province,
                    "ward_code": ward,
                    "street": "1 Đường Trần Phú",
                    "note": "",
                    "payment_method": method,
                    "status": "cancelled"
                    if cancelled
                    else ("completed" if paid else "pending_payment"),
                    "payment_status": "paid" if paid else "unpaid",
                    "subtotal_vnd": subtotal,
                    "shipping_vnd": shipping,
                    "total_vnd": total,
                    "paid_vnd": total if paid else 0,
                    "refunded_vnd": refunded,
                    "created_at": created,
                    "paid_at": paid_at,
                }
            )
        db.session.execute(insert(Order), orders)
        db.session.execute(insert(Shipment), shipments)
        db.session.execute(insert(OrderLine), lines)
        if refunds:
            db.session.execute(insert(Refund), refunds)
        db.session.commit()
        counts["orders"] += len(orders)
        counts["shipments"] += len(shipments)
        counts["lines"] += len(lines)
        counts["refunds"] += len(refunds)
    if db.engine.dialect.name == "postgresql":  # SQLite needs neither step
        for table in ("orders", "shipments"):
            db.session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"  # noqa: S608 - fixed names
                    f" (SELECT max(id) FROM {table}))"
                )
            )
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
    return counts


def measure(client, path: str, repeat: int) -> tuple[float, float, int]:
    times = []
    size = 0
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(path)
        times.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise RuntimeError(f"{path}: HTTP {response.status_code}")
        size = len(response.data)
    return statistics.median(times), max(times), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--bulk-products", type=int, default=3_000, help="seed-bulk catalogue")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--smoke", action="store_true", help="300 orders, 20 bulk products, once")
    args = parser.parse_args()
    database = DATABASE
    if args.smoke:
        args.orders, args.bulk_products, args.repeat = 300, 20, 1
        database = f"{DATABASE}_smoke"

    work = Path(tempfile.mkdtemp(prefix="ocop-bench-reports-"))
    url = args.pg.rsplit("/", 1)[0] + "/" + database
    env = {
        **os.environ,
        "SHOP_ENV": "development",
        "INSTANCE_PATH": str(work),
        "UPLOAD_FOLDER": str(work / "uploads"),
        "PYTHONPATH": str(ROOT),
    }
    env.pop("REDIS_URL", None)
    psql(args.pg, f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
    psql(args.pg, f"CREATE DATABASE {database}")
    started = time.perf_counter()
    prepare(url, args.bulk_products, env)
    print(f"catalogue ready in {time.perf_counter() - started:.0f} s", flush=True)

    # The app is built in this process only now, with the benchmark database.
    os.environ.update({k: env[k] for k in ("SHOP_ENV", "INSTANCE_PATH", "UPLOAD_FOLDER")})
    os.environ["DATABASE_URL"] = url
    from shop import create_app
    from shop.clock import today_vn, utcnow
    from shop.demo import data
    from shop.extensions import db
    from shop.reports.definitions import NAMES
    from shop.reports.periods import Period, first_of_month, previous_month

    app = create_app()
    app.config["WTF_CSRF_ENABLED"] = False  # the test client signs in without a form page
    with app.app_context():
        started = time.perf_counter()
        counts = seed_orders(args.orders, utcnow(), random.Random(20261128))  # noqa: S311
        print(
            f"seeded {counts['orders']:,} orders, {counts['shipments']:,} shipments, "
            f"{counts['lines']:,} lines, {counts['refunds']:,} refunds "
            f"in {time.perf_counter() - started:.0f} s",
            flush=True,
        )
        db.session.remove()

    today = today_vn()
    year_start = first_of_month(today)
    for _ in range(11):
        year_start = previous_month(year_start)
    ranges = {
        "current month": Period.month_of(today),
        "12 months": Period(year_start, today),
    }
    last_month = previous_month(today).strftime("%Y-%m")
    client = app.test_client()
    response = client.post("/login", data={"email": data.STAFF[0], "password": data.DEMO_PASSWORD})
    if response.status_code != 302:
        raise RuntimeError("staff sign-in failed")

    rows = []
    for label, period in ranges.items():
        query = "?" + urlencode(period.args())
        pages = [("overview (all six)", f"/staff/reports/{query}")]
        pages += [(name, f"/staff/reports/{name}{query}") for name in NAMES]
        pages += [(f"{name}.csv", f"/staff/reports/{name}.csv{query}") for name in NAMES]
        for name, path in pages:
            median, worst, size = measure(client, path, args.repeat)
            rows.append((label, name, median, worst, size))
            print(
                f"  {label:13} {name:20} median {median * 1000:7.1f} ms  "
                f"max {worst * 1000:7.1f} ms  {size / 1024:7.1f} KiB",
                flush=True,
            )
    with app.app_context():
        from shop.settlements.services import generate

        started = time.perf_counter()
        result = generate(previous_month(today), today)
        db.session.commit()
        generated = time.perf_counter() - started
        print(f"  settlements generate {last_month}: {result} in {generated * 1000:.0f} ms")
        db.session.remove()
    for name, path in [
        ("settlements", f"/staff/settlements?month={last_month}"),
        ("settlements.csv", f"/staff/settlements.csv?month={last_month}"),
    ]:
        median, worst, size = measure(client, path, args.repeat)
        rows.append((last_month, name, median, worst, size))
        print(
            f"  {last_month:13} {name:20} median {median * 1000:7.1f} ms  "
            f"max {worst * 1000:7.1f} ms  {size / 1024:7.1f} KiB",
            flush=True,
        )

    print(f"\n{args.orders:,} orders, PostgreSQL, {args.repeat} runs each\n")
    print("| range | page | median | max | size |")
    print("|---|---|---|---|---|")
    for label, name, median, worst, size in rows:
        print(
            f"| {label} | {name} | {median * 1000:.0f} ms | {worst * 1000:.0f} ms "
            f"| {size / 1024:.0f} KiB |"
        )
    slowest = max(rows, key=lambda r: r[3])
    print(
        f"\nslowest: {slowest[1]} ({slowest[0]}) max {slowest[3] * 1000:.0f} ms (target < 2000 ms)"
    )
    with app.app_context():
        db.engine.dispose()
    if not args.keep:
        psql(args.pg, f"DROP DATABASE {database} WITH (FORCE)")


if __name__ == "__main__":
    main()
