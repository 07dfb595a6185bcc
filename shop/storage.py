"""Where uploaded files live: one interface, two backends (issue 11).

``local`` keeps files under UPLOAD_FOLDER (the default: ``make run`` needs
nothing else); ``s3`` keeps them in an S3-compatible bucket, so that every web
node and every worker sees the same files. Keys are the relative paths stored
in the database ("logos/3f2c….webp"), the same under both backends.

Serving: files are always streamed through the app, never handed out as a
redirect to the bucket. Decision scans are private and must pass the access
check on every download; public images are served under stable URLs with
immutable cache headers, so the edge cache or CDN in front keeps them and the
app streams each image about once per edge. A presigned URL would change on
every render, make the (edge-cached) pages that embed it expire with it, and
need the bucket's origin in the CSP; streaming keeps the bucket private.
"""

import contextlib
import os
import re
import tempfile
import unicodedata
from pathlib import Path
from typing import Protocol
from urllib.parse import quote

from flask import Flask, Response, current_app, request, send_file

KEY = re.compile(r"^[A-Za-z0-9_-]+(?:/[A-Za-z0-9_.-]+)+$")
CHUNK = 64 * 1024


class MissingFile(LookupError):
    """No file under this key (or a key that cannot be one of ours)."""


class StorageUnavailable(RuntimeError):
    """The storage did not answer (down, timed out, misconfigured): a 503, not a 404."""


def check_key(key: str) -> str:
    if not key or not KEY.match(key) or ".." in key.split("/"):
        raise MissingFile(key)
    return key


class Storage(Protocol):
    def save(self, key: str, data: bytes, content_type: str) -> None: ...
    def read(self, key: str) -> bytes: ...
    def exists(self, key: str) -> bool: ...
    def delete(self, key: str) -> None: ...
    def ping(self) -> None:
        """Raise StorageUnavailable unless files can be stored (for /readyz)."""

    def send(
        self,
        key: str,
        mimetype: str,
        *,
        max_age: int | None = None,
        as_attachment: bool = False,
        download_name: str | None = None,
    ) -> Response:
        """The file as a response; MissingFile when there is none."""


