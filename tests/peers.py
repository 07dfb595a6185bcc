"""Misbehaving network peers made of real loopback sockets: a closed port (the
connection is refused at once) and a server that accepts and never answers (a
hung database, Redis or Stripe)."""

import socket
import threading


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class HungServer:
    """Accepts TCP connections on loopback and never says a word."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.05)  # so that the accepting thread sees close()
        self.port = self.sock.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self):
        while not self._closing.is_set():
            try:
                conn, _addr = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:  # closed under us
                return
            self.accepted.append(conn)

    def close(self):
        self._closing.set()
        self._thread.join(timeout=5)
        self.sock.close()
        for conn in self.accepted:
            conn.close()
