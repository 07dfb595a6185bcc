"""store_upload: a file stored for a row belongs to the row's transaction. A commit
keeps it; a rollback, or a session closed without a commit, deletes it; a savepoint
rolled back leaves it to the outer transaction."""

import io
import os

import pytest
from PIL import Image
from sqlalchemy import select

from shop.extensions import db
from shop.labels.artwork import upload_artwork
from shop.labels.models import LabelArtwork
from shop.storage import MissingFile, storage
from shop.uploads import store_upload


def _exists(key: str) -> bool:
    try:
        storage().read(key)
    except MissingFile:
        return False
    return True


def _files(app) -> list[str]:
    root = app.config["UPLOAD_FOLDER"]
    return [name for _dir, _dirs, names in os.walk(root) for name in names]


def test_a_commit_keeps_the_file(app):
    key = store_upload(b"%PDF-1.4 kept %%EOF", "scans", "application/pdf").path
    db.session.commit()
    assert _exists(key)
    db.session.rollback()  # a later rollback is not this file's business
    assert _exists(key)


def test_a_rollback_deletes_the_file(app):
    key = store_upload(b"%PDF-1.4 gone %%EOF", "scans", "application/pdf").path
    assert _exists(key)
    db.session.rollback()
    assert not _exists(key)
    assert _files(app) == []


def test_a_session_closed_without_a_commit_deletes_the_file(app):
    key = store_upload(b"%PDF-1.4 gone %%EOF", "scans", "application/pdf").path
    db.session.remove()  # what the app does after a request that raised
    assert not _exists(key)


def test_a_savepoint_rolled_back_leaves_it_to_the_outer_transaction(app):
    key = store_upload(b"%PDF-1.4 outer %%EOF", "scans", "application/pdf").path
    with pytest.raises(RuntimeError), db.session.begin_nested():
        raise RuntimeError
    assert _exists(key)
    db.session.commit()
    assert _exists(key)


def test_a_failed_artwork_upload_leaves_no_file(app, staff):
    out = io.BytesIO()
    Image.new("RGBA", (64, 64), (200, 0, 0, 255)).save(out, format="PNG")
    artwork = upload_artwork(out.getvalue(), None, staff, "nhan.png")
    key = artwork.path
    assert _exists(key)
    db.session.rollback()
    assert db.session.scalar(select(LabelArtwork)) is None
    assert not _exists(key)
