"""The e-mails of producer membership. Queued in the transaction that makes the
change, sent after its commit."""

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from shop.auth.services import find_user_by_email
from shop.i18n import format_datetime_vn
from shop.mail import send_mail
from shop.producers.models import Producer, ProducerInvitation


def _link(endpoint: str, **values) -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url_for(endpoint, **values)


def invitation(invitation: ProducerInvitation, token: str) -> None:
    """The link to accept or decline; an address without an account is asked to
    register first (only its holder reads this, so it may say so)."""
    accept_url = _link("producers.invitation", token=token)
    has_account = find_user_by_email(invitation.email) is not None
    with force_locale("vi"):
        lines = [
            _("Xin chào,"),
            "",
            _(
                "%(name)s mời bạn làm thành viên của %(producer)s trên Chợ OCOP: "
                "thành viên quản lý sản phẩm, chứng nhận OCOP và đơn hàng của chủ thể.",
                name=invitation.invited_by.full_name,
                producer=invitation.producer.legal_name,
            ),
            "",
        ]
        if not has_account:
            register_url = _link("auth.register", next=url_for("producers.invitation", token=token))
            lines += [
                _(
                    "Địa chỉ %(email)s chưa có tài khoản Chợ OCOP. Trước hết, hãy đăng ký "
                    "bằng chính địa chỉ này: %(url)s",
                    email=invitation.email,
                    url=register_url,
                ),
                _("Sau đó đăng nhập và mở liên kết dưới đây để chấp nhận lời mời."),
                "",
            ]
        lines += [
            _(
                "Chấp nhận hoặc từ chối lời mời (hiệu lực đến %(until)s): %(url)s",
                until=format_datetime_vn(invitation.expires_at),
                url=accept_url,
            ),
            "",
            _(
                "Bạn chỉ trở thành thành viên khi tự bấm chấp nhận. Nếu không biết người "
                "gửi, hãy bỏ qua thư này."
            ),
        ]
        # A renewed invitation has a new link, so a new e-mail.
        send_mail(
            invitation.email,
            _("Lời mời tham gia %(producer)s", producer=invitation.producer.legal_name),
            "\n".join(lines),
            key=f"producer-invitation:{invitation.id}:{invitation.token_hash[:16]}",
        )


def producer_reviewed(producer: Producer, approved: bool, reason: str | None = None) -> None:
    with force_locale("vi"):
        if approved:
            subject = _("Chủ thể %(name)s đã được xác minh", name=producer.legal_name)
            lines = [
                _(
                    "Cán bộ xúc tiến thương mại đã xác minh chủ thể %(name)s.",
                    name=producer.legal_name,
                ),
                _("Sản phẩm có chứng nhận OCOP còn hiệu lực nay có thể được bán."),
            ]
        else:
            subject = _("Hồ sơ chủ thể %(name)s bị từ chối", name=producer.legal_name)
            lines = [
                _(
                    "Cán bộ xúc tiến thương mại đã từ chối hồ sơ chủ thể %(name)s.",
                    name=producer.legal_name,
                ),
                _("Lý do: %(reason)s", reason=reason or ""),
                _("Hãy sửa hồ sơ rồi gửi lại."),
            ]
        profile_url = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + "/producer/profile"
        lines += ["", _("Xem hồ sơ: %(url)s", url=profile_url)]
        # A producer may be rejected, fix its profile and be reviewed again.
        decided = producer.reviewed_at.isoformat() if producer.reviewed_at else ""
        outcome = "verified" if approved else "rejected"
        send_mail(
            producer.email,
            subject,
            "\n".join(lines),
            key=f"producer-{outcome}:{producer.id}:{decided}",
        )
