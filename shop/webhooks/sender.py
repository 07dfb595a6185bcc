"""The one way out of the shop to a producer's webhook endpoint: an HTTP POST
through urllib3, to an address checked first (shop/webhooks/rules.py).

The host name is resolved here; every address it resolves to must be allowed,
and the connection goes to the first of them, with the name as the Host header
and, over HTTPS, as the TLS server name whose certificate is verified. No
redirect is followed (a 3xx is an answer like any other non-2xx), no proxy from
the environment is used, nothing is retried here (the outbox retries), and at
most ``EXCERPT_BYTES`` of the answer are read.
"""

import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3
from urllib3.exceptions import HTTPError, NewConnectionError, SSLError
from urllib3.exceptions import TimeoutError as Urllib3Timeout

from shop.webhooks.models import DeliveryError
from shop.webhooks.rules import address_allowed

EXCERPT_BYTES = 2048  # read at most this much of an answer: it is only shown


@dataclass(frozen=True)
class Answer:
    status: int
    excerpt: str  # the start of the body, decoded leniently


class SendFailed(Exception):
    """No HTTP answer: ``kind`` says why; ``permanent`` when trying again cannot help."""

    def __init__(self, kind: DeliveryError, detail: str = "", *, permanent: bool = False):
        super().__init__(f"{kind}: {detail}" if detail else str(kind))
        self.kind = kind
        self.detail = detail[:500]
        self.permanent = permanent


def resolve(host: str, port: int, *, allow_loopback: bool) -> str:
    """The address to connect to; SendFailed when the name does not resolve or
    any of its addresses is not one the shop may call."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise SendFailed(DeliveryError.DNS, str(exc)) from None
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise SendFailed(DeliveryError.DNS, host)
    refused = [a for a in addresses if not address_allowed(a, allow_loopback=allow_loopback)]
    if refused:
        raise SendFailed(DeliveryError.BLOCKED, ", ".join(refused[:3]), permanent=True)
    return addresses[0]


def post(
    url: str, body: bytes, headers: dict[str, str], *, timeout: float, allow_loopback: bool
) -> Answer:
    parts = urlsplit(url)
    host = parts.hostname or ""
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    address = resolve(host, port, allow_loopback=allow_loopback)
    default_port = port == (443 if https else 80)
    host_header = host if ":" not in host else f"[{host}]"
    headers = {
        **headers,
        "Host": host_header if default_port else f"{host_header}:{port}",
        "Content-Type": "application/json; charset=utf-8",
        "Connection": "close",
    }
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    limits = urllib3.Timeout(connect=timeout, read=timeout)
    pool: urllib3.HTTPConnectionPool
    if https:
        pool = urllib3.HTTPSConnectionPool(
            address,
            port,
            timeout=limits,
            retries=False,
            cert_reqs="CERT_REQUIRED",
            server_hostname=host,
            assert_hostname=host,
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, port, timeout=limits, retries=False)
    try:
        response = pool.urlopen(
            "POST",
            path,
            body=body,
            headers=headers,
            retries=False,
            redirect=False,
            assert_same_host=False,
            preload_content=False,
        )
        try:
            head = response.read(EXCERPT_BYTES, decode_content=False)
        finally:
            response.close()
    except NewConnectionError as exc:  # a subclass of ConnectTimeoutError, for history
        raise SendFailed(DeliveryError.CONNECTION, f"{type(exc).__name__}: {exc}") from None
    except Urllib3Timeout as exc:
        raise SendFailed(DeliveryError.TIMEOUT, str(exc)) from None
    except SSLError as exc:
        raise SendFailed(DeliveryError.TLS, str(exc)) from None
    except (HTTPError, OSError) as exc:
        raise SendFailed(DeliveryError.CONNECTION, f"{type(exc).__name__}: {exc}") from None
    finally:
        pool.close()
    return Answer(response.status, head.decode("utf-8", errors="replace"))
