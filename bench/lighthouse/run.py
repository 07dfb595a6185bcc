"""Lighthouse over the public pages of the demo shop, served as in production.

    .venv/bin/python -m bench.lighthouse.run
    .venv/bin/python -m bench.lighthouse.run --pages / /products

Builds the demo catalogue in a throw-away SQLite database, serves it with gunicorn in
production mode (throw-away secrets, a Redis of its own: bench/common.py), and runs
Lighthouse (npm ``lighthouse``, installed on first use into ``instance/lighthouse``;
Debian's Chromium, headless) on each page with its default mobile emulation and
throttling. Prints the four category scores per page and every scored audit below
100 % (for performance, its weighted metrics).
Exits 1 when a score is below ``--min`` (default 90). Needs node, npm and
/usr/bin/chromium (apt-get install -y nodejs npm chromium).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import ROOT, RedisServer, flask, free_port, gunicorn, production_env, stop

CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
LIGHTHOUSE = ROOT / "instance" / "lighthouse"


def lighthouse_binary() -> Path:
    binary = LIGHTHOUSE / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        if not shutil.which("npm"):
            sys.exit("npm is missing: apt-get install -y nodejs npm")
        LIGHTHOUSE.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["npm", "install", "--silent", "--prefix", str(LIGHTHOUSE), "lighthouse@12"],
            check=True,
        )
    return binary


def demo_pages(database: Path) -> list[str]:
    """Home, listing, a product, its producer and its certificate's verification."""
    import sqlite3

    with sqlite3.connect(database) as conn:
        slug, producer, code = conn.execute(
            "SELECT p.slug, pr.slug, c.verification_code FROM products p"
            " JOIN producers pr ON pr.id = p.producer_id"
            " JOIN certificates c ON c.product_id = p.id"
            " WHERE p.status = 'published' ORDER BY p.id LIMIT 1"
        ).fetchone()
    return ["/", "/products", f"/products/{slug}", f"/producers/{producer}", f"/verify/{code}"]


def audit(binary: Path, url: str, out: Path) -> dict:
    subprocess.run(
        [
            str(binary),
            url,
            "--quiet",
            "--chrome-flags=--headless=new --no-sandbox",
            "--output=json",
            f"--output-path={out}",
            "--only-categories=" + ",".join(CATEGORIES),
        ],
        env={**os.environ, "CHROME_PATH": "/usr/bin/chromium"},
        check=True,
        capture_output=True,
    )
    return json.loads(out.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", nargs="*", help="paths (default: the five public pages)")
    parser.add_argument("--min", type=int, default=90, help="lowest acceptable score")
    args = parser.parse_args()
    binary = lighthouse_binary()
    work = Path(tempfile.mkdtemp(prefix="ocop-lighthouse-"))
    database = work / "demo.db"
    failed = False
    with RedisServer(work) as redis:
        port = free_port()
        env = production_env(
            work,
            redis.url,
            DATABASE_URL=f"sqlite:///{database}",
            PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
        )
        for command in (["db", "upgrade"], ["load-localities"], ["seed-demo"]):
            flask(env, *command)
        pages = args.pages or demo_pages(database)
        server = gunicorn(env, port, "-w", "2", log=work / "gunicorn.log")
        try:
            print(f"| page | {' | '.join(CATEGORIES)} |\n|---|{'---|' * len(CATEGORIES)}")
            notes = []
            for path in pages:
                report = audit(binary, f"http://127.0.0.1:{port}{path}", work / "report.json")
                scores = {k: round(report["categories"][k]["score"] * 100) for k in CATEGORIES}
                failed |= min(scores.values()) < args.min
                print(f"| {path} | {' | '.join(str(scores[k]) for k in CATEGORIES)} |", flush=True)
                for key in CATEGORIES:
                    for ref in report["categories"][key]["auditRefs"]:
                        result = report["audits"][ref["id"]]
                        scored = key != "performance" or ref.get("weight", 0) > 0
                        if scored and result.get("score") is not None and result["score"] < 1:
                            shown = result.get("displayValue", "")
                            notes.append(f"  {path}: {key} {ref['id']} {result['score']} {shown}")
            if notes:
                print("\nbelow 100 %:\n" + "\n".join(notes))
        finally:
            stop(server)
    shutil.rmtree(work, ignore_errors=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
