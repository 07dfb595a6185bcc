"""The back-in-stock e-mail, queued in the transaction that marks the alert sent."""

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from shop.catalog.models import Product
from shop.mail import send_mail
from shop.money import format_vnd


def _base() -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/")


def unsubscribe_url(token: str) -> str:
    return f"{_base()}/stock-alerts/{token}/unsubscribe"


def back_in_stock(alert_id: int, email: str, token: str, product: Product) -> None:
    """One e-mail per alert: the key names the alert, so a repeat queues nothing."""
    with force_locale("vi"):
        body = "\n".join(
            [
                _("Xin chào,"),
                "",
                _("“%(name)s” đã có hàng trở lại trên Chợ OCOP.", name=product.name),
                _("Giá: %(price)s", price=format_vnd(product.price_vnd)),
                _("Xem và đặt mua: %(url)s", url=f"{_base()}/products/{product.slug}"),
                "",
                _("Bạn nhận email này vì đã đăng ký báo khi có hàng; chúng tôi chỉ báo một lần."),
                _("Huỷ đăng ký và xoá địa chỉ của bạn: %(url)s", url=unsubscribe_url(token)),
            ]
        )
        send_mail(
            email,
            _("Đã có hàng: %(name)s", name=product.name),
            body,
            key=f"stock-alert:{alert_id}",
        )