class LocalStorage:
    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def path(self, key: str) -> Path:
        root = self.root.resolve()
        target = (root / check_key(key)).resolve()
        if root not in target.parents:
            raise MissingFile(key)
        return target

    def save(self, key: str, data: bytes, content_type: str) -> None:
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        # Written beside, then renamed: a reader (another process, another node on a
        # shared volume) sees the whole file or none of it.
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def read(self, key: str) -> bytes:
        try:
            return self.path(key).read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise MissingFile(key) from None

    def exists(self, key: str) -> bool:
        try:
            return self.path(key).is_file()
        except MissingFile:
            return False

    def delete(self, key: str) -> None:
        with contextlib.suppress(MissingFile):
            self.path(key).unlink(missing_ok=True)

    def ping(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageUnavailable(str(exc)) from exc
        if not os.access(self.root, os.W_OK):
            raise StorageUnavailable(f"{self.root} is not writable")

    def send(self, key, mimetype, *, max_age=None, as_attachment=False, download_name=None):
        path = self.path(key)
        if not path.is_file():
            raise MissingFile(key)
        return send_file(
            path,
            mimetype=mimetype,
            max_age=max_age,
            as_attachment=as_attachment,
            download_name=download_name,
        )


class S3Storage:
    """An S3-compatible bucket through boto3 (AWS, MinIO, Ceph, R2; moto in tests)."""

    def __init__(self, client, bucket: str, prefix: str = ""):
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""

    def object_key(self, key: str) -> str:
        return self.prefix + check_key(key)

    def _call(self, operation: str, key: str, **params):
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return getattr(self.client, operation)(Bucket=self.bucket, **params)
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if code in {"NoSuchKey", "404", "NotFound"}:
                raise MissingFile(key) from None
            if code == "304":
                raise
            raise StorageUnavailable(f"{operation} {key}: {code}") from exc
        except BotoCoreError as exc:  # no connection, a timeout, no credentials
            raise StorageUnavailable(f"{operation} {key}: {exc}") from exc

    def save(self, key: str, data: bytes, content_type: str) -> None:
        self._call("put_object", key, Key=self.object_key(key), Body=data, ContentType=content_type)

    def read(self, key: str) -> bytes:
        body = self._call("get_object", key, Key=self.object_key(key))["Body"]
        try:
            return body.read()
        finally:
            body.close()

    def exists(self, key: str) -> bool:
        try:
            self._call("head_object", key, Key=self.object_key(key))
        except MissingFile:
            return False
        return True

    def delete(self, key: str) -> None:
        with contextlib.suppress(MissingFile):
            self._call("delete_object", key, Key=self.object_key(key))

    def ping(self) -> None:
        try:
            self._call("head_bucket", "")
        except MissingFile:  # a HEAD has no body to say NoSuchBucket: just a 404
            raise StorageUnavailable(f"bucket {self.bucket} not found") from None

    def send(self, key, mimetype, *, max_age=None, as_attachment=False, download_name=None):
        from botocore.exceptions import ClientError

        params = {"Key": self.object_key(key)}
        if request.if_none_match:
            params["IfNoneMatch"] = request.headers["If-None-Match"]
        try:
            found = self._call("get_object", key, **params)
        except ClientError:  # 304: the browser or the edge cache has this very file
            response = Response(status=304)
            response.headers["ETag"] = request.headers["If-None-Match"]
            _cache_headers(response, max_age)
            return response
        body = found["Body"]
        response = Response(body.iter_chunks(CHUNK), mimetype=mimetype, direct_passthrough=True)
        response.call_on_close(body.close)
        response.content_length = found["ContentLength"]
        response.headers["ETag"] = found["ETag"]
        response.last_modified = found["LastModified"]
        if as_attachment:
            _attachment(response, download_name or key.rsplit("/", 1)[-1])
        _cache_headers(response, max_age)
        return response


def _cache_headers(response: Response, max_age: int | None) -> None:
    # As Flask's send_file does for local files.
    if max_age is None:
        response.cache_control.no_cache = True
    else:
        response.cache_control.public = True
        response.cache_control.max_age = max_age


def _attachment(response: Response, name: str) -> None:
    # As werkzeug's send_file: an ASCII name, plus the UTF-8 one when it differs.
    try:
        name.encode("ascii")
    except UnicodeEncodeError:
        simple = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
        quoted = quote(name, safe="!#$&+-.^_`|~")
        utf8 = {"filename*": f"UTF-8''{quoted}"}
        response.headers.set("Content-Disposition", "attachment", filename=simple, **utf8)
    else:
        response.headers.set("Content-Disposition", "attachment", filename=name)


def s3_client(config):
    """A boto3 client; credentials come from boto3's own chain (environment
    variables, shared files, an instance or task role), never from our config."""
    import boto3
    from botocore.config import Config as BotoConfig

    timeout = config["S3_TIMEOUT"]
    endpoint = config["S3_ENDPOINT_URL"] or None
    style = config["S3_ADDRESSING_STYLE"] or ("path" if endpoint else "auto")
    return boto3.session.Session().client(
        "s3",
        endpoint_url=endpoint,
        region_name=config["S3_REGION"] or None,
        config=BotoConfig(
            # A hung storage must not hold a web worker: short waits, one retry.
            connect_timeout=timeout,
            read_timeout=timeout,
            retries={"total_max_attempts": 2, "mode": "standard"},
            s3={"addressing_style": style},
        ),
    )


def build(config) -> Storage:
    backend = config["STORAGE_BACKEND"]
    if backend == "local":
        return LocalStorage(config["UPLOAD_FOLDER"])
    if backend == "s3":
        if not config["S3_BUCKET"]:
            raise RuntimeError("S3_BUCKET must be set when STORAGE_BACKEND=s3")
        return S3Storage(s3_client(config), config["S3_BUCKET"], config["S3_PREFIX"])
    raise RuntimeError(f"STORAGE_BACKEND={backend!r} is not one of 'local', 's3'")


def init_app(app: Flask) -> None:
    """Build the app's storage from its configuration (again, if called again)."""
    app.extensions["storage"] = build(app.config)
    app.register_error_handler(StorageUnavailable, _unavailable)


def storage() -> Storage:
    return current_app.extensions["storage"]


def _unavailable(error: StorageUnavailable):
    from shop.core.errors import render_error
    from shop.extensions import db

    db.session.rollback()
    current_app.logger.error(
        "storage unavailable on %s %s: %s", request.method, request.path, error
    )
    response = current_app.make_response(render_error(503))
    response.headers["Retry-After"] = "30"
    return response
