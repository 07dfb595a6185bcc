"""CPU time per page, in one process: the catalogue benchmark that a busy machine
cannot blur.

    .venv/bin/python -m bench.catalog.cpu                          # 20,000 products, PostgreSQL
    .venv/bin/python -m bench.catalog.cpu --products 200 --database sqlite --requests 30

wrk's requests per second (bench/catalog/run.py) are what a visitor gets, but on a
shared machine they move with whatever else runs. The CPU a process spends on one
request moves far less: this builds the same fresh database as run.py, then, in a
child process per page (production configuration, Redis of its own), sends the page
through Flask's test client and reports the median CPU milliseconds per request
(``time.process_time``: this process only; the database server's share is not in it).

Pages: the reference app's listing, our listing with its results served from the
fragment cache (the page a busy listing is), the same with that cache switched off
(a listing nobody asked for lately), the product page and the home page.
Compare two commits by running this in each checkout, one after the other.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.catalog.run import CATALOG_PATH, REFERENCE_PATH, prepare
from bench.common import RedisServer, production_env

ROOT = Path(__file__).resolve().parents[2]
PAGES = [
    # label, app, path, results cache on
    ("reference", "reference", REFERENCE_PATH, True),
    ("listing", "shop", CATALOG_PATH, True),
    ("listing, results cache off", "shop", CATALOG_PATH, False),
    ("product page", "shop", "<product>", True),
    ("home page", "shop", "/", True),
]


def child(app_name: str, path: str, requests: int) -> None:
    """Runs in its own process with the environment set: prints one JSON line."""
    if app_name == "reference":
        from bench.catalog.reference_app import app
    else:
        from wsgi import app
    client = app.test_client()
    if path == "<product>":
        from sqlalchemy import text

        from shop.extensions import db

        with app.app_context():
            slug = db.session.execute(
                text("SELECT slug FROM products ORDER BY id LIMIT 1 OFFSET 100")
            ).scalar_one()
        path = f"/products/{slug}"
    for _ in range(10):  # warm: templates compiled, caches filled, connections open
        status = client.get(path).status_code
        if status != 200:
            raise SystemExit(f"{path}: {status}")
    times = []
    for _ in range(requests):
        started = time.process_time()
        client.get(path)
        times.append(time.process_time() - started)
    size = len(client.get(path).data)
    print(json.dumps({"median_ms": statistics.median(times) * 1000, "bytes": size}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--products", type=int, default=20_000)
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--requests", type=int, default=300, help="per page")
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--child", nargs=2, metavar=("APP", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child, args.requests)
        return

    work = Path(tempfile.mkdtemp(prefix="ocop-cpu-"))
    with RedisServer(work) as redis:
        env = production_env(work, redis.url)
        if args.database == "sqlite":
            url = f"sqlite:///{work}/bench.db"
        else:
            name = f"ocop_cpu_{args.products}_{os.getpid()}"
            subprocess.run(["psql", args.pg, "-qc", f"CREATE DATABASE {name}"], check=True)
            url = args.pg.rsplit("/", 1)[0] + "/" + name
        try:
            prepare(url, args.products, env)
            rows = []
            for label, app_name, path, cached in PAGES:
                page_env = {**env, "DATABASE_URL": url}
                if not cached:
                    page_env["CATALOG_RESULTS_CACHE_SECONDS"] = "0"
                out = subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "bench.catalog.cpu",
                        "--requests",
                        str(args.requests),
                        "--child",
                        app_name,
                        path,
                    ],
                    cwd=ROOT,
                    env=page_env,
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
                result = json.loads(out.strip().splitlines()[-1])
                rows.append((label, result))
                print(
                    f"    {label:28} {result['median_ms']:6.2f} ms CPU  {result['bytes']:7,} bytes",
                    flush=True,
                )
        finally:
            if args.database == "postgresql":
                subprocess.run(
                    ["psql", args.pg, "-qc", f"DROP DATABASE {name} WITH (FORCE)"], check=False
                )
    reference = rows[0][1]["median_ms"]
    print(
        f"\n| page ({args.products:,} products, {args.database}) | CPU per request | "
        "reference / page | bytes |"
    )
    print("|---|---|---|---|")
    for label, result in rows:
        print(
            f"| {label} | {result['median_ms']:.2f} ms | {reference / result['median_ms']:.2f} | "
            f"{result['bytes']:,} |"
        )


if __name__ == "__main__":
    main()
