"""The back-in-stock e-mails: the confirmation (double opt-in), queued with the
request, and the alert, queued in the transaction that marks the alert sent."""

from datetime import date

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


def confirm_url(token: str) -> str:
    return f"{_base()}/stock-alerts/confirm/{token}"


def confirm_days() -> int:
    return max(1, current_app.config["STOCK_ALERT_CONFIRM_MAX_AGE"] // 86400)


def confirm_stock_alert(email: str, token: str, product: Product, today: date) -> None:
    """The double opt-in e-mail. One per address, product and day (the outbox key):
    a form posted again and again cannot flood someone else's inbox."""
    with force_locale("vi"):
        body = "\n".join(
            [
                _("Xin chào,"),
                "",
                _(
                    "Chúng tôi nhận được yêu cầu báo cho địa chỉ này khi “%(name)s” "
                    "có hàng trở lại trên Chợ OCOP.",
                    name=product.name,
                ),
                _(
                    "Mở liên kết sau và bấm “Xác nhận” (trong %(days)s ngày): %(url)s",
                    days=confirm_days(),
                    url=confirm_url(token),
                ),
                "",
                _(
                    "Không phải bạn yêu cầu? Hãy bỏ qua email này: chưa xác nhận thì "
                    "chúng tôi không gửi gì và không lưu địa chỉ của bạn."
                ),
            ]
        )
        send_mail(
            email,
            _("Xác nhận báo khi có hàng: %(name)s", name=product.name),
            body,
            key=f"stock-alert-confirm:{product.id}:{today.isoformat()}",
        )


def back_in_stock(alert_id: int, email: str, token: str, product: Product) -> None:
    """One e-mail per alert: the key names the alert, so a repeat queues nothing.
    Its unsubscribe link is in the text and in the List-Unsubscribe header (one
    click in the mail client, RFC 8058)."""
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
            headers={
                "List-Unsubscribe": f"<{unsubscribe_url(token)}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )
