"""Pure rules of outgoing webhooks: which addresses an endpoint may have, and which
network addresses the shop may connect to (no database, no request).

An endpoint is an HTTPS address on the public internet. The shop is the client
here, so an address that points inside its own network (a metadata service at
169.254.169.254, Redis on 10.0.0.5, the admin port on 127.0.0.1) would let a
producer make the shop call it (server-side request forgery). Two checks close
that: the form refuses addresses whose host is such a place by name or number
(``check_url``), and the sender resolves the name, refuses it when any of its
addresses is not public (``address_allowed``) and connects to the very address
it checked, so a name that resolves differently a second later (DNS rebinding)
changes nothing. Loopback (and plain http to it) is allowed only when the
configuration says so (WEBHOOK_ALLOW_LOOPBACK: development and tests).
"""

import ipaddress
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l

URL_MAX = 500
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})
# Names that only a private network resolves: never a producer's server.
_INTERNAL_SUFFIXES = (".localhost", ".local", ".internal", ".intranet", ".lan", ".home.arpa")


class UrlRefused(ValueError):
    """Why an endpoint address cannot be used, in words for the form."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _unmapped(ip: ipaddress.IPv4Address | ipaddress.IPv6Address):
    """::ffff:10.0.0.1 is 10.0.0.1 to the kernel."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def address_allowed(address: str, *, allow_loopback: bool) -> bool:
    """A resolved address the shop may connect to: public (globally routable,
    not multicast), or loopback when ``allow_loopback``."""
    ip = _ip(address.split("%", 1)[0])  # an IPv6 zone index says "link-local" anyway
    if ip is None:
        return False
    ip = _unmapped(ip)
    if ip.is_loopback:
        return allow_loopback
    return ip.is_global and not ip.is_multicast


def is_loopback_host(host: str) -> bool:
    ip = _ip(host)
    return host in LOOPBACK_NAMES if ip is None else _unmapped(ip).is_loopback


def check_url(url: str, *, allow_loopback: bool) -> str:
    """The endpoint address as it will be called, or UrlRefused with the reason."""
    url = (url or "").strip()
    if not url:
        raise UrlRefused(_l("Hãy nhập địa chỉ nhận webhook."))
    if len(url) > URL_MAX:
        raise UrlRefused(_l("Địa chỉ dài quá %(n)s ký tự.", n=URL_MAX))
    if not url.isascii() or any(c.isspace() or ord(c) < 32 for c in url):
        raise UrlRefused(
            _l(
                "Địa chỉ chỉ gồm ký tự ASCII, không có khoảng trắng "
                "(tên miền tiếng Việt: dùng dạng xn--)."
            )
        )
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UrlRefused(_l("Địa chỉ không hợp lệ.")) from None
    host = (parts.hostname or "").rstrip(".").lower()
    if parts.scheme not in ("https", "http") or not host:
        raise UrlRefused(_l("Địa chỉ phải có dạng https://tên-miền/đường-dẫn."))
    if parts.username is not None or parts.password is not None:
        raise UrlRefused(_l("Địa chỉ không được chứa tên đăng nhập hay mật khẩu."))
    if parts.fragment:
        raise UrlRefused(_l("Địa chỉ không được có phần #."))
    if port == 0:
        raise UrlRefused(_l("Địa chỉ không hợp lệ."))
    loopback = is_loopback_host(host)
    if loopback and not allow_loopback:
        raise UrlRefused(_l("Không thể gửi webhook đến máy chủ nội bộ (localhost)."))
    if parts.scheme == "http" and not loopback:
        raise UrlRefused(_l("Địa chỉ phải dùng https://."))
    ip = _ip(host)
    if ip is not None and not loopback and not address_allowed(host, allow_loopback=False):
        raise UrlRefused(_l("Không thể gửi webhook đến địa chỉ IP nội bộ hoặc dành riêng."))
    if ip is None and not loopback and ("." not in host or host.endswith(_INTERNAL_SUFFIXES)):
        raise UrlRefused(_l("Tên miền phải là tên miền công khai trên Internet."))
    return url
