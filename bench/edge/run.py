"""Edge-cache benchmark: anonymous /products and a product page through nginx's
proxy_cache in front of gunicorn, against bench/catalog's bare reference page, in
the same run on the same machine.

    .venv/bin/python -m bench.edge.run            # 10,000 products, 10 s of load each
    .venv/bin/python -m bench.edge.run --smoke    # 200 products, 1 s each; exit 1 on failure

It builds one fresh database (migrations, localities, ``seed-bulk``) and serves, one
after the other, bench/catalog's reference app and the shop (gunicorn, 2 workers
each, as bench/catalog does; the shop in production mode with dummy Stripe keys and
its own Redis). nginx (bench/edge/proxy.py) goes in front of the shop. wrk loads
each page at 16 connections and the script prints requests per second, p50 and p95,
and cached/reference (the goal is at least 50). Then it changes a product's price in
the database and polls the page through nginx until the new price shows, which must
happen within max-age + stale-while-revalidate. Needs nginx and wrk (apt-get
install -y nginx wrk), gunicorn (pip install -e '.[bench]') and redis-server.
"""

import argparse
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from sqlalchemy import create_engine, text

from bench.catalog.run import (
    BIN,
    CATALOG_PATH,
    LUA,
    REFERENCE_PATH,
    free_port,
    load,
    prepare,
    serve,
    stop,
)
from bench.edge.proxy import NGINX, CachingProxy, available
from shop.money import format_vnd

GOAL = 50  # cached pages / bare reference, requests per second
CONNECTIONS = 16


class BenchFailure(Exception):
    pass


