"""What the benchmarks share: free ports, a Redis of their own, the production
environment, gunicorn started and stopped by process group, PostgreSQL databases.

Production mode refuses to start without its secrets, Stripe keys and REDIS_URL
(config.py: ProductionConfig.validate); a benchmark supplies throw-away values and
starts ``redis-server`` on a free loopback port, so it measures the shop as it is
deployed (rate limits and the catalogue cache in Redis) and needs no setup.
"""

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """``redis-server`` on a free loopback port, nothing saved to disk."""

    def __init__(self, work: Path):
        binary = shutil.which("redis-server")
        if binary is None:
            raise SystemExit("redis-server is missing: apt-get install -y redis-server")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(work),
            ],
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
        for _ in range(100):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        stop(self.process)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def production_env(work: Path, redis_url: str, **extra: str) -> dict:
    """The environment of a production deployment, with throw-away secrets."""
    env = {
        **os.environ,
        "SHOP_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "REDIS_URL": f"{redis_url}/0",
        "STRIPE_SECRET_KEY": "sk_test_bench",
        "STRIPE_PUBLISHABLE_KEY": "pk_test_bench",
        "STRIPE_WEBHOOK_SECRET": "whsec_bench",
        # Production refuses to start without the operator's identity (Decree 85/2021).
        **{
            f"OPERATOR_{part}": f"Bench operator {part.lower()}"
            for part in ("NAME", "ADDRESS", "PHONE", "EMAIL", "REGISTRATION")
        },
        "INSTANCE_PATH": str(work),
        "UPLOAD_FOLDER": str(work / "uploads"),
        "MAIL_BACKEND": "file",
        "MAIL_FILE_DIR": str(work / "mail"),
        "PYTHONPATH": str(ROOT),
        **extra,
    }
    for name in ("CELERY_BROKER_URL", "PROMETHEUS_MULTIPROC_DIR", "DATABASE_URL"):
        if name not in extra:
            env.pop(name, None)
    return env


def flask(env: dict, *args: str) -> str:
    """A ``flask --app wsgi`` command in development mode (seeding refuses production)."""
    out = subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", *args],
        cwd=ROOT,
        env={**env, "SHOP_ENV": "development"},
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


def create_database(name: str, admin: str = PG_ADMIN) -> str:
    """A fresh PostgreSQL database; the name must say it is a benchmark's."""
    if "bench" not in name:
        raise ValueError(
            f"refusing to recreate {name!r}: a benchmark database has 'bench' in its name"
        )
    subprocess.run(
        ["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=True
    )
    subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True)
    return admin.rsplit("/", 1)[0] + "/" + name


def drop_database(name: str, admin: str = PG_ADMIN) -> None:
    subprocess.run(
        ["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=False
    )


def gunicorn(
    env: dict, port: int, *args: str, app: str | None = None, log: Path | None = None
) -> subprocess.Popen:
    """gunicorn with the production configuration (deploy/gunicorn.conf.py), bound to
    127.0.0.1:port; ``args`` override it (``-w 2``, ``-k sync``). Waits for /healthz."""
    command = [str(BIN / "gunicorn"), "--config", str(ROOT / "deploy" / "gunicorn.conf.py")]
    command += ["--bind", f"127.0.0.1:{port}", *args]
    if app:
        command.append(app)
    errors = log.open("ab") if log else subprocess.DEVNULL
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stderr=errors, stdout=errors, start_new_session=True
    )
    wait_http(f"http://127.0.0.1:{port}/healthz", process, log)
    return process


def wait_http(url: str, process: subprocess.Popen, log: Path | None = None) -> None:
    for _ in range(300):
        if process.poll() is not None:
            detail = log.read_text()[-3000:] if log and log.exists() else ""
            raise RuntimeError(f"the server exited ({process.returncode}): {detail}")
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except OSError as exc:
            if getattr(exc, "code", None):  # an HTTP error: the server answers
                return
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer")


def stop(process: subprocess.Popen) -> None:
    """SIGTERM to the process group (gunicorn's master and workers), then wait."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


# -- CPU accounting (Linux /proc) -------------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def process_cpu(pid: int) -> tuple[float, float]:
    """Seconds of CPU (user + system) of a live process, and of its children that
    have exited and been reaped (gunicorn's replaced workers); zeros once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0, 0.0
    return (int(fields[11]) + int(fields[12])) / TICK, (int(fields[13]) + int(fields[14])) / TICK


def group_pids(pgid: int) -> list[int]:
    """The processes of a process group (gunicorn's master and its workers)."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:
            pids.append(int(stat.parent.name))
    return pids


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, all cores."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values) - idle) / TICK, sum(values) / TICK


class CpuMeter:
    """CPU used by named groups of processes between start() and stop(), and by
    the whole machine (other people's work on shared cores shows up there).

    Groups are sampled every ``every`` seconds: a process that exits meanwhile (a
    gunicorn worker replaced after max_requests, its database connection) counts
    with what it had used when last seen."""

    def __init__(self, groups: dict, every: float = 0.5):
        self.groups = groups  # name -> callable returning the pids to count
        self.every = every
        self.first: dict[str, dict[int, float]] = {}
        self.last: dict[str, dict[int, float]] = {}

    def _sample(self) -> None:
        for name, pids in self.groups.items():
            for pid in pids():
                used = process_cpu(pid)[0]
                if used:
                    self.first[name].setdefault(pid, 0.0)  # born after start(): from zero
                    self.last[name][pid] = used

    def _poll(self) -> None:
        while not self._done.wait(self.every):
            self._sample()

    def start(self) -> None:
        self.machine = machine_cpu()
        self.own = time.process_time()
        self.first = {name: {} for name in self.groups}
        self.last = {name: {} for name in self.groups}
        for name, pids in self.groups.items():
            for pid in pids():
                self.first[name][pid] = self.last[name][pid] = process_cpu(pid)[0]
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def stop(self) -> dict[str, float]:
        self._done.set()
        self._thread.join()
        self._sample()
        used = {
            name: sum(self.last[name][pid] - self.first[name][pid] for pid in self.last[name])
            for name in self.groups
        }
        used["client"] = time.process_time() - self.own
        busy, all_time = machine_cpu()
        used["machine busy"] = busy - self.machine[0]
        used["machine total"] = all_time - self.machine[1]
        return used
