"""Uploads through the real forms with STORAGE_BACKEND=s3: the files land in the
bucket of a real S3 protocol server (moto on loopback), are served back by the
app, private scans only to their producer and staff, and any node serves what
another node stored."""

import io
import os

import pytest
from PIL import Image
from sqlalchemy import select

from shop import create_app
from shop.catalog.models import ProductPhoto
from shop.certification.models import Certificate
from shop.extensions import db
from shop.labels.models import LabelArtwork
from shop.producers.models import Producer
from shop.uploads import make_thumbnails, thumbnail_key
from tests.conftest import PASSWORD, FreshContextClient, _free_port
from tests.factories import OTHER_PROVINCE, PROVINCE, WARD, product_set
from tests.helpers_http import assert_redirect, assert_signed_in
from tests.storage.conftest import object_keys

pytestmark = pytest.mark.usefixtures("s3_app")

YEAR = 31536000


def _png(size=(1200, 900), color=(10, 120, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def _files_under(folder) -> list[str]:
    return [name for _dir, _dirs, names in os.walk(folder) for name in names]


@pytest.fixture
def owner_client(client, make_user, make_producer, make_product, auth):
    owner = make_user(email="owner@example.vn")
    client.producer = make_producer(owner=owner)
    client.product = make_product(client.producer, name="Chè Shan Tuyết Lũng Phìn")
    assert_signed_in(auth.login("owner@example.vn"))
    return client


def _add_photo(client, body: bytes):
    edit = f"/producer/products/{client.product.id}"
    response = client.post(
        f"{edit}/photos",
        data={"photos": [(io.BytesIO(body), "a.png")]},
        content_type="multipart/form-data",
    )
    assert_redirect(response, edit)
    return db.session.scalars(select(ProductPhoto).order_by(ProductPhoto.id.desc())).first()


# --- Product photos -------------------------------------------------------------------


def test_a_product_photo_goes_to_the_bucket_and_is_served_back(app, owner_client, s3, bucket):
    photo = _add_photo(owner_client, _png())
    assert photo.thumb_path == thumbnail_key(photo.path)
    assert object_keys(s3, bucket) == sorted([photo.path, photo.thumb_path])
    assert s3.head_object(Bucket=bucket, Key=photo.path)["ContentType"] == "image/webp"
    assert _files_under(app.config["UPLOAD_FOLDER"]) == []

    with owner_client.get(f"/media/{photo.path}") as full:
        assert full.status_code == 200
        assert full.mimetype == "image/webp"
        assert full.cache_control.public
        assert full.cache_control.max_age == YEAR
        assert Image.open(io.BytesIO(full.data)).size == (1200, 900)
        etag = full.headers["ETag"]
    with owner_client.get(f"/media/{photo.path}", headers={"If-None-Match": etag}) as again:
        assert again.status_code == 304
    with owner_client.get(f"/media/{photo.thumb_path}") as thumb:
        assert thumb.status_code == 200
        assert thumb.mimetype == "image/webp"
        image = Image.open(io.BytesIO(thumb.data))
        assert (image.format, max(image.size)) == ("WEBP", 400)

    edit = f"/producer/products/{owner_client.product.id}"
    page = owner_client.get(edit)
    assert page.status_code == 200
    assert f"/media/{photo.thumb_path}" in page.get_data(as_text=True)


def test_deleting_a_photo_deletes_its_objects(owner_client, s3, bucket):
    kept = _add_photo(owner_client, _png(color=(1, 2, 3)))
    gone = _add_photo(owner_client, _png(color=(200, 2, 3)))
    assert len(object_keys(s3, bucket)) == 4
    edit = f"/producer/products/{owner_client.product.id}"
    assert_redirect(owner_client.post(f"{edit}/photos/{gone.id}/delete"), edit)
    assert object_keys(s3, bucket) == sorted([kept.path, kept.thumb_path])
    assert owner_client.get(f"/media/{gone.path}").status_code == 404
    assert owner_client.get(f"/media/{gone.thumb_path}").status_code == 404


def test_a_rejected_upload_stores_nothing(owner_client, s3, bucket):
    edit = f"/producer/products/{owner_client.product.id}"
    response = owner_client.post(
        f"{edit}/photos",
        data={"photos": [(io.BytesIO(_png()), "ok.png"), (io.BytesIO(b"<svg/>"), "x.svg")]},
        content_type="multipart/form-data",
    )
    assert_redirect(response, edit)
    assert object_keys(s3, bucket) == []


def test_a_thumbnail_not_made_yet_is_answered_with_its_original(owner_client, s3, bucket):
    photo = _add_photo(owner_client, _png())
    s3.delete_object(Bucket=bucket, Key=photo.thumb_path)  # as if the worker were behind
    with owner_client.get(f"/media/{photo.thumb_path}") as stand_in:
        assert stand_in.status_code == 200
        assert Image.open(io.BytesIO(stand_in.data)).size == (1200, 900)
        assert stand_in.cache_control.max_age == 60  # replaced soon after the worker runs
    assert make_thumbnails(photo.path) == [photo.thumb_path]
    with owner_client.get(f"/media/{photo.thumb_path}") as thumb:
        assert thumb.status_code == 200
        assert max(Image.open(io.BytesIO(thumb.data)).size) == 400
        assert thumb.cache_control.max_age == YEAR


def test_make_thumbnails_runs_again_harmlessly_and_skips_deleted_photos(owner_client, s3, bucket):
    photo = _add_photo(owner_client, _png())
    first = s3.get_object(Bucket=bucket, Key=photo.thumb_path)["Body"].read()
    assert make_thumbnails(photo.path) == [photo.thumb_path]  # a delivery seen twice
    assert s3.get_object(Bucket=bucket, Key=photo.thumb_path)["Body"].read() == first
    edit = f"/producer/products/{owner_client.product.id}"
    assert_redirect(owner_client.post(f"{edit}/photos/{photo.id}/delete"), edit)
    assert make_thumbnails(photo.path) == []  # deleted before the worker came to it
    assert object_keys(s3, bucket) == []


def test_missing_objects_are_404_pages_not_500(owner_client, s3, bucket):
    photo = _add_photo(owner_client, _png())
    for key in object_keys(s3, bucket):
        s3.delete_object(Bucket=bucket, Key=key)  # lost behind the shop's back
    for path in (photo.path, photo.thumb_path, "photos/nothing.webp", "logos/nothing.webp"):
        response = owner_client.get(f"/media/{path}")
        assert response.status_code == 404, path
        assert "Không tìm thấy" in response.get_data(as_text=True)
    assert owner_client.get("/media/photos/..%2f..%2fconfig.py").status_code == 404


# --- Producer logos ------------------------------------------------------------------------


def test_a_producer_logo_goes_to_the_bucket_and_is_served_back(client, make_user, auth, s3, bucket):
    make_user(email="new@example.vn")
    assert_signed_in(auth.login("new@example.vn"))
    form = {
        "kind": "cooperative",
        "legal_name": "Hợp tác xã Chè Shan Tuyết Lũng Phìn",
        "registration_number": "5100456789",
        "representative": "Vàng Mí Sính",
        "phone": "0912345678",
        "email": "htx@example.vn",
        "province_code": str(PROVINCE),
        "ward_code": str(WARD),
        "street": "Thôn Sán Trồ",
        "logo": (io.BytesIO(_png(size=(64, 64))), "logo.png"),
    }
    response = client.post("/producer/register", data=form, content_type="multipart/form-data")
    assert_redirect(response, "/producer/")
    producer = db.session.scalar(select(Producer))
    assert object_keys(s3, bucket) == [producer.logo_path]
    assert producer.logo_path.startswith("logos/")
    with client.get(f"/media/{producer.logo_path}") as logo:
        assert logo.status_code == 200
        assert logo.mimetype == "image/webp"
        assert Image.open(io.BytesIO(logo.data)).format == "WEBP"


# --- Decision scans: private ----------------------------------------------------------------


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _submit_scan(client, product) -> Certificate:
    data = {
        "product_id": str(product.id),
        "product_set_id": str(product_set("I.11").id),
        "star_rank": "4",
        "score": "78",
        "decision_number": "1234/QĐ-UBND",
        "decision_date": "2025-09-15",
        "issuer_level": "province",
        "issuer_name": "UBND tỉnh Tuyên Quang",
        "legal_basis": "148/QĐ-TTg (24/02/2023)",
        "scan": (io.BytesIO(PDF), "qd.pdf"),
    }
    response = client.post(
        "/producer/certificates/new", data=data, content_type="multipart/form-data"
    )
    assert_redirect(response, "/producer/certificates")
    return db.session.scalar(select(Certificate))


def _assert_scan(response, certificate):
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        f"attachment; filename=quyet-dinh-{certificate.id}.pdf"
    )
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.data == PDF


def test_a_decision_scan_is_private_to_its_producer_and_staff(
    owner_client, auth, make_user, make_producer, staff, s3, bucket
):
    certificate = _submit_scan(owner_client, owner_client.product)
    assert object_keys(s3, bucket) == [certificate.scan_path]
    assert s3.head_object(Bucket=bucket, Key=certificate.scan_path)["ContentType"] == (
        "application/pdf"
    )
    own = f"/producer/certificates/{certificate.id}/scan"
    as_staff = f"/staff/certificates/{certificate.id}/scan"
    with owner_client.get(own) as response:
        _assert_scan(response, certificate)
    assert owner_client.get(as_staff).status_code == 403
    # Never through the public media route, whatever the key.
    assert owner_client.get(f"/media/{certificate.scan_path}").status_code == 404

    other = make_user(email="other@example.vn")
    make_producer(owner=other, province_code=OTHER_PROVINCE)
    auth.logout()
    assert_signed_in(auth.login("other@example.vn"))
    assert owner_client.get(own).status_code == 404

    make_user(email="buyer@example.vn")
    auth.logout()
    assert_signed_in(auth.login("buyer@example.vn"))
    assert_redirect(owner_client.get(own), "/producer/register")
    assert owner_client.get(as_staff).status_code == 403

    auth.logout()
    assert_redirect(owner_client.get(own), "/login", query={"next": own})

    assert_signed_in(auth.login(staff.email))
    with owner_client.get(as_staff) as response:
        _assert_scan(response, certificate)


def test_a_scan_whose_object_is_gone_is_404(owner_client, staff, auth, s3, bucket):
    certificate = _submit_scan(owner_client, owner_client.product)
    s3.delete_object(Bucket=bucket, Key=certificate.scan_path)
    assert owner_client.get(f"/producer/certificates/{certificate.id}/scan").status_code == 404
    auth.logout()
    assert_signed_in(auth.login(staff.email))
    assert owner_client.get(f"/staff/certificates/{certificate.id}/scan").status_code == 404


# --- Label artwork ---------------------------------------------------------------------


def test_label_artwork_is_stored_in_the_bucket_and_drawn_from_it(
    client, staff, auth, make_listed, s3, bucket
):
    from shop.certification.queries import current_certificate

    assert_signed_in(auth.login(staff.email))
    artwork_png = _png(size=(300, 300), color=(0, 90, 160))
    response = client.post(
        "/staff/artwork",
        data={"province_code": "", "artwork": (io.BytesIO(artwork_png), "ocop.png")},
        content_type="multipart/form-data",
    )
    assert_redirect(response, "/staff/artwork")
    artwork = db.session.scalar(select(LabelArtwork))
    assert object_keys(s3, bucket) == [artwork.path]
    with client.get(f"/staff/artwork/{artwork.id}.png") as image:
        assert image.status_code == 200
        assert image.mimetype == "image/png"
    stored = s3.get_object(Bucket=bucket, Key=artwork.path)["Body"].read()

    code = current_certificate(make_listed()).verification_code
    svg = client.get(f"/labels/{code}.svg")
    assert svg.status_code == 200
    import base64

    assert base64.b64encode(stored).decode() in svg.get_data(as_text=True)
    pdf = client.get(f"/labels/{code}.pdf")
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"


# --- Two nodes, one bucket ------------------------------------------------------------------


@pytest.fixture
def node_b(app, s3_config, database_url, tmp_path):
    """A second app, as on another machine: same database, same bucket, its own disk."""
    other = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "WTF_CSRF_ENABLED": False,
            "UPLOAD_FOLDER": str(tmp_path / "node-b-uploads"),
            "SERVER_NAME": None,
            **s3_config,
        }
    )
    other.test_client_class = FreshContextClient
    yield other
    with other.app_context():
        db.engine.dispose()


