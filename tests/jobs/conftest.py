"""A real SMTP server on loopback (aiosmtpd) that a test can stop and start,
and an app whose mail goes to it over SMTP."""

import threading
from email import message_from_bytes, policy
from email.message import Message

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import _free_port


class SmtpSink:
    """aiosmtpd on a fixed loopback port; ``stop()`` is an SMTP outage (the port
    refuses connections), ``start()`` brings it back. ``messages`` holds what
    arrived, in order."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.messages: list[Message] = []
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's hook name
        with self._lock:
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def start(self) -> None:
        if self._controller is None:
            self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
            self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def received(self) -> list[Message]:
        with self._lock:
            return list(self.messages)


@pytest.fixture
def smtp_sink():
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def smtp_config(smtp_sink) -> dict:
    return {
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_sink.port,
        "MAIL_USE_TLS": False,
        "MAIL_USERNAME": "",
        "MAIL_TIMEOUT": 2.0,
    }


@pytest.fixture
def smtp_app(app, smtp_config):
    """The test app, sending its mail over SMTP to the sink."""
    app.config.update(smtp_config)
    return app
