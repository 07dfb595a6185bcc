"""nginx with ``proxy_cache`` in front of one upstream, in the foreground, from a
config written into a temporary directory: the edge-cache benchmark
(``bench/edge/run.py``) and ``tests/edge`` both run it.

The cache directives are the ones a production site file needs for the shop's
public pages: the cache key includes the host (a Host header cannot put one site's
page under another's key), responses that set a cookie or say ``private`` /
``no-store`` are never kept (nginx's defaults), the upstream's ``max-age`` and
``stale-while-revalidate`` decide how long a page is fresh and how long a stale copy
may be served while one request fetches a new one in the background, and parallel
misses for one page wait for a single upstream request.
"""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

CONFIG = """\
{user}worker_processes {workers};
daemon off;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {root}/tmp/body;
    proxy_temp_path {root}/tmp/proxy;
    fastcgi_temp_path {root}/tmp/fastcgi;
    uwsgi_temp_path {root}/tmp/uwsgi;
    scgi_temp_path {root}/tmp/scgi;
    proxy_cache_path {root}/cache levels=1:2 keys_zone=pages:10m max_size=256m
                     inactive=10m use_temp_path=off;
    upstream shop {{
        server 127.0.0.1:{upstream};
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://shop;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_cache pages;
            proxy_cache_key $scheme$http_host$request_uri;
            proxy_cache_lock on;
            proxy_cache_revalidate on;
            proxy_cache_background_update on;
            proxy_cache_use_stale error timeout http_502 http_503 http_504;
            add_header X-Cache $upstream_cache_status always;
        }}
    }}
}}
"""


def available() -> bool:
    return Path(NGINX).exists()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class CachingProxy:
    """``with CachingProxy(upstream_port) as proxy: proxy.url`` runs nginx."""

    def __init__(self, upstream_port: int, workers: int | str = 1):
        self.upstream_port = upstream_port
        self.workers = workers
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.root: Path | None = None
        self.process: subprocess.Popen | None = None

    def config(self) -> str:
        # Started by root, nginx would run its workers as "nobody", who cannot
        # write into a private temporary directory.
        user = "user root;\n" if os.geteuid() == 0 else ""
        return CONFIG.format(
            user=user,
            workers=self.workers,
            root=self.root,
            upstream=self.upstream_port,
            port=self.port,
        )

    def start(self) -> "CachingProxy":
        self.root = Path(tempfile.mkdtemp(prefix="ocop-nginx-"))
        (self.root / "tmp").mkdir()
        (self.root / "nginx.conf").write_text(self.config())
        self.process = subprocess.Popen(
            [NGINX, "-p", str(self.root), "-c", "nginx.conf", "-e", "error.log"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                error = self.process.stderr.read().decode(errors="replace")
                log = (self.root / "error.log").read_text(errors="replace")
                raise RuntimeError(f"nginx did not start: {error} {log}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("nginx did not listen within 10 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGQUIT)  # graceful: workers finish
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        if self.process is not None and self.process.stderr:
            self.process.stderr.close()
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> "CachingProxy":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
