"""Checkout benchmark: orders per second through gunicorn on PostgreSQL.

    .venv/bin/python -m bench.checkout.run                  # 3,000 orders, 16 buyers at once
    .venv/bin/python -m bench.checkout.run --orders 1000 --concurrency 32
    .venv/bin/python -m bench.checkout.run --gunicorn='-k sync -w 5'   # another server shape
    .venv/bin/python -m bench.checkout.run --smoke          # 60 orders (CI); exit 1 on failure

An order is one checkout POST by a guest buyer whose cart was filled beforehand.

1. Setup (not timed): the PostgreSQL database ``ocop_bench_checkout`` (migrations,
   localities, ``seed-bulk`` products whose stock is raised so that nothing sells
   out), a Redis of its own, and the shop in production mode under gunicorn with
   ``deploy/gunicorn.conf.py``. E-mails go through the outbox to the Celery broker
   (the bench's Redis, as in production); no worker runs during the load, so the
   figure is the web tier's own (workers scale apart). ``--no-broker`` measures the
   embedded default instead: each order's e-mails delivered in-process after its
   commit (file backend).
2. Buyers (not timed): one per order, each with its own session (its own cookies):
   the sign-in page for a CSRF token, two products from different producers into the
   cart, the checkout page for the form's tokens and the total.
3. Load (timed): ``--concurrency`` keep-alive connections; each takes the next buyer
   and sends its one checkout POST (cash on delivery or VietQR transfer, alternately)
   and expects the 303 to the order page. Orders per second = orders / wall time;
   p50, p95 and p99 of the POST's latency.
4. Check: as many orders in the database as 303s, each line's stock taken exactly.

The load client is this script: asyncio over raw HTTP/1.1 keep-alive sockets with
pre-encoded requests, in one process on the same 2 cores as the server and the
database. Rate limits: each buyer posts once (its own session), far below the
checkout limit of 10 a minute per buyer; every buyer comes from 127.0.0.1, so the
per-address ceiling (CHECKOUT_ADDRESS_RATE_LIMIT, 300 a minute for a carrier's NAT)
is raised to 1,000,000 a minute for the run.
"""

import argparse
import asyncio
import itertools
import random
import re
import shlex
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from sqlalchemy import create_engine, text

from bench.common import (
    CpuMeter,
    RedisServer,
    create_database,
    drop_database,
    flask,
    free_port,
    group_pids,
    gunicorn,
    production_env,
    stop,
)

DATABASE = "ocop_bench_checkout"
GOAL = 100  # orders per second
STOCK = 1_000_000


# -- a small HTTP/1.1 client -----------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((v for k, v in self.headers if k.lower() == name), None)


class Connection:
    """One keep-alive connection; reopened when the server closes it."""

    def __init__(self, port: int):
        self.port = port
        self.reader = self.writer = None

    async def request(self, raw: bytes) -> Response:
        for attempt in (1, 2):
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
                fresh = True
            else:
                fresh = False
            try:
                self.writer.write(raw)
                return await self._read()
            except (ConnectionError, asyncio.IncompleteReadError):
                self.close()
                if fresh or attempt == 2:  # a new connection failed: the server's fault
                    raise
        raise AssertionError("unreachable")

    async def _read(self) -> Response:
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = []
        for line in lines[1:]:
            if line:
                name, _, value = line.partition(":")
                headers.append((name.strip(), value.strip()))
        response = Response(status, headers, b"")
        if (response.header("Transfer-Encoding") or "").lower() == "chunked":
            chunks = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                chunks.append(chunk[:-2])
            response.body = b"".join(chunks)
        else:
            response.body = await self.reader.readexactly(
                int(response.header("Content-Length") or 0)
            )
        if (response.header("Connection") or "").lower() == "close":
            self.close()
        return response

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def encode(method: str, path: str, port: int, cookies: dict, form: dict | None = None) -> bytes:
    body = urlencode(form).encode() if form is not None else b""
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Accept: text/html"]
    if cookies:
        lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items()))
    if form is not None:
        lines += [
            "Content-Type: application/x-www-form-urlencoded",
            f"Origin: http://127.0.0.1:{port}",
            f"Referer: http://127.0.0.1:{port}{path}",
        ]
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


# -- buyers ----------------------------------------------------------------------------


@dataclass
class Buyer:
    cart: list[tuple[int, int]]  # (product id, quantity)
    method: str
    cookies: dict = field(default_factory=dict)
    checkout: bytes = b""  # the pre-encoded checkout POST

    def remember(self, response: Response) -> None:
        for name, value in response.headers:
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                cookie = rest.split(";", 1)[0]
                if cookie:
                    self.cookies[key.strip()] = cookie
                else:
                    self.cookies.pop(key.strip(), None)


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', html
    )
    if not match:
        raise RuntimeError(f"no {name} on the page")
    return match.group(1)


CONTACT = {
    "customer_name": "Nguyễn Thu Hà",
    "phone": "0912345678",
    "email": "khach.bench@example.vn",
    "street": "12 Đường Lê Lợi",
    "note": "",
}