def test_uploaded_through_node_a_is_served_through_node_b(app, owner_client, node_b):
    assert node_b.config["UPLOAD_FOLDER"] != app.config["UPLOAD_FOLDER"]
    photo = _add_photo(owner_client, _png(color=(90, 60, 30)))
    certificate = _submit_scan(owner_client, owner_client.product)
    with owner_client.get(f"/media/{photo.path}") as on_a:
        assert on_a.status_code == 200
        served_by_a = on_a.data

    b = node_b.test_client()
    with b.get(f"/media/{photo.path}") as on_b:
        assert on_b.status_code == 200
        assert on_b.mimetype == "image/webp"
        assert on_b.data == served_by_a
    with b.get(f"/media/{photo.thumb_path}") as thumb:
        assert thumb.status_code == 200
        assert max(Image.open(io.BytesIO(thumb.data)).size) == 400
    # Private scans too: the producer signs in on node B.
    login = b.post("/login", data={"email": "owner@example.vn", "password": PASSWORD})
    assert_redirect(login, "/producer/")
    with b.get(f"/producer/certificates/{certificate.id}/scan") as scan:
        _assert_scan(scan, certificate)
    assert _files_under(app.config["UPLOAD_FOLDER"]) == []
    assert _files_under(node_b.config["UPLOAD_FOLDER"]) == []