def fetch(url: str) -> tuple[dict, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return dict(response.headers), response.read().decode()


def start_redis() -> tuple[subprocess.Popen, str]:
    """A throw-away Redis: production refuses to start without REDIS_URL."""
    port = free_port()
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1"]
    process = subprocess.Popen(
        [*command, "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    for _ in range(100):
        ping = subprocess.run(
            ["redis-cli", "-p", str(port), "ping"], capture_output=True, text=True, check=False
        )
        if ping.stdout.strip() == "PONG":
            return process, f"redis://127.0.0.1:{port}/0"
        time.sleep(0.05)
    stop(process)
    raise BenchFailure("redis-server did not start")


def check_cached(proxy_url: str, path: str) -> int:
    """The page is public, served from the cache the second time, and holds no
    token; its size in bytes."""
    fetch(proxy_url + path)
    headers, body = fetch(proxy_url + path)
    if not headers.get("Cache-Control", "").startswith("public"):
        raise BenchFailure(f"{path}: Cache-Control {headers.get('Cache-Control')!r}")
    if headers.get("X-Cache") != "HIT":
        raise BenchFailure(f"{path}: not served from nginx's cache ({headers.get('X-Cache')})")
    if "Set-Cookie" in headers or re.search(r'name="csrf_token" value="[^"]', body):
        raise BenchFailure(f"{path}: a cookie or a token in a cached page")
    return len(body.encode())


def price_change_delay(proxy_url: str, slug: str, database_url: str, window: int) -> float:
    """Seconds from a price change in the database to the new price through nginx."""
    url = f"{proxy_url}/products/{slug}"
    _, body = fetch(url)  # a cached copy, as a visitor would get it
    shown = re.search(r'<p class="price">([\d.]+)', body)
    if not shown:
        raise BenchFailure(f"no price on {url}")
    new_price = int(shown.group(1).replace(".", "")) + 1_000
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://") :]
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE products SET price_vnd = :price WHERE slug = :slug"),
            {"price": new_price, "slug": slug},
        )
    engine.dispose()
    changed = time.monotonic()
    expected = format_vnd(new_price)
    while time.monotonic() - changed <= window + 2:  # a poll's own latency
        if expected in fetch(url)[1]:
            return time.monotonic() - changed
        time.sleep(0.25)
    raise BenchFailure(f"the new price {expected} did not show within {window} s")


def run(args, work: Path) -> dict:
    script = work / "report.lua"
    script.write_text(LUA)
    env = {
        **os.environ,
        "SHOP_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "INSTANCE_PATH": str(work),
        "UPLOAD_FOLDER": str(work / "uploads"),
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        # Production refuses to start without Stripe keys; nothing here pays.
        "STRIPE_SECRET_KEY": "sk_test_bench",
        "STRIPE_PUBLISHABLE_KEY": "pk_test_bench",
        "STRIPE_WEBHOOK_SECRET": "whsec_bench",
        # Production refuses to start without the operator's identity (Decree 85/2021).
        **{
            f"OPERATOR_{part}": f"Bench operator {part.lower()}"
            for part in ("NAME", "ADDRESS", "PHONE", "EMAIL", "REGISTRATION")
        },
        "TRUSTED_PROXIES": "1",  # nginx
        "PUBLIC_CACHE_MAX_AGE": str(args.max_age),
        "PUBLIC_CACHE_STALE_WHILE_REVALIDATE": str(args.stale),
        "LOG_LEVEL": "WARNING",
    }
    processes = []
    try:
        if "REDIS_URL" not in os.environ:
            redis, env["REDIS_URL"] = start_redis()
            processes.append(redis)
        if args.database == "sqlite":
            database_url = f"sqlite:///{work}/edge.db"
        else:
            name = f"ocop_bench_edge_{os.getpid()}"
            subprocess.run(["psql", args.pg, "-qc", f"CREATE DATABASE {name}"], check=True)
            database_url = args.pg.rsplit("/", 1)[0] + "/" + name
        env["DATABASE_URL"] = database_url
        started = time.perf_counter()
        prepare(database_url, args.products, env)
        print(f"    database ready in {time.perf_counter() - started:.0f} s", flush=True)
        results = {}

        def measure(label: str, url: str) -> None:
            results[label] = load(url, CONNECTIONS, args.duration, script)
            rps, p50, p95 = results[label]
            print(
                f"    {label:26} {rps:9.1f} req/s  p50 {p50:6.1f} ms  p95 {p95:6.1f} ms",
                flush=True,
            )

        port = free_port()
        reference = serve("bench.catalog.reference_app:app", env, port)
        try:
            measure("reference (bare)", f"http://127.0.0.1:{port}{REFERENCE_PATH}")
        finally:
            stop(reference)

        port = free_port()
        shop = serve("wsgi:app", env, port)
        processes.append(shop)
        _, listing = fetch(f"http://127.0.0.1:{port}{CATALOG_PATH}")
        slugs = re.findall(r'href="/products/([^"?/]+)"', listing)
        if not slugs:
            raise BenchFailure(f"no product on {CATALOG_PATH}")
        product_path = f"/products/{slugs[0]}"
        measure("/products, no cache", f"http://127.0.0.1:{port}{CATALOG_PATH}")
        with CachingProxy(port, workers=args.nginx_workers) as proxy:
            for path in (CATALOG_PATH, product_path):
                size = check_cached(proxy.url, path)
                print(f"    {path}: public, a cache hit, {size:,} bytes", flush=True)
            measure("/products through nginx", proxy.url + CATALOG_PATH)
            measure("product through nginx", proxy.url + product_path)
            window = args.max_age + args.stale
            delay = price_change_delay(proxy.url, slugs[0], database_url, window)
            print(
                f"    a price change showed through nginx after {delay:.1f} s "
                f"(max-age {args.max_age} s + stale-while-revalidate {args.stale} s)",
                flush=True,
            )
        results["delay"] = delay
        return results
    finally:
        for process in reversed(processes):
            if process.poll() is None:
                stop(process)
        if args.database == "postgresql":
            subprocess.run(
                ["psql", args.pg, "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"],
                check=False,
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--smoke", action="store_true", help="tiny data, a second of load")
    parser.add_argument("--products", type=int, help="catalogue size (10,000; smoke 200)")
    parser.add_argument("--duration", type=int, help="seconds per wrk run (10; smoke 1)")
    parser.add_argument("--max-age", type=int, help="PUBLIC_CACHE_MAX_AGE (60; smoke 2)")
    parser.add_argument("--stale", type=int, help="stale-while-revalidate (300; smoke 3)")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--nginx-workers", default="auto")
    args = parser.parse_args()
    smoke = args.smoke
    args.products = args.products or (200 if smoke else 10_000)
    args.duration = args.duration or (1 if smoke else 10)
    args.max_age = args.max_age if args.max_age is not None else (2 if smoke else 60)
    args.stale = args.stale if args.stale is not None else (3 if smoke else 300)

    missing = [
        what
        for what, present in [
            ("wrk (apt-get install -y wrk)", shutil.which("wrk")),
            (f"nginx at {NGINX} (apt-get install -y nginx)", available()),
            ("gunicorn (pip install -e '.[bench]')", (BIN / "gunicorn").exists()),
            (
                "redis-server (apt-get install -y redis-server), or REDIS_URL",
                shutil.which("redis-server") or os.environ.get("REDIS_URL"),
            ),
        ]
        if not present
    ]
    if missing:
        print("missing: " + "; ".join(missing), file=sys.stderr)
        return 1

    print(
        f"== edge cache: {args.database}, {args.products:,} products, "
        f"{CONNECTIONS} connections, {args.duration} s per run",
        flush=True,
    )
    work = Path(tempfile.mkdtemp(prefix="ocop-bench-edge-"))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # clean up in run()'s finally
    try:
        results = run(args, work)
    except (BenchFailure, RuntimeError, subprocess.CalledProcessError, OSError) as exc:
        print(f"FAILED: {exc}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(work, ignore_errors=True)
    reference = results["reference (bare)"][0]
    ratios = {
        label: results[label][0] / reference
        for label in ("/products through nginx", "product through nginx")
    }
    worst = min(ratios.values())
    print(
        "    cached/reference: "
        + ", ".join(f"{label.split(' through')[0]} {r:.1f}x" for label, r in ratios.items())
        + f"  (goal >= {GOAL}x: {'met' if worst >= GOAL else 'NOT met'})",
        flush=True,
    )
    print(
        "\n| products | reference req/s | /products no cache | /products via nginx"
        " | product via nginx | cached/reference | price visible after |"
    )
    print("|---|---|---|---|---|---|---|")
    print(
        f"| {args.products:,} | {reference:.0f} | {results['/products, no cache'][0]:.0f} | "
        f"{results['/products through nginx'][0]:.0f} | "
        f"{results['product through nginx'][0]:.0f} | {worst:.1f}x | "
        f"{results['delay']:.1f} s (window {args.max_age + args.stale} s) |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
