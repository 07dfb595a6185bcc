"""The two-node proof (``make cluster-test``): the production topology with real
processes on loopback, then the checks of issue 11; exits non-zero on any failure
and stops every process it started.

    nginx (TLS) ─┬─ gunicorn node A ─┐
                 └─ gunicorn node B ─┼─ PostgreSQL (a throw-away database)
    Celery worker, two Celery beats ─┼─ Redis (limits, cache; broker on another db)
                                     ├─ moto's S3 server (uploads)
                                     └─ aiosmtpd (an SMTP sink, stopped and started)

No Docker daemon runs on the development machines, so compose.yaml's topology is
proven here with the same programs started directly. nginx renders the site file
of deploy/nginx/ocop.conf; a TLS server in front of it stands in for the load
balancer or certificate the site file leaves to the deployment (production
cookies are Secure), and two more TLS servers reach node A or node B alone.

Simulated buyers all come from 127.0.0.1, so the per-address checkout ceiling is
raised for the proof (CHECKOUT_ADDRESS_RATE_LIMIT); every other limit is as in
production. Periodic jobs use 20-second periods (JOBS_PERIOD_SECONDS) so that two
beats move through two periods within the run.
"""

import argparse
import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PG = os.environ.get("CLUSTER_PG", "postgresql://postgres@127.0.0.1:5432")
REDIS = os.environ.get("CLUSTER_REDIS", "redis://127.0.0.1:6379")
PERIOD = 20  # seconds: JOBS_PERIOD_SECONDS
PASSWORD = "cluster-proof-password"  # noqa: S105 - a throw-away account in a throw-away database


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what: str, check, timeout: float = 60, every: float = 0.2):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            result = check()
            if result:
                return result
        except Exception as exc:
            last = exc
        time.sleep(every)
    raise Failed(f"{what} not ready after {timeout:.0f} s ({last!r})")


class Failed(Exception):
    pass


class Checks:
    def __init__(self):
        self.failures: list[str] = []

    def that(self, ok: bool, what: str) -> bool:
        print(("  ok    " if ok else "  FAIL  ") + what, flush=True)
        if not ok:
            self.failures.append(what)
        return ok


# -- processes ------------------------------------------------------------------


