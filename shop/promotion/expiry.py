"""The daily expiry watch: remind each producer to apply for re-rating 90, 60, 30
and 7 days before a certificate's last valid day (each reminder once), and send
staff a summary. Statuses are never changed here: they follow from dates."""

import hashlib
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import case, select
from sqlalchemy.exc import IntegrityError

from shop.auth.models import Role, User
from shop.certification.models import Certificate
from shop.certification.rules import REMINDER_DAYS
from shop.clock import utcnow
from shop.extensions import db
from shop.i18n import format_date_vn
from shop.mail import send_mail
from shop.promotion.models import ExpiryNotice


def _reminder_threshold(today: date):
    """``rules.reminder_due`` in SQL: the smallest threshold not below the days left."""
    smaller_first = sorted(REMINDER_DAYS)
    return case(
        *((Certificate.valid_through <= today + timedelta(days=t), t) for t in smaller_first[:-1]),
        else_=smaller_first[-1],
    )


def due_reminders(today: date) -> list[tuple[Certificate, int]]:
    """Valid certificates within ``max(REMINDER_DAYS)`` days of their last valid day
    whose reminder for that distance has not gone yet, with its threshold. A run that
    missed a day sends only the reminder due now, not the ones before it."""
    threshold = _reminder_threshold(today)
    sent = (
        select(ExpiryNotice.id)
        .where(
            ExpiryNotice.certificate_id == Certificate.id,
            ExpiryNotice.threshold_days == threshold,
        )
        .exists()
    )
    rows = db.session.execute(
        select(Certificate, threshold)
        .where(
            Certificate.valid_on(today),
            Certificate.valid_through <= today + timedelta(days=max(REMINDER_DAYS)),
            ~sent,
        )
        .order_by(Certificate.valid_through, Certificate.id)
    ).all()
    return [(certificate, int(t)) for certificate, t in rows]


def claim_notice(certificate: Certificate, threshold: int) -> ExpiryNotice | None:
    """Claim the right to send this notice; None when another run already has it."""
    try:
        with db.session.begin_nested():
            notice = ExpiryNotice(certificate_id=certificate.id, threshold_days=threshold)
            db.session.add(notice)
    except IntegrityError:
        return None
    return notice


def notify_producer(certificate: Certificate, threshold: int, today: date) -> None:
    product = certificate.product
    producer = product.producer
    recipients = {producer.email, *(m.user.email for m in producer.members)}
    # Built by hand: the command runs from cron, outside any request.
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    link = f"{base}/verify/{certificate.verification_code}"
    rerate = f"{base}/producer/rating/new?product={product.id}"
    left = certificate.days_left(today)
    body = (
        f"Kính gửi {producer.legal_name},\n\n"
        f'Chứng nhận OCOP {certificate.star_rank} sao của sản phẩm "{product.name}" '
        f"(quyết định {certificate.decision_number}) có hiệu lực đến hết ngày "
        f"{format_date_vn(certificate.valid_through)}"
        + (f", còn {left} ngày.\n" if left else ": hôm nay là ngày cuối.\n")
        + "Để sản phẩm tiếp tục được bán là sản phẩm OCOP, hãy đăng ký đánh giá lại và gửi "
        "quyết định mới trên Chợ OCOP trước ngày đó.\n\n"
        f"Đăng ký đánh giá lại (hồ sơ lần trước được chép sẵn): {rerate}\n"
        f"Kiểm tra chứng nhận: {link}\n"
    )
    for email in sorted(recipients):
        send_mail(
            email,
            f"Chứng nhận OCOP sắp hết hạn: {product.name} (còn {left} ngày)",
            body,
            # One e-mail per certificate and threshold, whatever runs again.
            key=f"certificate-expiring:{certificate.id}:{threshold}",
        )


def staff_summary(notified: list[Certificate], today: date) -> None:
    if not notified:
        return
    lines = [
        f"- {c.product.name} ({c.product.producer.legal_name}, "
        f"{c.product.producer.province.name}): hiệu lực đến hết ngày "
        f"{format_date_vn(c.valid_through)} (còn {c.days_left(today)} ngày)"
        for c in notified
    ]
    body = (
        f"Ngày {format_date_vn(today)}: {len(notified)} chứng nhận OCOP sắp hết hiệu lực "
        "và chủ thể đã được nhắc đánh giá lại:\n\n" + "\n".join(lines) + "\n"
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
    for certificate, threshold in due_reminders(today):
        notice = claim_notice(certificate, threshold)
        if notice is None:
            continue
        notify_producer(certificate, threshold, today)
        notice.sent_at = utcnow()
        db.session.commit()
        notified.append(certificate)
    staff_summary(notified, today)
    db.session.commit()
    return notified