# --- Storage outage ---------------------------------------------------------------------


@pytest.fixture
def storage_down(app):
    from shop import storage

    app.config.update(S3_ENDPOINT_URL=f"http://127.0.0.1:{_free_port()}", S3_TIMEOUT=1)
    app.extensions["storage"] = storage.build(app.config)  # after the sign-in request
    return app


@pytest.mark.allow_5xx
def test_a_storage_outage_is_a_503_never_a_500(owner_client, storage_down, no_server_errors):
    from shop.catalog.models import ProductPhoto as Photo

    response = owner_client.get("/media/photos/any.webp")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    edit = f"/producer/products/{owner_client.product.id}"
    upload = owner_client.post(
        f"{edit}/photos",
        data={"photos": [(io.BytesIO(_png()), "a.png")]},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 503
    assert db.session.scalar(select(Photo)) is None
    assert all(seen.startswith("503 ") for seen in no_server_errors), no_server_errors


def test_thumbnails_are_an_outbox_effect_of_the_upload(owner_client, s3, bucket):
    """The upload's transaction writes the job; the worker (in-process after the
    commit when no broker is configured) makes the 400 px variant once."""
    from sqlalchemy import select

    from shop.extensions import db
    from shop.jobs.models import OutboxMessage, OutboxStatus

    photo = _add_photo(owner_client, _png())
    (job,) = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "thumbnails")
    ).all()
    assert job.dedupe_key == f"thumbnails:{photo.path}"
    assert job.status == OutboxStatus.SENT
    assert photo.thumb_path in object_keys(s3, bucket)
