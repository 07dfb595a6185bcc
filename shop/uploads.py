"""Uploaded files: checked, re-encoded with Pillow, stored under UPLOAD_FOLDER.

Nothing a user uploads is served as they sent it: images are decoded and written
again (dropping metadata and anything hidden in the file), SVG is refused
outright because it can carry scripts, and PDFs are only served as downloads.
"""

import contextlib
import io
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path

from flask import abort, current_app, send_file
from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_IMAGE_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_PIXELS = 40_000_000


class UploadRejected(ValueError):
    """The file cannot be accepted; ``str(exc)`` is a message for the person."""


@dataclass(frozen=True)
class StoredFile:
    path: str  # relative to UPLOAD_FOLDER, e.g. "logos/3f2c....webp"
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
            with Image.open(io.BytesIO(data), formats=sorted(ALLOWED_IMAGE_FORMATS)) as image:
                image.load()
                image = ImageOps.exif_transpose(image)
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


def _store(data: bytes, folder: str, suffix: str) -> str:
    relative = f"{folder}/{uuid.uuid4().hex}{suffix}"
    target = Path(current_app.config["UPLOAD_FOLDER"]) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return relative


def check_image(file_storage, max_bytes: int, max_side: int = 1024) -> bytes:
    """Validate an uploaded image and return its re-encoded bytes (nothing stored yet)."""
    data = read_limited(file_storage, max_bytes)
    if _looks_like_svg(data, file_storage.filename or ""):
        raise UploadRejected(_("Không nhận ảnh SVG (có thể chứa mã độc). Hãy dùng PNG hoặc JPEG."))
    return reencode_image(data, max_side)


def check_photo(file_storage, max_bytes: int) -> list[tuple[bytes, int, int]]:
    """A product photo: a 1600 px image and a 400 px thumbnail, made once, here."""
    data = read_limited(file_storage, max_bytes)
    if _looks_like_svg(data, file_storage.filename or ""):
        raise UploadRejected(_("Không nhận ảnh SVG (có thể chứa mã độc). Hãy dùng PNG hoặc JPEG."))
    return reencode_variants(data, (1600, 400))


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
    return StoredFile(_store(data, folder, suffix), content_type)


def upload_path(relative: str) -> Path:
    root = Path(current_app.config["UPLOAD_FOLDER"]).resolve()
    target = (root / relative).resolve()
    if root not in target.parents:
        raise FileNotFoundError(relative)
    return target


def send_upload(relative: str | None, mimetype: str, **send_file_options):
    """Serve a stored file; a missing file, or a path outside the upload folder, is a 404."""
    if not relative:
        abort(404)
    try:
        path = upload_path(relative)
    except FileNotFoundError:
        abort(404)
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype=mimetype, **send_file_options)


def delete_upload(relative: str | None) -> None:
    if relative:
        with contextlib.suppress(FileNotFoundError):
            upload_path(relative).unlink(missing_ok=True)
