"""Building applications for the rating tests."""

from shop.extensions import db
from shop.rating import services
from shop.rating.models import DocumentKind, RatingApplication
from shop.uploads import store_bytes

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def points_for(sheet, total):
    """Points on ``sheet`` adding up to ``total``, every mandatory criterion passed
    (C3, the food safety certificate, filled first)."""
    criteria = sorted(sheet.criteria, key=lambda c: (not c.mandatory, c.part, c.position))
    points = {c.code: c.min_points if c.mandatory else 0 for c in criteria}
    left = total - sum(points.values())
    assert left >= 0
    for c in criteria:
        extra = min(c.max_points - points[c.code], left)
        points[c.code] += extra
        left -= extra
    assert left == 0, "total out of reach"
    return points


def draft_application(product, today, user=None) -> RatingApplication:
    producer = product.producer
    user = user or producer.members[0].user
    application = services.start_application(producer, product, user, today)
    db.session.commit()
    return application


def fill_dossier(application, user=None):
    user = user or application.producer.members[0].user
    for kind in DocumentKind:
        if kind.required:
            stored = store_bytes(PDF, "rating", "application/pdf")
            services.add_document(application, user, kind, stored, f"{kind.value}.pdf", len(PDF))
    db.session.commit()


def submitted_application(product, today, self_total=80) -> RatingApplication:
    application = draft_application(product, today)
    user = application.producer.members[0].user
    services.save_self_assessment(application, user, points_for(application.sheet, self_total))
    fill_dossier(application, user)
    services.submit_application(application, user, today)
    db.session.commit()
    return application
