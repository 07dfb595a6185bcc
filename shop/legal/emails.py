"""The e-mails of a complaint, queued in the caller's transaction, sent after its commit."""

from datetime import datetime

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from shop.i18n import format_date_vn
from shop.legal.models import Complaint
from shop.mail import send_mail


def status_url(complaint: Complaint, key: str) -> str:
    """The tracking link; built by hand, so that it works outside a request too."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return f"{base}/complaints/{complaint.id}?key={key}"


def complaint_received(complaint: Complaint, key: str) -> None:
    with force_locale("vi"):
        body = "\n".join(
            [
                _("Xin chào %(name)s,", name=complaint.name),
                "",
                _(
                    "Chợ OCOP đã nhận khiếu nại của bạn, mã %(reference)s.",
                    reference=complaint.reference,
                ),
                _(
                    "Chúng tôi sẽ trả lời chậm nhất vào ngày %(date)s.",
                    date=format_date_vn(complaint.due_on),
                ),
                _(
                    "Theo dõi khiếu nại tại: %(url)s",
                    url=status_url(complaint, key),
                ),
                "",
                _("Nội dung bạn gửi:"),
                complaint.text,
            ]
        )
        send_mail(
            complaint.email,
            _("Đã nhận khiếu nại %(reference)s", reference=complaint.reference),
            body,
            key=f"complaint-received:{complaint.id}",
        )


def complaint_answered(complaint: Complaint, now: datetime) -> None:
    with force_locale("vi"):
        body = "\n".join(
            [
                _("Xin chào %(name)s,", name=complaint.name),
                "",
                _(
                    "Chợ OCOP trả lời khiếu nại %(reference)s của bạn:",
                    reference=complaint.reference,
                ),
                "",
                complaint.answer or "",
                "",
                _(
                    "Nếu bạn chưa đồng ý, hãy trả lời thư này hoặc liên hệ %(contact)s.",
                    contact=current_app.config["OPERATOR_EMAIL"],
                ),
            ]
        )
        # Each answer is an event of its own: a follow-up answer is a new e-mail.
        send_mail(
            complaint.email,
            _("Trả lời khiếu nại %(reference)s", reference=complaint.reference),
            body,
            key=f"complaint-answered:{complaint.id}:{now.isoformat()}",
        )
