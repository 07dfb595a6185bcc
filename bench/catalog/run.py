"""Catalogue benchmark: our /products against a bare reference, on SQLite and PostgreSQL.

    .venv/bin/python -m bench.catalog.run                 # 10,000 and 100,000 products
    .venv/bin/python -m bench.catalog.run --sizes 10000 --databases sqlite --duration 5
    .venv/bin/python -m bench.catalog.run --smoke         # 200 products, SQLite, 1 s each

For each database and catalogue size it builds a fresh database (migrations,
localities, ``seed-bulk``), serves the shop and the reference app with gunicorn
(2 workers each, one at a time), loads them with wrk at 16 connections and prints
requests per second, p50 and p95 for both, and ours/reference. It also measures a
selective search at 16 connections and at 1 connection (≈ server-side latency).
The shop runs in production mode, as deployed: throw-away secrets and Stripe keys,
and a Redis of its own (bench/common.py) for rate limits and the catalogue cache.
Needs wrk and redis-server (apt-get install wrk redis-server). ``--smoke`` is CI's
check that the benchmark still runs: it exits non-zero on any failure.
"""

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.common import RedisServer, production_env

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CATALOG_PATH = "/products?stars=4&sort=newest&page=3"  # filtered and paginated
REFERENCE_PATH = "/products?stars=4&page=3"
SEARCH_PATH = "/products?q=tinh+dau+truyen+thong"
LUA = """
done = function(summary, latency, requests)
  io.write(string.format("RESULT %.1f %.2f %.2f\\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(database_url: str, products: int, env: dict) -> None:
    env = {**env, "DATABASE_URL": database_url, "SHOP_ENV": "development"}
    flask = [str(BIN / "flask"), "--app", "wsgi"]
    for args in (
        ["db", "upgrade"],
        ["load-localities"],
        ["seed-bulk", "--products", str(products)],
    ):
        out = subprocess.run(
            [*flask, *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
        )
        if args[0] == "seed-bulk":
            print(f"    {out.stdout.strip()}", flush=True)


def serve(app: str, env: dict, port: int, log: Path | None = None) -> subprocess.Popen:
    """gunicorn, 2 sync workers; its log (a JSON line per request in production) to
    ``log`` when given."""
    output = log.open("ab") if log else None
    process = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            app,
        ],
        cwd=ROOT,
        env=env,
        stdout=output,
        stderr=output,
        start_new_session=True,
    )
    for _ in range(100):
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn {app} exited with {process.returncode} (see {log})")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            break
        except OSError as exc:
            if getattr(exc, "code", None):  # an HTTP error: the server answers
                break
            time.sleep(0.1)
    else:
        raise RuntimeError(f"gunicorn {app} did not answer on port {port}")
    return process


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=10)


def load(url: str, connections: int, duration: int, script: Path) -> tuple[float, float, float]:
    urllib.request.urlopen(url, timeout=10).read()
    out = subprocess.run(
        [
            "wrk",
            f"-t{min(2, connections)}",
            f"-c{connections}",
            f"-d{duration}s",
            "-s",
            str(script),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    match = re.search(r"RESULT ([\d.]+) ([\d.]+) ([\d.]+)", out)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non_2xx:
        raise RuntimeError(f"{url}: {non_2xx.group(1)} error responses")
    errors = re.search(r"Socket errors: (.*)", out)
    if errors:
        raise RuntimeError(f"{url}: socket errors: {errors.group(1)}")
    if not match or float(match.group(1)) <= 0:
        raise RuntimeError(f"{url}: no requests completed\n{out}")
    return float(match.group(1)), float(match.group(2)), float(match.group(3))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument(
        "--smoke", action="store_true", help="200 products, 1 s of load each, SQLite unless named"
    )
    args = parser.parse_args()
    if args.smoke:
        args.duration = 1
        if "--sizes" not in sys.argv:
            args.sizes = [200]
        if "--databases" not in sys.argv:
            args.databases = ["sqlite"]
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install -y wrk")

    work = Path(tempfile.mkdtemp(prefix="ocop-bench-"))
    script = work / "report.lua"
    script.write_text(LUA)
    redis = RedisServer(work)
    try:
        rows = run(args, work, script, production_env(work, redis.url))
    finally:
        redis.stop()
    print(
        "\n| database | products | reference req/s | ours req/s | ours/ref | ours p50 | ours p95"
        " | results cache off: req/s, ours/ref, p95 | search p95 (16 conn)"
        " | search p95 (1 conn, uncached) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for database, size, r, ratio in rows:
        miss = r["ours-miss"]
        print(
            f"| {database} | {size:,} | {r['reference'][0]:.0f} | {r['ours'][0]:.0f} | "
            f"{ratio:.2f} | {r['ours'][1]:.1f} ms | {r['ours'][2]:.1f} ms | "
            f"{miss[0]:.0f}, {miss[0] / r['reference'][0]:.2f}, {miss[2]:.1f} ms | "
            f"{r['search'][2]:.1f} ms | {r['search-1'][2]:.1f} ms |"
        )
    shutil.rmtree(work, ignore_errors=True)


def run(args, work: Path, script: Path, base_env: dict) -> list:
    rows = []
    for database in args.databases:
        for size in args.sizes:
            print(f"== {database}, {size:,} products", flush=True)
            if database == "sqlite":
                url = f"sqlite:///{work}/bench-{size}.db"
            else:
                name = f"ocop_bench_{size}_{os.getpid()}"
                admin = args.pg
                subprocess.run(
                    ["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True
                )
                subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True)
                url = admin.rsplit("/", 1)[0] + "/" + name
            started = time.perf_counter()
            prepare(url, size, base_env)
            print(f"    database ready in {time.perf_counter() - started:.0f} s", flush=True)
            env = {**base_env, "DATABASE_URL": url}
            results = {}
            # "ours" repeats one URL, so after the first request its rendered results
            # come from the fragment cache; "ours-miss" switches that cache off, as
            # for a URL nobody asked for in the last minute (the counts stay cached).
            no_fragments = {**env, "CATALOG_RESULTS_CACHE_SECONDS": "0"}
            for label, app, path, connections, app_env in [
                ("reference", "bench.catalog.reference_app:app", REFERENCE_PATH, 16, env),
                ("ours", "wsgi:app", CATALOG_PATH, 16, env),
                ("ours-miss", "wsgi:app", CATALOG_PATH, 16, no_fragments),
                ("search", "wsgi:app", SEARCH_PATH, 16, env),
                ("search-1", "wsgi:app", SEARCH_PATH, 1, no_fragments),
            ]:
                port = free_port()
                server = serve(app, app_env, port, log=work / f"gunicorn-{label}.log")
                try:
                    results[label] = load(
                        f"http://127.0.0.1:{port}{path}", connections, args.duration, script
                    )
                finally:
                    stop(server)
                rps, p50, p95 = results[label]
                print(
                    f"    {label:10} {rps:8.1f} req/s  p50 {p50:6.1f} ms  p95 {p95:6.1f} ms",
                    flush=True,
                )
            ratio = results["ours"][0] / results["reference"][0]
            miss = results["ours-miss"][0] / results["reference"][0]
            print(
                f"    ours/reference throughput: {ratio:.2f} (results cache off: {miss:.2f})",
                flush=True,
            )
            rows.append((database, size, results, ratio))
            if database == "postgresql":
                subprocess.run(
                    ["psql", args.pg, "-qc", f"DROP DATABASE {name} WITH (FORCE)"], check=False
                )
    return rows


if __name__ == "__main__":
    main()
