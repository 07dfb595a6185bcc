"""A real HTTP receiver on loopback that records every request it gets and answers
as the test scripts it (a status, a delay), and the steps the webhook tests share."""

import json
import ssl
import subprocess
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from shop.extensions import db
from shop.webhooks import services
from shop.webhooks.models import EventType


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)


class Receiver:
    """ThreadingHTTPServer on 127.0.0.1. ``answers`` is a list of (status, body)
    used in turn (the last one repeats); ``delay`` seconds before each answer."""

    def __init__(self, tls: tuple[str, str] | None = None) -> None:
        self.received: list[Received] = []
        self.answers: list[tuple[int, str]] = [(200, '{"ok": true}')]
        self.delay = 0.0
        self.headers_out: dict[str, str] = {}
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # http.server's hook name
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with receiver._lock:
                    receiver.received.append(Received(self.path, dict(self.headers), body))
                    status, text = (
                        receiver.answers.pop(0)
                        if len(receiver.answers) > 1
                        else receiver.answers[0]
                    )
                if receiver.delay:
                    time.sleep(receiver.delay)
                payload = text.encode()
                try:
                    self.send_response(status)
                    for name, value in receiver.headers_out.items():
                        self.send_header(name, value)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:  # the client gave up (a timeout test)
                    pass

            def log_message(self, *args):  # quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.handle_error = lambda request, address: None  # a refused TLS handshake
        if tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def url(self, path: str = "/hooks/ocop") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def requests(self) -> list[Received]:
        with self._lock:
            return list(self.received)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def tls_receiver(tmp_path):
    """The receiver over HTTPS with a self-signed certificate for localhost (openssl)."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(  # noqa: S603 - a fixed command line
        [  # noqa: S607 - openssl from PATH, as a person would run it
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    r = Receiver(tls=(str(cert), str(key)))
    yield r
    r.close()


@pytest.fixture
def make_endpoint(app):
    """An endpoint of ``producer`` (by the service, as the owner's form would)."""

    def make(producer, url, events=(EventType.ORDER_CREATED, EventType.ORDER_CANCELLED), **extra):
        owner = producer.members[0].user
        endpoint, secret = services.create_endpoint(producer, owner, url=url, events=events)
        for name, value in extra.items():
            setattr(endpoint, name, value)
        db.session.commit()
        return endpoint, secret

    return make
