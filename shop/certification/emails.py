"""E-mails to producers about staff decisions on their certificates, queued in the
transaction of the decision and sent after its commit."""

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from shop.certification.models import Certificate
from shop.clock import local_date
from shop.i18n import format_date_vn
from shop.mail import send_mail


def _link(path: str) -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path


def certificate_reviewed(certificate: Certificate, outcome: str, reason: str | None = None) -> None:
    """``outcome``: "verified", "rejected" or "revoked"."""
    product = certificate.product
    producer = product.producer
    with force_locale("vi"):
        names = {"product": product.name, "number": certificate.decision_number}
        if outcome == "verified":
            subject = _("Chứng nhận OCOP của “%(product)s” đã được xác minh", **names)
            first = _(
                "Chứng nhận %(number)s (%(stars)s sao) của “%(product)s” đã được xác minh.",
                stars=certificate.star_rank,
                **names,
            )
        elif outcome == "rejected":
            subject = _("Chứng nhận OCOP của “%(product)s” bị từ chối", **names)
            first = _("Chứng nhận %(number)s của “%(product)s” bị từ chối.", **names)
        else:
            subject = _("Chứng nhận OCOP của “%(product)s” đã bị thu hồi", **names)
            first = _(
                "Chứng nhận %(number)s của “%(product)s” đã bị thu hồi: sản phẩm không còn "
                "được bán như sản phẩm OCOP và không in được nhãn.",
                **names,
            )
        lines = [first]
        if outcome == "verified":
            lines.append(
                _(
                    "Hiệu lực đến hết ngày %(day)s.",
                    day=format_date_vn(certificate.valid_through),
                )
            )
        elif outcome == "revoked" and certificate.revoked_at:
            # The day in Vietnam: 01:30 on the 29th there is still the 28th in UTC.
            day = format_date_vn(local_date(certificate.revoked_at))
            lines.append(_("Ngày thu hồi: %(day)s.", day=day))
        if reason:
            lines.append(_("Lý do: %(reason)s", reason=reason))
        lines += ["", _("Xem chứng nhận: %(url)s", url=_link("/producer/certificates"))]
        # Each outcome happens to a certificate at most once.
        send_mail(
            producer.email, subject, "\n".join(lines), key=f"certificate-{outcome}:{certificate.id}"
        )
