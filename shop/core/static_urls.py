"""Static file addresses carry a digest of the file: ``/static/css/shop.css?v=3f2a9c01d4``.

The proxy may then keep them for a year (``deploy/nginx/ocop.conf`` gives
``?v=`` addresses ``immutable`` and a year, anything else an hour): a deploy
that changes a file changes its address, so no browser or cache keeps an old
stylesheet beside a new page.
"""

import hashlib
from pathlib import Path

from flask import Flask

_digests: dict[str, tuple[tuple[int, int], str]] = {}


def digest(path: Path) -> str | None:
    """The first 10 hex digits of the file's SHA-256, cached while its mtime and
    size stay the same (``flask run`` picks up an edited file)."""
    try:
        stat = path.stat()
    except OSError:
        return None
    key = (stat.st_mtime_ns, stat.st_size)
    cached = _digests.get(str(path))
    if cached is None or cached[0] != key:
        cached = (key, hashlib.sha256(path.read_bytes()).hexdigest()[:10])
        _digests[str(path)] = cached
    return cached[1]


def register(app: Flask) -> None:
    assert app.static_folder is not None  # set by create_app
    folder = Path(app.static_folder).resolve()
    # A file's version, by the name templates ask for: outside debug mode, files
    # change only with a deploy, so each name is resolved and hashed once per process.
    versions: dict[str, str | None] = {}

    @app.url_defaults
    def version_static_files(endpoint: str, values: dict) -> None:
        if endpoint != "static" or "v" in values:
            return
        filename = values.get("filename") or ""
        if app.debug or filename not in versions:
            target = (folder / filename).resolve()
            versions[filename] = digest(target) if folder in target.parents else None
        if version := versions[filename]:
            values["v"] = version
