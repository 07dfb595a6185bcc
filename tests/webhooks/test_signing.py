"""The Stripe scheme: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">."""

import hashlib
import hmac

from shop.webhooks import signing


def test_the_signature_is_the_hmac_of_timestamp_dot_body():
    body = b'{"id":"evt_1","type":"order.created"}'
    header = signing.signature_header(["whsec_abc"], 1_764_000_000, body)
    expected = hmac.new(b"whsec_abc", b"1764000000." + body, hashlib.sha256).hexdigest()
    assert header == f"t=1764000000,v1={expected}"


def test_verify_accepts_the_right_secret_within_the_tolerance_only():
    body = b'{"a":1}'
    header = signing.signature_header(["whsec_new", "whsec_old"], 1000, body)
    assert signing.verify(header, body, "whsec_new", now=1000)
    assert signing.verify(header, body, "whsec_old", now=1299)
    assert not signing.verify(header, body, "whsec_new", now=1301)  # a replay, too old
    assert not signing.verify(header, body + b" ", "whsec_new", now=1000)
    assert not signing.verify(header, body, "whsec_other", now=1000)
    assert not signing.verify("v1=abc", body, "whsec_new", now=1000)
    assert not signing.verify("t=x,v1=abc", body, "whsec_new", now=1000)


def test_secrets_are_random_and_prefixed():
    a, b = signing.new_secret(), signing.new_secret()
    assert a != b
    assert a.startswith("whsec_")
    assert len(a) >= 40
