"""Uploaded files: checked, re-encoded with Pillow, kept in the storage (shop/storage.py).

Nothing a user uploads is served as they sent it: images are decoded and written
again (dropping metadata and anything hidden in the file), SVG is refused
outright because it can carry scripts, and PDFs are only served as downloads.
"""

import io
import re
import uuid
import warnings
from dataclasses import dataclass

from flask import abort, current_app
from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from shop.storage import MissingFile, StorageUnavailable, storage

ALLOWED_IMAGE_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_PIXELS = 40_000_000
PHOTO_SIDE = 1600  # px: the stored original of a product photo
THUMBNAIL_SIDES = (400,)  # px: the smaller variants made from it (make_thumbnails)


class UploadRejected(ValueError):
    """The file cannot be accepted; ``str(exc)`` is a message for the person."""


@dataclass(frozen=True)
class StoredFile:
    path: str  # the storage key, e.g. "logos/3f2c....webp" (relative to UPLOAD_FOLDER locally)
    content_type: str


def read_limited(file_storage, max_bytes: int) -> bytes:
    data = file_storage.read(max_bytes + 1)
    if not data:
        raise UploadRejected(_("Tệp tải lên trống."))
    if len(data) > max_bytes:
        raise UploadRejected(_("Tệp quá lớn: tối đa %(mb)s MB.", mb=max_bytes // (1024 * 1024)))
    return data


def _looks_like_svg(data: bytes, filename: str) -> bool:
    head = data[:512].lstrip().lower()
    return filename.lower().endswith((".svg", ".svgz")) or head.startswith(b"<") or b"<svg" in head


def reencode_image(data: bytes, max_side: int) -> bytes:
    """Decode, check, shrink to ``max_side`` and write as WebP."""
    return reencode_variants(data, (max_side,))[0][0]


def reencode_variants(data: bytes, sides: tuple[int, ...]) -> list[tuple[bytes, int, int]]:
    """Decode and check once; write one WebP per maximum side: (bytes, width, height)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=sorted(ALLOWED_IMAGE_FORMATS)) as probe:
                fmt = probe.format
                width, height = probe.size
                probe.verify()
            if fmt not in ALLOWED_IMAGE_FORMATS:
                raise UploadRejected(_("Chỉ nhận ảnh JPEG, PNG hoặc WebP."))
            if width * height > MAX_PIXELS:
                raise UploadRejected(_("Ảnh có quá nhiều điểm ảnh."))
            with Image.open(io.BytesIO(data), formats=sorted(ALLOWED_IMAGE_FORMATS)) as opened:
                opened.load()
                image = ImageOps.exif_transpose(opened)
                image = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB")
                variants = []
                for side in sides:
                    copy = image.copy()
                    copy.thumbnail((side, side))
                    out = io.BytesIO()
                    copy.save(out, format="WEBP", quality=82)
                    variants.append((out.getvalue(), copy.width, copy.height))
                return variants
    except UploadRejected:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise UploadRejected(_("Tệp không phải là ảnh JPEG, PNG hoặc WebP hợp lệ.")) from exc


def check_image(file_storage, max_bytes: int, max_side: int = 1024) -> bytes:
    """Validate an uploaded image and return its re-encoded bytes (nothing stored yet)."""
    data = read_limited(file_storage, max_bytes)
    if _looks_like_svg(data, file_storage.filename or ""):
        raise UploadRejected(_("Không nhận ảnh SVG (có thể chứa mã độc). Hãy dùng PNG hoặc JPEG."))
    return reencode_image(data, max_side)


def check_photo(file_storage, max_bytes: int) -> tuple[bytes, int, int]:
    """A product photo, re-encoded at 1600 px: the stored original that
    ``make_thumbnails`` makes the smaller variants from."""
    data = read_limited(file_storage, max_bytes)
    if _looks_like_svg(data, file_storage.filename or ""):
        raise UploadRejected(_("Không nhận ảnh SVG (có thể chứa mã độc). Hãy dùng PNG hoặc JPEG."))
    return reencode_variants(data, (PHOTO_SIDE,))[0]


def check_scan(file_storage, max_bytes: int) -> tuple[bytes, str]:
    """A decision scan: a PDF (kept as is, served only as a download) or an image."""
    data = read_limited(file_storage, max_bytes)
    if data.startswith(b"%PDF-"):
        if b"%%EOF" not in data[-2048:]:
            raise UploadRejected(_("Tệp PDF bị hỏng hoặc không đầy đủ."))
        return data, "application/pdf"
    if _looks_like_svg(data, file_storage.filename or ""):
        raise UploadRejected(_("Chỉ nhận tệp PDF hoặc ảnh JPEG, PNG, WebP."))
    return reencode_image(data, max_side=2400), "image/webp"


def store_bytes(data: bytes, folder: str, content_type: str) -> StoredFile:
    suffix = {"application/pdf": ".pdf", "image/png": ".png"}.get(content_type, ".webp")
    key = f"{folder}/{uuid.uuid4().hex}{suffix}"
    storage().save(key, data, content_type)
    return StoredFile(key, content_type)


# --- Stored in a transaction --------------------------------------------------------------
# A file stored for a row that is not committed yet belongs to that transaction: if
# it is rolled back, or the session is closed without a commit (an exception in the
# view), the file is deleted, so a failed change leaves no orphan behind.
_UNCOMMITTED = "uploads_uncommitted"


def store_upload(data: bytes, folder: str, content_type: str) -> StoredFile:
    """Store a file for the current database transaction: kept if it commits,
    deleted if it is rolled back or closed without a commit. Use this, not
    ``store_bytes``, for any file a row of the session will point at."""
    from shop.extensions import db

    _install_session_hooks()
    db.session.connection()  # begin the transaction the file belongs to, if none yet
    stored = store_bytes(data, folder, content_type)
    db.session.info.setdefault(_UNCOMMITTED, []).append(stored.path)
    return stored


def _kept_on_commit(session) -> None:
    # Also called when a savepoint is released: the transaction goes on.
    if not session.in_nested_transaction():
        session.info.pop(_UNCOMMITTED, None)


def _deleted_unless_committed(session, transaction) -> None:
    if transaction.parent is not None:  # a savepoint; the outer transaction decides
        return
    for key in session.info.pop(_UNCOMMITTED, None) or ():
        try:
            delete_upload(key)
        except Exception:  # never hide the error that rolled the transaction back
            current_app.logger.exception("could not delete uncommitted upload %s", key)


def _install_session_hooks() -> None:
    """Listen on the Flask-SQLAlchemy session, once per process."""
    from sqlalchemy import event

    from shop.extensions import db

    if not event.contains(db.session, "after_commit", _kept_on_commit):
        event.listen(db.session, "after_commit", _kept_on_commit)
        event.listen(db.session, "after_transaction_end", _deleted_unless_committed)


# --- Photo variants ---------------------------------------------------------------------
# A variant's key is its original's with the side appended ("photos/ab12.webp" ->
# "photos/ab12-400.webp"), so a page knows it before the variant exists.
_VARIANT = re.compile(r"^(?P<base>.+)-(?P<side>\d+)\.webp$")


def thumbnail_key(key: str, side: int = THUMBNAIL_SIDES[0]) -> str:
    base, _dot, _suffix = key.rpartition(".")
    return f"{base}-{side}.webp"


def original_of(key: str) -> str | None:
    """The original a variant key is made from, or None for any other key."""
    match = _VARIANT.match(key)
    if match is None or int(match["side"]) not in THUMBNAIL_SIDES:
        return None
    return f"{match['base']}.webp"


def make_thumbnails(key: str) -> list[str]:
    """Make the smaller variants of the stored photo ``key`` from the stored original
    and return their keys. Safe to run again (same keys, same content); a photo
    deleted meanwhile has no variants ([]). Meant for the worker, after the commit."""
    try:
        original = storage().read(key)
    except MissingFile:
        return []
    keys = []
    for side, (data, _w, _h) in zip(
        THUMBNAIL_SIDES, reencode_variants(original, THUMBNAIL_SIDES), strict=True
    ):
        variant = thumbnail_key(key, side)
        storage().save(variant, data, "image/webp")
        keys.append(variant)
    return keys


def variant_keys(key: str) -> list[str]:
    return [thumbnail_key(key, side) for side in THUMBNAIL_SIDES]


def make_thumbnails_job(payload: dict) -> list[str]:
    """The outbox handler (kind "thumbnails"): the variants of a committed photo,
    made by the worker. Until they exist the thumbnail address answers with the
    original (see send_upload). A storage outage raises, so the row is retried; a
    corrupt original cannot get better, so its row goes dead at once."""
    from shop.jobs.services import PermanentFailure

    try:
        return make_thumbnails(payload["key"])
    except UploadRejected as exc:
        raise PermanentFailure(str(exc)) from exc


# --- Serving and deleting ---------------------------------------------------------------


def send_upload(relative: str | None, mimetype: str, **send_options):
    """Serve a stored file; a missing file, or a key that cannot be ours, is a 404.

    A variant not made yet (the worker is behind) is answered with its original,
    cached briefly so that the variant replaces it soon after it exists.
    """
    if not relative:
        abort(404)
    try:
        return storage().send(relative, mimetype, **send_options)
    except MissingFile:
        original = original_of(relative)
    if original is None:
        abort(404)
    try:
        return storage().send(original, mimetype, **{**send_options, "max_age": 60})
    except MissingFile:
        abort(404)


def delete_upload(relative: str | None) -> None:
    """Delete a stored file, after the commit that stopped pointing at it. A storage
    outage leaves an orphan file (logged), never an error for the person."""
    if not relative:
        return
    try:
        storage().delete(relative)
    except StorageUnavailable:
        current_app.logger.warning("could not delete upload %s (storage unavailable)", relative)