async def prepare_buyer(conn: Connection, port: int, buyer: Buyer, address: dict) -> None:
    page = await conn.request(encode("GET", "/login", port, buyer.cookies))
    buyer.remember(page)
    token = hidden(page.body.decode(), "csrf_token")
    for product_id, quantity in buyer.cart:
        form = {"csrf_token": token, "product_id": product_id, "quantity": quantity}
        added = await conn.request(encode("POST", "/cart/add", port, buyer.cookies, form))
        buyer.remember(added)
        if added.status != 303:
            raise RuntimeError(f"cart/add: HTTP {added.status}: {added.body[:300]!r}")
    page = await conn.request(encode("GET", "/checkout", port, buyer.cookies))
    buyer.remember(page)
    if page.status != 200:
        raise RuntimeError(f"GET /checkout: HTTP {page.status}")
    html = page.body.decode()
    form = {
        "csrf_token": hidden(html, "csrf_token"),
        "checkout_token": hidden(html, "checkout_token"),
        "expected_total": hidden(html, "expected_total"),
        **CONTACT,
        **address,
        "payment_method": buyer.method,
    }
    if 'name="adult_confirmed"' in html:  # the cart holds alcohol: the buyer is 18+
        form["adult_confirmed"] = "y"
    buyer.checkout = encode("POST", "/checkout", port, buyer.cookies, form)


async def prepare_all(port: int, buyers: list[Buyer], address: dict, connections: int) -> None:
    queue = iter(buyers)

    async def worker():
        conn = Connection(port)
        for buyer in queue:
            await prepare_buyer(conn, port, buyer, address)
        conn.close()

    await asyncio.gather(*(worker() for _ in range(connections)))


async def place_all(port: int, buyers: list[Buyer], concurrency: int) -> tuple[list, list, float]:
    queue = iter(buyers)
    latencies: list[float] = []
    failures: list[str] = []

    async def worker():
        conn = Connection(port)
        for buyer in queue:
            started = time.perf_counter()
            try:
                response = await conn.request(buyer.checkout)
            except (ConnectionError, asyncio.IncompleteReadError) as exc:
                failures.append(f"connection: {exc!r}")
                continue
            latencies.append(time.perf_counter() - started)
            location = response.header("Location") or ""
            if response.status != 303 or not urlsplit(location).path.startswith("/orders/"):
                failures.append(f"HTTP {response.status} {location} {response.body[:200]!r}")
        conn.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, failures, time.perf_counter() - started


# -- setup -----------------------------------------------------------------------------


def prepare_database(url: str, env: dict, products: int) -> tuple[list[list[int]], dict]:
    """Products by producer (ids) and an address (province, ward) for the form."""
    flask({**env, "DATABASE_URL": url}, "db", "upgrade")
    flask({**env, "DATABASE_URL": url}, "load-localities")
    print("   ", flask({**env, "DATABASE_URL": url}, "seed-bulk", "--products", str(products)))
    engine = create_engine("postgresql+psycopg://" + url.split("://", 1)[1])
    with engine.begin() as conn:
        conn.execute(text("UPDATE products SET stock = :s"), {"s": STOCK})
        conn.execute(text("ANALYZE"))
        rows = conn.execute(  # parcel goods only: sets V and VI are "contact the producer"
            text(
                "SELECT p.id, p.producer_id FROM products p"
                " JOIN product_sets s ON s.id = p.product_set_id"
                " JOIN industries i ON i.id = s.industry_id"
                " WHERE i.ships_as_parcel ORDER BY p.id"
            )
        ).all()
        ward = conn.execute(text("SELECT code, province_code FROM wards ORDER BY code")).first()
    engine.dispose()
    by_producer: dict[int, list[int]] = {}
    for product_id, producer_id in rows:
        by_producer.setdefault(producer_id, []).append(product_id)
    return list(by_producer.values()), {
        "province_code": str(ward.province_code),
        "ward_code": str(ward.code),
    }


def make_buyers(count: int, producers: list[list[int]], rng: random.Random) -> list[Buyer]:
    methods = itertools.cycle(("cod", "vietqr"))
    buyers = []
    for _ in range(count):
        first, second = rng.sample(producers, 2)
        cart = [(rng.choice(first), rng.randint(1, 3)), (rng.choice(second), 1)]
        buyers.append(Buyer(cart=cart, method=next(methods)))
    return buyers


def check_database(url: str, buyers: list[Buyer], placed: int) -> None:
    engine = create_engine("postgresql+psycopg://" + url.split("://", 1)[1])
    with engine.connect() as conn:
        orders = conn.scalar(text("SELECT count(*) FROM orders"))
        taken = dict(
            conn.execute(
                text("SELECT product_id, sum(quantity) FROM order_lines GROUP BY product_id")
            ).all()
        )
        stock = dict(conn.execute(text("SELECT id, stock FROM products")).all())
    engine.dispose()
    if orders != placed:
        raise SystemExit(f"FAIL: {placed} answers were 303 but the database holds {orders} orders")
    wrong = [pid for pid, sold in taken.items() if stock[pid] != STOCK - sold]
    if wrong:
        raise SystemExit(f"FAIL: stock of products {wrong[:10]} does not match their order lines")
    wanted = sum(q for b in buyers for _, q in b.cart)
    if placed == len(buyers) and sum(taken.values()) != wanted:
        raise SystemExit(f"FAIL: {sum(taken.values())} units ordered, the carts held {wanted}")


