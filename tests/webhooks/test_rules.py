"""Which endpoint addresses a producer may give, and which addresses the sender calls."""

import pytest

from shop.webhooks.rules import UrlRefused, address_allowed, check_url


@pytest.mark.parametrize(
    "url",
    [
        "https://htx-che.vn/ocop/webhook",
        "https://api.example.com:8443/hooks?source=ocop",
        "https://xn--ch-ocop-8va.vn/hook",
        "https://8.8.8.8/hook",
    ],
)
def test_public_https_addresses_are_accepted(url):
    assert check_url(url, allow_loopback=False) == url


@pytest.mark.parametrize(
    "url",
    [
        "",
        "htx-che.vn/hook",
        "ftp://htx-che.vn/hook",
        "http://htx-che.vn/hook",  # plain http only to loopback
        "https://user:pass@htx-che.vn/hook",
        "https://htx-che.vn/hook#frag",
        "https://htx-che.vn:99999/hook",
        "https://hợp-tác-xã.vn/hook",
        "https://htx che.vn/hook",
        "https://localhost/hook",
        "https://127.0.0.1/hook",
        "https://127.1.2.3/hook",
        "https://[::1]/hook",
        "https://10.0.0.5/hook",
        "https://192.168.1.1/hook",
        "https://172.16.0.1/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://100.64.0.1/hook",
        "https://0.0.0.0/hook",
        "https://[::ffff:10.0.0.1]/hook",
        "https://[fd00::1]/hook",
        "https://224.0.0.1/hook",
        "https://intranet/hook",
        "https://printer.local/hook",
        "https://db.internal/hook",
        "https://" + "a" * 500 + ".vn/",
    ],
)
def test_anything_else_is_refused_with_a_reason(url):
    with pytest.raises(UrlRefused) as refused:
        check_url(url, allow_loopback=False)
    assert str(refused.value.message)


def test_loopback_and_plain_http_to_it_only_when_allowed():
    assert check_url("http://127.0.0.1:8001/hook", allow_loopback=True)
    assert check_url("http://localhost:8001/hook", allow_loopback=True)
    with pytest.raises(UrlRefused):
        check_url("http://127.0.0.1:8001/hook", allow_loopback=False)
    with pytest.raises(UrlRefused):  # allowing loopback allows nothing private
        check_url("https://10.0.0.5/hook", allow_loopback=True)


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("93.184.216.34", True),
        ("2606:2800:220:1:248:1893:25c8:1946", True),
        ("127.0.0.1", False),
        ("::1", False),
        ("10.1.2.3", False),
        ("172.31.255.255", False),
        ("192.168.0.10", False),
        ("169.254.169.254", False),
        ("100.100.100.200", False),  # carrier-grade NAT, a cloud's metadata too
        ("0.0.0.0", False),  # noqa: S104 - an address refused, not bound
        ("::ffff:127.0.0.1", False),
        ("::ffff:192.168.0.1", False),
        ("fe80::1%eth0", False),
        ("fc00::1", False),
        ("239.255.255.250", False),
        ("not an address", False),
    ],
)
def test_addresses_the_sender_may_call(address, allowed):
    assert address_allowed(address, allow_loopback=False) is allowed


def test_loopback_addresses_when_allowed():
    assert address_allowed("127.0.0.1", allow_loopback=True)
    assert address_allowed("::ffff:127.0.0.1", allow_loopback=True)
    assert not address_allowed("10.0.0.1", allow_loopback=True)
