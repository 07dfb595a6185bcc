"""Render deploy/nginx/ocop.conf into a standalone nginx configuration.

    python deploy/nginx/render.py --dir /tmp/ocop-nginx \\
        --listen 127.0.0.1:8080 --web 127.0.0.1:8001 --web 127.0.0.1:8002 --check
    nginx -p /tmp/ocop-nginx -e /tmp/ocop-nginx/error.log -c /tmp/ocop-nginx/nginx.conf

It writes ``ocop.conf`` (the site with real addresses and paths) and ``nginx.conf``
(pid, logs, temporary files and cache all inside --dir, no ``user`` line), so
Debian's nginx runs it as any user, in the foreground (``daemon off``) for a
supervisor or a test to stop by its process id. ``--check`` runs ``nginx -t`` on
it. The two-node proof (``make cluster-test``) and the check of the site file use
it; containers render the same template with the nginx image's envsubst.
"""

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
TEMPLATE = HERE / "ocop.conf"
PLACEHOLDER = re.compile(r"\$\{(OCOP_[A-Z0-9_]+)\}")

MAIN = """\
# Written by deploy/nginx/render.py: everything lives under {dir}.
worker_processes {workers};
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include {mime_types};
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    client_body_temp_path {dir}/tmp/body;
    proxy_temp_path {dir}/tmp/proxy;
    fastcgi_temp_path {dir}/tmp/fastcgi;
    uwsgi_temp_path {dir}/tmp/uwsgi;
    scgi_temp_path {dir}/tmp/scgi;
    include {dir}/ocop.conf;
}}
"""


def render_site(values: dict[str, str]) -> str:
    text = TEMPLATE.read_text()
    missing = sorted(set(PLACEHOLDER.findall(text)) - set(values))
    if missing:
        raise SystemExit(f"no value for {', '.join(missing)}")
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], text)


def mime_types() -> str:
    for candidate in ("/etc/nginx/mime.types", "/usr/local/nginx/conf/mime.types"):
        if Path(candidate).is_file():
            return candidate
    raise SystemExit("mime.types not found: is nginx installed (apt-get install nginx)?")


def write(directory: Path, listen: str, webs: list[str], static: Path, workers: int) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (directory / "tmp" / name).mkdir(parents=True, exist_ok=True)
    (directory / "cache").mkdir(exist_ok=True)
    site = render_site(
        {
            "OCOP_LISTEN": listen,
            "OCOP_WEB_1": webs[0],
            "OCOP_WEB_2": webs[1],
            "OCOP_STATIC_ROOT": str(static.resolve()),
            "OCOP_CACHE_DIR": str(directory / "cache"),
            "OCOP_ACCESS_LOG": str(directory / "access.log"),
        }
    )
    (directory / "ocop.conf").write_text(site)
    main = directory / "nginx.conf"
    main.write_text(MAIN.format(dir=directory, workers=workers, mime_types=mime_types()))
    return main


def check(directory: Path) -> None:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    subprocess.run(  # noqa: S603 - the system's nginx on the file just written
        [
            nginx,
            "-t",
            "-p",
            str(directory),
            "-e",
            str(directory / "error.log"),
            "-c",
            str(directory / "nginx.conf"),
        ],
        check=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dir", type=Path, required=True, help="where everything is written")
    parser.add_argument("--listen", default="127.0.0.1:8080")
    parser.add_argument("--web", action="append", help="a gunicorn node, host:port (twice)")
    parser.add_argument("--static", type=Path, default=ROOT / "static")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--check", action="store_true", help="nginx -t on the result")
    args = parser.parse_args()
    webs = args.web or ["127.0.0.1:8001", "127.0.0.1:8002"]
    if len(webs) != 2:
        sys.exit("the site has two upstream nodes: give --web twice")
    main_file = write(args.dir.resolve(), args.listen, webs, args.static, args.workers)
    print(main_file)
    if args.check:
        check(args.dir.resolve())


if __name__ == "__main__":
    main()