class Backends:
    """The PostgreSQL server processes serving the benchmark's database, asked
    through one connection of its own (which is left out)."""

    def __init__(self, url: str):
        self.name = url.rsplit("/", 1)[1]
        self.engine = create_engine("postgresql+psycopg://" + url.split("://", 1)[1])
        self.conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")

    def __call__(self) -> list[int]:
        return list(
            self.conn.scalars(
                text(
                    "SELECT pid FROM pg_stat_activity"
                    " WHERE datname = :d AND pid <> pg_backend_pid()"
                ),
                {"d": self.name},
            )
        )

    def close(self) -> None:
        self.conn.close()
        self.engine.dispose()


def percentile(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1] if len(values) > 1 else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--products", type=int, default=2000, help="seed-bulk catalogue")
    parser.add_argument("--gunicorn", default="", help="extra gunicorn arguments, e.g. '-w 3'")
    parser.add_argument("--no-broker", action="store_true", help="e-mails delivered in-process")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--smoke", action="store_true", help="60 orders, 200 products (CI)")
    args = parser.parse_args()
    database = DATABASE
    if args.smoke:
        args.orders, args.products = 60, 200
        database = f"{DATABASE}_smoke"
    if not shutil.which("psql"):
        sys.exit("psql is missing: the checkout benchmark runs on PostgreSQL")

    work = Path(tempfile.mkdtemp(prefix="ocop-bench-checkout-"))
    redis = RedisServer(work)
    server = None
    try:
        url = create_database(database)
        extra = {"CHECKOUT_ADDRESS_RATE_LIMIT": "1000000 per minute"}
        # Empty: no broker (config.py would take REDIS_URL's Redis otherwise).
        extra["CELERY_BROKER_URL"] = "" if args.no_broker else f"{redis.url}/1"
        env = production_env(work, redis.url, DATABASE_URL=url, **extra)
        started = time.perf_counter()
        producers, address = prepare_database(url, env, args.products)
        print(f"    database ready in {time.perf_counter() - started:.0f} s", flush=True)
        port = free_port()
        server = gunicorn(env, port, *shlex.split(args.gunicorn), log=work / "gunicorn.log")
        buyers = make_buyers(args.orders, producers, random.Random(20261129))  # noqa: S311
        started = time.perf_counter()
        asyncio.run(prepare_all(port, buyers, address, connections=8))
        seconds = time.perf_counter() - started
        print(f"    {len(buyers):,} buyers with a filled cart in {seconds:.0f} s", flush=True)
        backends = Backends(url)
        meter = CpuMeter(
            {
                "gunicorn": lambda: group_pids(server.pid),
                "postgres": backends,
                "redis": lambda: [redis.process.pid],
            }
        )
        meter.start()
        latencies, failures, seconds = asyncio.run(place_all(port, buyers, args.concurrency))
        cpu = meter.stop()
        backends.close()
        placed = len(latencies) - len(failures)
        if failures:
            print(f"FAIL: {len(failures)} checkouts failed, e.g. {failures[:3]}", file=sys.stderr)
            sys.exit(1)
        check_database(url, buyers, placed)
        ms = [s * 1000 for s in latencies]
        rate = placed / seconds
        print(
            f"\n{placed:,} orders in {seconds:.1f} s with {args.concurrency} buyers at once: "
            f"{rate:.0f} orders/s (goal {GOAL}); p50 {percentile(ms, 50):.0f} ms, "
            f"p95 {percentile(ms, 95):.0f} ms, p99 {percentile(ms, 99):.0f} ms, "
            f"max {max(ms):.0f} ms"
        )
        per_order = {name: used * 1000 / placed for name, used in cpu.items()}
        ours = sum(per_order[n] for n in ("gunicorn", "postgres", "redis", "client"))
        others = per_order["machine busy"] - ours
        cores = cpu["machine total"] / seconds
        print(
            "CPU per order: "
            + ", ".join(f"{n} {per_order[n]:.1f} ms" for n in ("gunicorn", "postgres", "redis"))
            + f", load client {per_order['client']:.1f} ms; other processes on the machine "
            f"{max(others, 0):.1f} ms; {cores:.0f} cores, "
            f"{cpu['machine busy'] / cpu['machine total'] * 100:.0f} % busy"
        )
        server_ms = sum(per_order[n] for n in ("gunicorn", "postgres", "redis"))
        print(
            f"On {cores:.0f} cores of its own the server side would place about "
            f"{cores * 1000 / server_ms:.0f} orders/s ({cores * 1000 / ours:.0f} with this "
            "client beside it)"
        )
    finally:
        if server is not None:
            stop(server)
        redis.stop()
        if not args.keep:
            drop_database(database)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