class Processes:
    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.running: dict[str, subprocess.Popen] = {}

    def start(self, name: str, argv: list[str], env: dict | None = None) -> subprocess.Popen:
        log = open(self.workdir / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(  # noqa: S603 - our own programs with our own arguments
            argv,
            cwd=ROOT,
            env={**os.environ, **(env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own group: stopping it stops its workers too
        )
        self.running[name] = process
        return process

    def kill(self, name: str, sig=signal.SIGKILL) -> None:
        process = self.running.pop(name)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        process.wait(timeout=30)

    def stop_all(self) -> None:
        for process in self.running.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for process in self.running.values():
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        self.running.clear()

    def tail(self, name: str, lines: int = 30) -> str:
        path = self.workdir / f"{name}.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


# -- the SMTP sink ----------------------------------------------------------------


class SmtpSink:
    """aiosmtpd on a fixed loopback port, stopped and started during the proof."""

    def __init__(self, port: int):
        self.port = port
        self.messages: list[tuple[str, str]] = []  # (Message-ID, To)
        self.lock = threading.Lock()
        self.controller = None

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                from email import message_from_bytes

                message = message_from_bytes(envelope.content)
                with sink.lock:
                    for rcpt in envelope.rcpt_tos:
                        sink.messages.append((message["Message-ID"], rcpt))
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def count(self) -> int:
        with self.lock:
            return len(self.messages)


# -- a browser -------------------------------------------------------------------------


def _token(html: str, name: str) -> str:
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', html
    )
    if not match:
        raise Failed(f"no {name} on the page")
    return match.group(1)


class Browser:
    def __init__(self, base: str, ca: str):
        import requests

        self.base = base
        self.http = requests.Session()
        self.http.trust_env = False  # REQUESTS_CA_BUNDLE would replace our certificate
        self.http.verify = ca  # the proof's own throw-away certificate

    def get(self, path: str, **kw):
        return self.http.get(self.base + path, timeout=60, allow_redirects=False, **kw)

    def post(self, path: str, **kw):
        # A browser posting a form of this site over HTTPS sends its origin and
        # the page it came from (Flask-WTF checks the Referer on secure requests).
        headers = {"Origin": self.base, "Referer": self.base + path, **kw.pop("headers", {})}
        return self.http.post(
            self.base + path, timeout=60, allow_redirects=False, headers=headers, **kw
        )

    def login(self, email: str, password: str = PASSWORD):
        page = self.get("/login")
        return self.post(
            "/login",
            data={
                "email": email,
                "password": password,
                "csrf_token": _token(page.text, "csrf_token"),
            },
        )

    def add_to_cart(self, product_id: int, quantity: int = 1):
        return self.post(
            "/cart/add",
            data={"product_id": product_id, "quantity": quantity},
            headers={"Sec-Fetch-Site": "same-origin"},  # as a browser on a cached page
        )

    def checkout_form(self, email: str) -> dict:
        page = self.get("/checkout")
        if page.status_code != 200:
            raise Failed(f"checkout page answered {page.status_code}")
        html = page.text
        return {
            "csrf_token": _token(html, "csrf_token"),
            "checkout_token": _token(html, "checkout_token"),
            "expected_total": _token(html, "expected_total"),
            "customer_name": "Khách Thử",
            "phone": "0912345678",
            "email": email,
            "province_code": str(ADDRESS["province"]),
            "ward_code": str(ADDRESS["ward"]),
            "street": "1 Đường Thử",
            "payment_method": "cod",
        }

    def checkout(self, form: dict):
        return self.post("/checkout", data=form)


ADDRESS: dict[str, int] = {}


# -- the proof ---------------------------------------------------------------------


class Cluster:
    def __init__(self, workdir: Path, keep: bool):
        self.workdir = workdir
        self.keep = keep
        self.procs = Processes(workdir)
        self.check = Checks()
        self.database = f"ocop_cluster_{os.getpid()}_{int(time.time())}"
        self.ports = {
            name: free_port()
            for name in ("a", "b", "edge", "front", "only_a", "only_b", "s3", "smtp")
        }
        self.smtp = SmtpSink(self.ports["smtp"])
        self.bucket = "ocop-cluster"

    # -- setting up ------------------------------------------------------------

    def env(self) -> dict[str, str]:
        return {
            "SHOP_ENV": "production",
            "SECRET_KEY": secrets.token_hex(32),
            "DATABASE_URL": f"{PG}/{self.database}",
            "REDIS_URL": f"{REDIS}/9",
            "CELERY_BROKER_URL": f"{REDIS}/10",
            "STRIPE_SECRET_KEY": "sk_test_cluster",
            "STRIPE_PUBLISHABLE_KEY": "pk_test_cluster",
            "STRIPE_WEBHOOK_SECRET": "whsec_cluster",
            "STRIPE_API_BASE": "http://127.0.0.1:9",  # no card payments in this proof
            "OPERATOR_NAME": "Công ty Chợ OCOP (cụm thử)",
            "OPERATOR_ADDRESS": "Tuyên Quang",
            "OPERATOR_PHONE": "0200 111 2222",
            "OPERATOR_EMAIL": "hotro@cluster.test",
            "OPERATOR_REGISTRATION": "0101010101",
            "PUBLIC_BASE_URL": f"https://127.0.0.1:{self.ports['front']}",
            "TRUSTED_PROXIES": "2",  # the TLS front, then the balancing nginx
            "FORWARDED_ALLOW_IPS": "127.0.0.1",
            "MAIL_BACKEND": "smtp",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(self.ports["smtp"]),
            "MAIL_USE_TLS": "0",
            "MAIL_TIMEOUT": "2",
            "STORAGE_BACKEND": "s3",
            "S3_BUCKET": self.bucket,
            "S3_ENDPOINT_URL": f"http://127.0.0.1:{self.ports['s3']}",
            "S3_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "cluster",
            "AWS_SECRET_ACCESS_KEY": "cluster",
            "OUTBOX_RETRY_BASE": "1",
            "OUTBOX_RETRY_MAX": "3",
            "OUTBOX_SWEEP_EVERY": "2",
            "OUTBOX_SWEEP_GRACE": "2",
            "JOBS_PERIOD_SECONDS": str(PERIOD),
            "CHECKOUT_ADDRESS_RATE_LIMIT": "100000 per minute",
            "LOG_FORMAT": "json",
        }

    def setup(self) -> None:
        import boto3
        import redis

        print(f"== setting up in {self.workdir}", flush=True)
        subprocess.run(  # noqa: S603
            ["psql", PG + "/postgres", "-qc", f"CREATE DATABASE {self.database}"],  # noqa: S607
            check=True,
        )
        for db in (9, 10):
            redis.Redis.from_url(f"{REDIS}/{db}").flushdb()
        self.procs.start(
            "s3",
            [
                str(BIN / "python"),
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                str(self.ports["s3"]),
            ],
        )
        s3 = boto3.client(
            "s3",
            endpoint_url=f"http://127.0.0.1:{self.ports['s3']}",
            region_name="us-east-1",
            aws_access_key_id="cluster",
            aws_secret_access_key="cluster",  # noqa: S106 - moto accepts any key
        )
        wait_for("moto S3", lambda: s3.list_buckets() is not None)
        s3.create_bucket(Bucket=self.bucket)
        self.s3 = s3
        self.smtp.start()
        env = self.env()
        for step in (["db", "upgrade"], ["load-localities"]):
            self.flask(step, env)
        self.seed(env)

    def flask(self, args: list[str], env: dict, **kw) -> subprocess.CompletedProcess:
        result = subprocess.run(  # noqa: S603
            [str(BIN / "flask"), "--app", "wsgi", *args],
            cwd=ROOT,
            env={**os.environ, **env, **kw.pop("extra", {})},
            capture_output=True,
            text=True,
            timeout=300,
        )
        if result.returncode != 0:
            raise Failed(f"flask {' '.join(args)}: {result.stdout[-2000:]}{result.stderr[-2000:]}")
        return result

    def seed(self, env: dict) -> None:
        """A verified producer with a certified product of 50 units for the race and
        one of 1000 for the other checks, and staff; written by the shop's own code."""
        script = f"""
import json
from shop import create_app
from shop.extensions import db
app = create_app()
with app.app_context():
    from tests import factories
    from shop.auth.models import Role
    owner = factories.make_user(email="htx@cluster.vn", password={PASSWORD!r})
    producer = factories.make_producer(owner=owner)
    race = factories.make_listed("Chè Shan Tuyết cụm", producer=producer, price=120_000, stock=50)
    plenty = factories.make_listed(
        "Mật ong bạc hà cụm", producer=producer, price=90_000, stock=1000
    )
    factories.make_user(email="canbo@cluster.vn", password={PASSWORD!r}, role=Role.STAFF)
    db.session.commit()
    print(json.dumps({{"race": race.id, "plenty": plenty.id, "owner": owner.email,
        "province": factories.PROVINCE, "ward": factories.WARD}}))
"""
        result = subprocess.run(  # noqa: S603
            [str(BIN / "python"), "-c", script],
            cwd=ROOT,
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=120,
        )
        if result.returncode != 0:
            raise Failed(f"seeding: {result.stderr[-3000:]}")
        self.data = json.loads(result.stdout.strip().splitlines()[-1])
        ADDRESS.update(province=self.data["province"], ward=self.data["ward"])

    def start_services(self) -> None:
        env = self.env()
        for node in ("a", "b"):
            prom = self.workdir / f"prom-{node}"
            prom.mkdir(exist_ok=True)
            self.procs.start(
                f"web-{node}",
                [str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py"],
                {
                    **env,
                    "GUNICORN_BIND": f"127.0.0.1:{self.ports[node]}",
                    "WEB_CONCURRENCY": "2",
                    "GUNICORN_THREADS": "4",
                    "PROMETHEUS_MULTIPROC_DIR": str(prom),
                    "UPLOAD_FOLDER": str(self.workdir / f"uploads-{node}"),  # never used: S3
                },
            )
        celery = [str(BIN / "celery"), "-A", "shop.worker"]
        self.procs.start(
            "worker", [*celery, "worker", "--concurrency", "2", "--loglevel", "INFO"], env
        )
        for n in (1, 2):
            self.procs.start(
                f"beat-{n}",
                [
                    *celery,
                    "beat",
                    "--loglevel",
                    "INFO",
                    "-s",
                    str(self.workdir / f"beat-{n}.db"),
                    "--pidfile",
                    str(self.workdir / f"beat-{n}.pid"),
                ],
                env,
            )
        self.start_nginx()
        import requests

        for node in ("a", "b"):
            url = f"http://127.0.0.1:{self.ports[node]}/healthz"
            wait_for(f"node {node}", lambda url=url: requests.get(url, timeout=2).ok, timeout=90)
        wait_for("nginx", lambda: self.browser("front").get("/healthz").ok)

    def start_nginx(self) -> None:
        sys.path.insert(0, str(ROOT / "deploy" / "nginx"))
        import render

        nginx_dir = self.workdir / "nginx"
        conf = render.write(
            nginx_dir,
            f"127.0.0.1:{self.ports['edge']}",
            [f"127.0.0.1:{self.ports['a']}", f"127.0.0.1:{self.ports['b']}"],
            ROOT / "static",
            1,
        )
        cert, key = nginx_dir / "cert.pem", nginx_dir / "key.pem"
        subprocess.run(  # noqa: S603
            [  # noqa: S607 - Debian's openssl, found on PATH
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "1",
                "-subj",
                "/CN=127.0.0.1",
                "-addext",
                "subjectAltName=IP:127.0.0.1",
                "-keyout",
                str(key),
                "-out",
                str(cert),
            ],
            check=True,
            capture_output=True,
        )
        self.ca = str(cert)

        def tls(port: int, upstream: int) -> str:
            return f"""
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        location / {{
            proxy_pass http://127.0.0.1:{upstream};
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto https;
            proxy_set_header X-Forwarded-Host $http_host;
            proxy_set_header X-Request-ID $request_id;
        }}
    }}"""

        extra = (
            tls(self.ports["front"], self.ports["edge"])
            + tls(self.ports["only_a"], self.ports["a"])
            + tls(self.ports["only_b"], self.ports["b"])
        )
        text = conf.read_text().rstrip()
        conf.write_text(text[: text.rindex("}")] + extra + "\n}\n")
        check = subprocess.run(  # noqa: S603
            [
                shutil.which("nginx") or "/usr/sbin/nginx",
                "-t",
                "-p",
                str(nginx_dir),
                "-c",
                str(conf),
            ],
            capture_output=True,
            text=True,
        )
        if check.returncode != 0:
            raise Failed(f"nginx -t: {check.stderr}")
        self.procs.start(
            "nginx",
            [shutil.which("nginx") or "/usr/sbin/nginx", "-p", str(nginx_dir), "-c", str(conf)],
        )

    def browser(self, which: str) -> Browser:
        return Browser(f"https://127.0.0.1:{self.ports[which]}", self.ca)

    # -- the checks ------------------------------------------------------------------

    def photo_through_a_served_through_b(self) -> None:
        print("== a photo uploaded through node A is served through node B", flush=True)
        import io

        from PIL import Image

        a = self.browser("only_a")
        self.check.that(a.login(self.data["owner"]).status_code == 302, "producer signs in on A")
        edit = f"/producer/products/{self.data['plenty']}"
        page = a.get(edit)
        self.check.that(page.status_code == 200, f"edit page on A answers 200 ({page.status_code})")
        image = io.BytesIO()
        Image.new("RGB", (900, 600), (30, 120, 60)).save(image, "PNG")
        upload = a.post(
            f"{edit}/photos",
            data={"csrf_token": _token(page.text, "csrf_token")},
            files={"photos": ("che.png", image.getvalue(), "image/png")},
        )
        self.check.that(
            upload.status_code in (302, 303), f"upload on A redirects ({upload.status_code})"
        )
        keys = [o["Key"] for o in self.s3.list_objects_v2(Bucket=self.bucket).get("Contents", [])]
        photos = [k for k in keys if k.startswith("photos/") and not k.endswith("-400.webp")]
        self.check.that(len(photos) >= 1, f"the photo is in the bucket ({len(photos)})")
        self.check.that(
            not any((self.workdir / f"uploads-{n}").exists() for n in ("a", "b")),
            "nothing was written to either node's disk",
        )
        b = self.browser("only_b")
        served = b.get(f"/media/{photos[0]}") if photos else None
        self.check.that(
            served is not None and served.status_code == 200 and served.content[:4] == b"RIFF",
            "node B serves it (200, WebP)",
        )
        thumb = photos[0].removesuffix(".webp") + "-400.webp" if photos else ""
        made = (
            wait_for(
                "the thumbnail",
                lambda: (
                    thumb
                    in [
                        o["Key"]
                        for o in self.s3.list_objects_v2(Bucket=self.bucket).get("Contents", [])
                    ]
                ),
                timeout=30,
            )
            if photos
            else False
        )
        self.check.that(bool(made), "the worker made the thumbnail in the bucket")

    def shared_login_limit(self) -> None:
        print("== the login limit is shared: the 11th wrong password through A and B", flush=True)
        nodes = [self.browser("only_a"), self.browser("only_b")]
        answers = []
        for attempt in range(11):
            answers.append(
                nodes[attempt % 2].login("canbo@cluster.vn", "wrong-password").status_code
            )
        self.check.that(429 not in answers[:10], f"the first ten are answered ({answers[:10]})")
        self.check.that(answers[10] == 429, f"the 11th is refused with 429 ({answers[10]})")

    def race(self) -> None:
        print("== 200 buyers race for 50 units through nginx across both nodes", flush=True)
        product = self.data["race"]
        buyers = [self.browser("front") for _ in range(200)]

        def prepare(buyer: Browser):
            added = buyer.add_to_cart(product)
            if added.status_code != 303:
                raise Failed(f"add to cart answered {added.status_code}")
            return buyer.checkout_form(f"b{id(buyer)}@example.vn")

        with ThreadPoolExecutor(32) as pool:
            forms = list(pool.map(prepare, buyers))
        barrier = threading.Barrier(len(buyers))

        def go(pair):
            buyer, form = pair
            barrier.wait()
            response = buyer.checkout(form)
            target = urlsplit(response.headers.get("Location", "")).path
            if response.status_code == 303 and target.startswith("/orders/DH"):
                return "ordered"
            if response.status_code == 303 and target == "/cart":
                return "told"
            return f"status {response.status_code}"

        with ThreadPoolExecutor(len(buyers)) as pool:
            outcomes = Counter(pool.map(go, zip(buyers, forms, strict=True)))
        self.check.that(outcomes["ordered"] == 50, f"exactly 50 sold ({dict(outcomes)})")
        self.check.that(outcomes["told"] == 150, "the other 150 told it is sold out")
        sold, stock = self.sql_one(
            "SELECT coalesce(sum(l.quantity), 0), (SELECT stock FROM products WHERE id = %s) "
            "FROM order_lines l WHERE l.product_id = %s",
            product,
            product,
        )
        self.check.that(
            (sold, stock) == (50, 0), f"50 sold, stock 0, none oversold ({sold}, {stock})"
        )

    def smtp_outage(self) -> None:
        print("== SMTP stopped during 20 checkouts: every e-mail once after it returns", flush=True)
        self.wait_outbox_empty(60)
        before = self.smtp.count()
        self.smtp.stop()
        statuses = []
        for i in range(20):
            buyer = self.browser("front")
            buyer.add_to_cart(self.data["plenty"])
            statuses.append(buyer.checkout(buyer.checkout_form(f"smtp{i}@example.vn")).status_code)
        self.check.that(
            statuses == [303] * 20, f"all 20 orders placed with SMTP down ({Counter(statuses)})"
        )
        time.sleep(3)
        self.check.that(self.smtp.count() == before, "nothing delivered while SMTP is down")
        pending = self.sql_one("SELECT count(*) FROM outbox_messages WHERE status <> 'sent'")[0]
        self.check.that(pending >= 20, f"the e-mails wait in the outbox ({pending})")
        self.smtp.start()
        wait_for("the outbox to drain", lambda: self.outbox_pending() == 0, timeout=90, every=1)
        time.sleep(4)  # two more sweeps: nothing may be sent twice
        self.check_mail_once("after the outage")

    def kill_a_mid_burst(self) -> None:
        print("== node A killed with SIGKILL in the middle of a burst", flush=True)
        product = self.data["plenty"]
        initial = self.sql_one("SELECT stock FROM products WHERE id = %s", product)[0] + self.sold(
            product
        )
        results: Counter = Counter()
        lock = threading.Lock()

        def one(i: int):
            buyer = self.browser("front")
            try:
                buyer.add_to_cart(product)
                form = buyer.checkout_form(f"burst{i}@example.vn")
                status = buyer.checkout(form).status_code
            except Exception as exc:
                status = type(exc).__name__
            with lock:
                results[status] += 1

        with ThreadPoolExecutor(16) as pool:
            futures = [pool.submit(one, i) for i in range(80)]
            time.sleep(1.0)
            self.procs.kill("web-a")  # SIGKILL to the master and its workers
            for f in futures:
                f.result()
        print(f"  burst outcomes: {dict(results)}", flush=True)
        after = Counter()
        for _ in range(30):  # /cart is private: every request reaches a node
            page = self.browser("front").get("/cart")
            after[page.status_code] += 1
        buyer = self.browser("front")
        buyer.add_to_cart(product)
        placed = buyer.checkout(buyer.checkout_form("after@example.vn")).status_code
        self.check.that(
            after == Counter({200: 30}), f"every page after the kill is served ({dict(after)})"
        )
        self.check.that(placed == 303, f"an order after the kill is placed ({placed})")
        half = self.sql_one(
            "SELECT count(*) FROM orders o WHERE o.number IS NOT NULL AND ("
            " NOT EXISTS (SELECT 1 FROM shipments s WHERE s.order_id = o.id) OR"
            " NOT EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = o.id) OR"
            " o.subtotal_vnd <> (SELECT sum(l.line_total_vnd) FROM order_lines l"
            "  WHERE l.order_id = o.id))"
        )[0]
        self.check.that(half == 0, f"no order is half-made ({half})")
        stock = self.sql_one("SELECT stock FROM products WHERE id = %s", product)[0]
        self.check.that(
            stock + self.sold(product) == initial,
            f"stock is consistent: {stock} left + {self.sold(product)} sold = {initial}",
        )

    def periodic_jobs(self) -> None:
        print("== two beats for two periods: each periodic job ran once per period", flush=True)
        started = self.started
        # Two whole periods after the start of the run, plus time for the worker.
        end = (int(started) // PERIOD + 3) * PERIOD + 8
        time.sleep(max(end - time.time(), 0))
        rows = self.sql_all(
            "SELECT job, period, status, attempts FROM job_runs ORDER BY job, period"
        )
        by_job: dict[str, list] = {}
        for job, period, status, attempts in rows:
            by_job.setdefault(job, []).append((period, status, attempts))
        for job in ("orders.expire", "payments.reconcile", "ocop.daily", "settlements.generate"):
            runs = by_job.get(job, [])
            done = [r for r in runs if r[1] == "done"]
            self.check.that(len(done) >= 2, f"{job}: ran in {len(done)} periods")
            self.check.that(all(r[2] == 1 for r in runs), f"{job}: once per period (attempts 1)")
        log = self.procs_log("worker")
        ran = len(re.findall(r"Task shop\.jobs\.run_periodic\[[^\]]+\] succeeded", log))
        self.check.that(
            ran > len(rows),
            f"two beats fired {ran} runs for {len(rows)} claimed periods: the rest were skipped",
        )

    # -- helpers ---------------------------------------------------------------------

    def procs_log(self, name: str) -> str:
        path = self.workdir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def connect(self):
        import psycopg

        return psycopg.connect(f"{PG}/{self.database}", autocommit=True)

    def sql_one(self, query: str, *args):
        with self.connect() as conn:
            return conn.execute(query, args).fetchone()

    def sql_all(self, query: str, *args):
        with self.connect() as conn:
            return conn.execute(query, args).fetchall()

    def sold(self, product: int) -> int:
        return self.sql_one(
            "SELECT coalesce(sum(l.quantity), 0) FROM order_lines l JOIN shipments s "
            "ON s.id = l.shipment_id WHERE l.product_id = %s AND s.status <> 'cancelled'",
            product,
        )[0]

    def outbox_pending(self) -> int:
        return self.sql_one("SELECT count(*) FROM outbox_messages WHERE status = 'pending'")[0]

    def wait_outbox_empty(self, timeout: float) -> None:
        wait_for(
            "the outbox to drain", lambda: self.outbox_pending() == 0, timeout=timeout, every=1
        )

    def check_mail_once(self, when: str) -> None:
        sent = self.sql_one(
            "SELECT count(*) FROM outbox_messages WHERE kind = 'mail' AND status = 'sent'"
        )[0]
        dead = self.sql_one("SELECT count(*) FROM outbox_messages WHERE status = 'dead'")[0]
        with self.smtp.lock:
            delivered = Counter(self.smtp.messages)
        twice = [m for m, n in delivered.items() if n > 1]
        self.check.that(dead == 0, f"{when}: no e-mail given up ({dead})")
        self.check.that(not twice, f"{when}: no e-mail delivered twice ({len(twice)})")
        self.check.that(
            sum(delivered.values()) == sent,
            f"{when}: every e-mail delivered ({sum(delivered.values())} at the sink, {sent} sent)",
        )

    # -- running -----------------------------------------------------------------------

    def run(self) -> int:
        self.started = time.time()
        try:
            self.setup()
            self.start_services()
            self.photo_through_a_served_through_b()
            self.shared_login_limit()
            self.race()
            self.smtp_outage()
            self.kill_a_mid_burst()
            self.periodic_jobs()
            self.wait_outbox_empty(60)
            self.check_mail_once("at the end")
            errors = sum(self.procs_log(f"web-{n}").count('"status": 500') for n in ("a", "b"))
            self.check.that(errors == 0, f"no 500 in either node's log ({errors})")
        except Failed as exc:
            self.check.that(False, str(exc))
        except Exception as exc:
            self.check.that(False, f"{type(exc).__name__}: {exc}")
        finally:
            self.procs.stop_all()
            self.smtp.stop()
            subprocess.run(  # noqa: S603
                [  # noqa: S607 - psql, as .ci/run uses it
                    "psql",
                    PG + "/postgres",
                    "-qc",
                    f"DROP DATABASE IF EXISTS {self.database} WITH (FORCE)",
                ],
                check=False,
                capture_output=True,
            )
        took = time.time() - self.started
        if self.check.failures:
            print(f"\ncluster-test FAILED in {took:.0f} s: {len(self.check.failures)} failure(s)")
            for name in ("web-a", "web-b", "worker", "beat-1", "nginx"):
                print(f"--- {name} (last lines)\n{self.procs.tail(name)}")
            return 1
        print(f"\ncluster-test passed in {took:.0f} s")
        return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true", help="keep the working folder (logs)")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="ocop-cluster-"))
    try:
        return Cluster(workdir, args.keep).run()
    finally:
        if args.keep:
            print(f"logs in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
