"""Talk to localstripe as a browser's Stripe.js would (card tokens), and catch
the webhooks it sends, so tests replay real signed deliveries."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests


def card_token(localstripe: str, number: str = "4242424242424242") -> str:
    """What Stripe.js's createToken does in the browser."""
    response = requests.post(
        f"{localstripe}/v1/tokens",
        data={
            "card[number]": number,
            "card[exp_month]": "12",
            "card[exp_year]": "2030",
            "card[cvc]": "123",
            "key": "pk_test_localstripe",
        },
        timeout=10,
    )
    response.raise_for_status()
    return response.json()["id"]


def stripe_refund_amounts(localstripe: str, payment_intent_id: str) -> list[int]:
    """The amounts of the refunds Stripe (localstripe) holds for one intent, sorted."""
    data = requests.get(
        f"{localstripe}/v1/refunds",
        params={"payment_intent": payment_intent_id},
        auth=("sk_test_localstripe", ""),
        timeout=10,
    ).json()["data"]
    return sorted(r["amount"] for r in data)


def register_webhook(localstripe: str, url: str, secret: str, name: str = "ocop") -> None:
    requests.post(
        f"{localstripe}/_config/webhooks/{name}", data={"url": url, "secret": secret}, timeout=10
    ).raise_for_status()


class WebhookCatcher:
    """A tiny HTTP server that records what localstripe posts to it."""

    def __init__(self):
        self.deliveries: list[tuple[bytes, dict]] = []
        self.arrived = threading.Condition()
        catcher = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with catcher.arrived:
                    catcher.deliveries.append((body, dict(self.headers)))
                    catcher.arrived.notify_all()
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"

    def wait_for(self, event_type: str, object_id: str, timeout: float = 15) -> tuple[bytes, dict]:
        """The delivery of ``event_type`` about ``object_id`` (localstripe also
        sends events left over from earlier tests)."""
        import json

        def found():
            for body, headers in self.deliveries:
                event = json.loads(body)
                if event["type"] == event_type and event["data"]["object"]["id"] == object_id:
                    return body, headers
            return None

        with self.arrived:
            self.arrived.wait_for(found, timeout=timeout)
        result = found()
        assert result is not None, f"localstripe sent no {event_type}"
        return result

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def pay_with_card(order, token_id: str):
    """Both steps of a card payment, each committed, as the pay view does them."""
    from shop.extensions import db
    from shop.payments.services import confirm_card_payment, ensure_payment_intent

    ensure_payment_intent(order)
    db.session.commit()
    intent = confirm_card_payment(order, token_id)
    db.session.commit()
    return intent


def refund_order(order_id, amount_vnd, reason, actor, *, shipment_id=None, action_token=None):
    """Both steps of a refund, as the staff view does them: request, commit,
    submit to Stripe, commit. Returns the refund rows as they ended."""
    from shop.extensions import db
    from shop.payments.models import RefundStatus
    from shop.payments.services import (
        PaymentError,
        new_action_token,
        request_refund,
        submit_card_refund,
    )

    request = request_refund(
        order_id,
        amount_vnd,
        reason,
        actor,
        action_token=action_token or new_action_token(),
        shipment_id=shipment_id,
    )
    db.session.commit()
    if request.key:
        status = submit_card_refund(request.key)
        db.session.commit()
        if status == RefundStatus.FAILED:
            raise PaymentError(f"refused: {request.refunds[0].last_error or ''}")
    for row in request.refunds:
        db.session.refresh(row)
    return request.refunds
