"""The daily expiry watch: tell each producer once when a certificate enters its
last 30 days, and send staff a summary. Statuses are never changed here: they
follow from dates."""

import hashlib
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from shop.auth.models import Role, User
from shop.certification.models import Certificate
from shop.certification.register import status_condition
from shop.certification.rules import EXPIRY_WARNING_DAYS, CertificateStatus
from shop.clock import utcnow
from shop.extensions import db
from shop.i18n import format_date_vn
from shop.mail import send_mail
from shop.promotion.models import ExpiryNotice


def due_notices(today: date, threshold: int = EXPIRY_WARNING_DAYS) -> list[Certificate]:
    """Current certificates within ``threshold`` days of expiry with no notice yet."""
    noticed = select(ExpiryNotice.certificate_id).where(ExpiryNotice.threshold_days == threshold)
    return list(
        db.session.scalars(
            select(Certificate)
            .where(
                status_condition(CertificateStatus.EXPIRING, today),
                Certificate.expires_on <= today + timedelta(days=threshold),
                Certificate.id.not_in(noticed),
            )
            .order_by(Certificate.expires_on, Certificate.id)
        )
    )


def claim_notice(certificate: Certificate, threshold: int) -> ExpiryNotice | None:
    """Claim the right to send this notice; None when another run already has it."""
    try:
        with db.session.begin_nested():
            notice = ExpiryNotice(certificate_id=certificate.id, threshold_days=threshold)
            db.session.add(notice)
    except IntegrityError:
        return None
    return notice


def notify_producer(certificate: Certificate) -> None:
    product = certificate.product
    producer = product.producer
    recipients = {producer.email, *(m.user.email for m in producer.members)}
    # Built by hand: the command runs from cron, outside any request.
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    link = f"{base}/verify/{certificate.verification_code}"
    body = (
        f"Kính gửi {producer.legal_name},\n\n"
        f'Chứng nhận OCOP {certificate.star_rank} sao của sản phẩm "{product.name}" '
        f"(quyết định {certificate.decision_number}) chỉ còn hiệu lực đến hết ngày "
        f"{format_date_vn(certificate.valid_until)}.\n"
        "Để sản phẩm tiếp tục được bán là sản phẩm OCOP, hãy đăng ký đánh giá lại và gửi "
        "quyết định mới trên Chợ OCOP trước ngày đó.\n\n"
        f"Kiểm tra chứng nhận: {link}\n"
    )
    for email in sorted(recipients):
        send_mail(
            email,
            f"Chứng nhận OCOP sắp hết hạn: {product.name}",
            body,
            key=f"certificate-expiring:{certificate.id}:{EXPIRY_WARNING_DAYS}",
        )


def staff_summary(notified: list[Certificate], today: date) -> None:
    if not notified:
        return
    lines = [
        f"- {c.product.name} ({c.product.producer.legal_name}, "
        f"{c.product.producer.province.name}): hết hiệu lực sau {format_date_vn(c.valid_until)}"
        for c in notified
    ]
    body = (
        f"Ngày {format_date_vn(today)}: {len(notified)} chứng nhận OCOP vừa vào 30 ngày cuối "
        "và chủ thể đã được báo:\n\n" + "\n".join(lines) + "\n"
    )
    staff = db.session.scalars(
        select(User).where(User.role.in_([Role.STAFF, Role.ADMIN]), User.is_active_account)
    )
    # One summary per set of notices: a second run the same day tells of new ones only.
    ids = ",".join(str(c.id) for c in sorted(notified, key=lambda c: c.id))
    key = f"expiry-summary:{today.isoformat()}:{hashlib.sha256(ids.encode()).hexdigest()[:16]}"
    for user in staff:
        send_mail(user.email, "Tổng hợp chứng nhận OCOP sắp hết hạn", body, key=key)


def run_daily(today: date) -> list[Certificate]:
    """Claim each notice and queue its e-mails in one transaction: a notice is
    sent at most once, whatever runs alongside, and the e-mails go out after
    the commit (``sent_at`` is when they were handed to the outbox).

    This is a command's use case, so it owns its transactions: one commit per claim.
    """
    notified = []
    for certificate in due_notices(today):
        notice = claim_notice(certificate, EXPIRY_WARNING_DAYS)
        if notice is None:
            continue
        notify_producer(certificate)
        notice.sent_at = utcnow()
        db.session.commit()
        notified.append(certificate)
    staff_summary(notified, today)
    db.session.commit()
    return notified
