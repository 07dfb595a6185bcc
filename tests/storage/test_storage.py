"""The storage contract, run against both backends: a folder on disk and a bucket
on a real S3 protocol server (moto's server mode on loopback)."""

import pytest
from flask import Flask, abort, request

from shop.storage import LocalStorage, MissingFile, S3Storage, StorageUnavailable, build
from tests.conftest import _free_port
from tests.storage.conftest import REGION, object_keys

WEBP = "image/webp"


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path):
    if request.param == "local":
        return build({"STORAGE_BACKEND": "local", "UPLOAD_FOLDER": str(tmp_path / "uploads")})
    return build(request.getfixturevalue("s3_config"))


@pytest.fixture
def served(store):
    """A bare Flask app serving ``store`` the way the shop does, for send()."""
    app = Flask("contract")

    @app.get("/f/<path:key>")
    def get(key):
        try:
            return store.send(
                key,
                request.args.get("type", WEBP),
                max_age=int(request.args["max_age"]) if "max_age" in request.args else None,
                as_attachment="name" in request.args,
                download_name=request.args.get("name"),
            )
        except MissingFile:
            abort(404)

    return app.test_client()


def test_a_saved_file_reads_back(store):
    assert not store.exists("photos/a1.webp")
    store.save("photos/a1.webp", b"RIFF-one", WEBP)
    assert store.exists("photos/a1.webp")
    assert store.read("photos/a1.webp") == b"RIFF-one"


def test_saving_under_the_same_key_replaces(store):
    store.save("logos/b2.webp", b"first", WEBP)
    store.save("logos/b2.webp", b"second", WEBP)
    assert store.read("logos/b2.webp") == b"second"


def test_a_missing_file(store):
    with pytest.raises(MissingFile):
        store.read("scans/none.pdf")
    assert not store.exists("scans/none.pdf")
    store.delete("scans/none.pdf")  # nothing to delete is not an error


def test_delete(store):
    store.save("photos/c3.webp", b"x", WEBP)
    store.save("photos/c3-400.webp", b"y", WEBP)
    store.delete("photos/c3.webp")
    assert not store.exists("photos/c3.webp")
    assert store.read("photos/c3-400.webp") == b"y"  # only that key


@pytest.mark.parametrize(
    "key",
    [
        "",
        "../config.py",
        "photos/../../config.py",
        "photos/..",
        "/etc/passwd",
        "photos//x.webp",
        "photos/",
        "photos",
        "photos\\x.webp",
        "photos/a\x00.webp",
        "photos/ x.webp",
    ],
)
def test_keys_that_cannot_be_ours(store, key):
    with pytest.raises(MissingFile):
        store.read(key)
    assert not store.exists(key)
    with pytest.raises(MissingFile):
        store.save(key, b"x", WEBP)


def test_send_serves_with_cache_headers_and_answers_conditional_requests(store, served):
    store.save("photos/d4.webp", b"RIFF-photo", WEBP)
    with served.get("/f/photos/d4.webp?max_age=31536000") as response:
        assert response.status_code == 200
        assert response.mimetype == WEBP
        assert response.data == b"RIFF-photo"
        assert response.headers["Content-Length"] == str(len(b"RIFF-photo"))
        assert response.cache_control.public
        assert response.cache_control.max_age == 31536000
        etag = response.headers["ETag"]
        assert response.last_modified is not None
    with served.get("/f/photos/d4.webp?max_age=31536000", headers={"If-None-Match": etag}) as again:
        assert again.status_code == 304
        assert again.data == b""
    with served.get("/f/photos/d4.webp", headers={"If-None-Match": '"other"'}) as changed:
        assert changed.status_code == 200
        assert changed.data == b"RIFF-photo"


def test_send_as_a_download(store, served):
    store.save("scans/e5.pdf", b"%PDF-1.4 ... %%EOF", "application/pdf")
    with served.get("/f/scans/e5.pdf?type=application/pdf&name=quyet-dinh-5.pdf") as response:
        assert response.status_code == 200
        assert response.mimetype == "application/pdf"
        assert response.headers["Content-Disposition"] == "attachment; filename=quyet-dinh-5.pdf"
        assert response.cache_control.no_cache
        assert response.data == b"%PDF-1.4 ... %%EOF"


def test_send_a_missing_file(store, served):
    assert served.get("/f/photos/none.webp").status_code == 404
    assert served.get("/f/photos/..%2f..%2fconfig.py").status_code == 404


def test_ping(store):
    store.ping()


def test_s3_keeps_files_under_its_prefix(s3_config, s3, bucket):
    ours = build({**s3_config, "S3_PREFIX": "/ocop/"})
    theirs = build({**s3_config, "S3_PREFIX": "other"})
    ours.save("logos/f6.webp", b"logo", WEBP)
    assert object_keys(s3, bucket) == ["ocop/logos/f6.webp"]
    assert s3.head_object(Bucket=bucket, Key="ocop/logos/f6.webp")["ContentType"] == WEBP
    assert not theirs.exists("logos/f6.webp")
    ours.delete("logos/f6.webp")
    assert object_keys(s3, bucket) == []


def test_a_missing_bucket_is_unavailable_not_missing(s3_config):
    store = build({**s3_config, "S3_BUCKET": "ocop-no-such-bucket"})
    with pytest.raises(StorageUnavailable):
        store.read("photos/a.webp")
    with pytest.raises(StorageUnavailable):
        store.ping()


def test_an_unreachable_server_is_unavailable(s3_config):
    store = build(
        {**s3_config, "S3_ENDPOINT_URL": f"http://127.0.0.1:{_free_port()}", "S3_TIMEOUT": 1}
    )
    for call in (
        lambda: store.save("photos/a.webp", b"x", WEBP),
        lambda: store.read("photos/a.webp"),
        lambda: store.exists("photos/a.webp"),
        lambda: store.delete("photos/a.webp"),
        store.ping,
    ):
        with pytest.raises(StorageUnavailable):
            call()


def test_local_writes_leave_no_temporary_files(tmp_path):
    store = LocalStorage(tmp_path)
    store.save("photos/g7.webp", b"x", WEBP)
    assert [p.name for p in (tmp_path / "photos").iterdir()] == ["g7.webp"]


def test_backend_is_chosen_by_configuration(tmp_path, s3_config):
    local = build({"STORAGE_BACKEND": "local", "UPLOAD_FOLDER": str(tmp_path)})
    assert isinstance(local, LocalStorage)
    assert isinstance(build(s3_config), S3Storage)
    with pytest.raises(RuntimeError, match="S3_BUCKET"):
        build({**s3_config, "S3_BUCKET": ""})
    with pytest.raises(RuntimeError, match="STORAGE_BACKEND"):
        build({**s3_config, "STORAGE_BACKEND": "ftp"})


def test_region_is_passed_to_boto3(s3_config):
    assert build(s3_config).client.meta.region_name == REGION
