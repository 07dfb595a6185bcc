"""The e-mails of reviews, queued in the transaction that makes the change and sent
after its commit (shop/mail.py, the outbox); each is keyed by its event."""

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from shop.mail import send_mail
from shop.producers.models import Producer
from shop.reviews.models import Review


def _base() -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/")


def review_received(review: Review) -> None:
    """Tell the producer a buyer reviewed one of its products."""
    from shop.extensions import db

    producer = db.session.get(Producer, review.producer_id)
    if producer is None or not producer.email:
        return
    line = review.order_line
    with force_locale("vi"):
        body = "\n".join(
            [
                _(
                    "%(name)s vừa đánh giá %(product)s: %(rating)s/5 sao.",
                    name=review.author_name,
                    product=line.product_name,
                    rating=review.rating,
                ),
                "",
                review.body,
                "",
                _("Trả lời đánh giá: %(url)s", url=f"{_base()}/producer/reviews"),
            ]
        )
        send_mail(
            producer.email,
            _("Đánh giá mới cho %(product)s", product=line.product_name),
            body,
            key=f"review-received:{review.id}",
        )


def reply_posted(review: Review) -> None:
    """Tell the buyer the producer answered their review (when the order has an e-mail)."""
    order = review.order_line.order
    if not order.email:
        return
    line = review.order_line
    with force_locale("vi"):
        body = "\n".join(
            [
                _("Xin chào %(name)s,", name=order.customer_name),
                "",
                _(
                    "Nhà sản xuất đã trả lời đánh giá của bạn về %(product)s:",
                    product=line.product_name,
                ),
                "",
                review.reply_body or "",
                "",
                _(
                    "Xem đơn hàng: %(url)s",
                    url=f"{_base()}/orders/{order.number}?key={order.access_key}",
                ),
            ]
        )
        send_mail(
            order.email,
            _("Trả lời đánh giá %(product)s", product=line.product_name),
            body,
            key=f"review-replied:{review.id}",
        )
