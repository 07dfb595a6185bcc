"""E-mails to the applicant at each staff decision on an application (a stage moved,
the final decision), queued in the decision's transaction and sent after its commit."""

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from shop.i18n import format_date_vn
from shop.mail import send_mail
from shop.rating.models import RatingApplication


def _link(application: RatingApplication) -> str:
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return f"{base}/producer/rating/{application.id}"


def _recipients(application: RatingApplication) -> list[str]:
    people = {application.producer.email}
    if application.created_by is not None:
        people.add(application.created_by.email)
    return sorted(people)


def _send(application: RatingApplication, subject: str, lines: list[str], key: str) -> None:
    lines = [*lines, "", _("Xem hồ sơ: %(url)s", url=_link(application))]
    for email in _recipients(application):
        send_mail(email, subject, "\n".join(lines), key=key)


def stage_changed(application: RatingApplication, reason: str | None = None) -> None:
    stage = application.stage
    if stage is None:
        return
    with force_locale("vi"):
        product = application.product.name
        subject = _(
            "Hồ sơ đánh giá OCOP “%(product)s”: %(stage)s", product=product, stage=stage.name
        )
        lines = [
            _(
                "Hồ sơ đánh giá, phân hạng sản phẩm “%(product)s” đã chuyển sang bước: %(stage)s.",
                product=product,
                stage=stage.name,
            )
        ]
        if reason:
            lines.append(_("Ghi chú của cán bộ: %(reason)s", reason=reason))
        # Each stage is entered once per application (a dossier sent back and
        # completed again is not told twice: the key is the same).
        _send(application, subject, lines, key=f"rating-stage:{application.id}:{stage.id}")


def decided(application: RatingApplication) -> None:
    with force_locale("vi"):
        product = application.product.name
        certificate = application.result_certificate
        if certificate is not None:
            subject = _(
                "“%(product)s” được công nhận sản phẩm OCOP %(stars)s sao",
                product=product,
                stars=certificate.star_rank,
            )
            lines = [
                _(
                    "Sản phẩm “%(product)s” đạt %(score)s điểm và được công nhận %(stars)s sao "
                    "theo quyết định %(number)s ngày %(day)s.",
                    product=product,
                    score=application.decided_score,
                    stars=certificate.star_rank,
                    number=certificate.decision_number,
                    day=format_date_vn(certificate.decision_date),
                ),
                _(
                    "Chứng nhận có hiệu lực đến hết ngày %(day)s.",
                    day=format_date_vn(certificate.valid_through),
                ),
            ]
            if application.certificate is not None:
                lines.append(
                    _(
                        "Chứng nhận cũ %(number)s được thay thế từ ngày quyết định.",
                        number=application.certificate.decision_number,
                    )
                )
        else:
            subject = _("“%(product)s” chưa đạt hạng sao OCOP", product=product)
            lines = [
                _(
                    "Sản phẩm “%(product)s” đạt %(score)s điểm, chưa đủ điều kiện công nhận "
                    "sản phẩm OCOP (từ 3 sao, không trượt tiêu chí bắt buộc nào).",
                    product=product,
                    score=application.decided_score,
                )
            ]
        if application.decision_note:
            lines.append(_("Ghi chú của hội đồng: %(note)s", note=application.decision_note))
        _send(application, subject, lines, key=f"rating-decided:{application.id}")
