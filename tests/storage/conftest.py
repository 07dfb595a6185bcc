"""An S3 protocol server on loopback for the storage tests: moto's server mode
(PyPI ``moto[server]``), started once per session on a free port as the suite
starts localstripe; each test gets a bucket of its own."""

import subprocess
import sys
import time
import uuid

import pytest

from shop import storage
from tests.conftest import _free_port

REGION = "ap-southeast-1"  # Singapore, the AWS region nearest Vietnam


@pytest.fixture(scope="session")
def moto_server():
    import requests

    port = _free_port()
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and a fixed module
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            requests.get(f"{url}/moto-api/", timeout=1)
            break
        except requests.ConnectionError:
            if process.poll() is not None:
                raise RuntimeError("moto server did not start") from None
            time.sleep(0.1)
    else:
        process.terminate()
        raise RuntimeError("moto server did not answer")
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def aws_credentials(monkeypatch):
    """What boto3's own chain finds first; moto accepts any. A developer's own
    profile or files must not leak into the tests."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/aws-config")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-credentials")


@pytest.fixture
def s3(moto_server, aws_credentials):
    """A plain boto3 client on the moto server, for the test to look into the bucket."""
    import boto3

    return boto3.session.Session().client("s3", endpoint_url=moto_server, region_name=REGION)


@pytest.fixture
def bucket(s3):
    name = f"ocop-test-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    yield name
    for key in object_keys(s3, name):
        s3.delete_object(Bucket=name, Key=key)
    s3.delete_bucket(Bucket=name)


def object_keys(s3, bucket_name: str, prefix: str = "") -> list[str]:
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket_name, Prefix=prefix)
    return sorted(item["Key"] for page in pages for item in page.get("Contents", []))


@pytest.fixture
def s3_config(moto_server, bucket, aws_credentials):
    return {
        "STORAGE_BACKEND": "s3",
        "S3_BUCKET": bucket,
        "S3_ENDPOINT_URL": moto_server,
        "S3_REGION": REGION,
        "S3_PREFIX": "",
        "S3_ADDRESSING_STYLE": "",
        "S3_TIMEOUT": 5.0,
    }


@pytest.fixture
def s3_app(app, s3_config):
    """The test app with its uploads in the moto bucket."""
    app.config.update(s3_config)
    storage.init_app(app)
    return app
