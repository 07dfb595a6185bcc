"""A producer owner's webhook endpoints and their deliveries. Only owners: the
pages hold the signing secrets and the buyers' addresses every event carries;
another producer's endpoint or delivery is a 404.

GET  /producer/webhooks                              endpoints, the add form, recent deliveries
POST /producer/webhooks                              add an endpoint (its secret shown once)
GET  /producer/webhooks/<id>                         one endpoint: edit form, its deliveries
POST /producer/webhooks/<id>                         save it (address, events, on/off)
POST /producer/webhooks/<id>/rotate                  a new secret (shown once)
POST /producer/webhooks/<id>/delete                  delete it and its deliveries
GET  /producer/webhooks/deliveries/<id>              one delivery: status, attempts, answer
POST /producer/webhooks/deliveries/<id>/resend       send it again
"""

from functools import wraps

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop.extensions import db
from shop.pagination import paginate
from shop.producers.access import own_or_404, producer_required
from shop.producers.models import MemberRole
from shop.producers.services import membership_of
from shop.webhooks import services
from shop.webhooks.forms import EndpointForm
from shop.webhooks.models import WebhookDelivery, WebhookEndpoint
from shop.webhooks.signing import SIGNATURE_HEADER

bp = Blueprint("webhooks_producer", __name__, url_prefix="/producer/webhooks")

PER_PAGE = 50


def owner_required(view):
    """A producer's owner; its other members get a 403."""

    @wraps(view)
    @producer_required
    def wrapper(*args, **kwargs):
        member = membership_of(current_user)
        if member is None or member.role != MemberRole.OWNER:
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def _actor():
    return current_user._get_current_object()


def _index(form: EndpointForm, status: int = 200):
    endpoints = db.session.scalars(services.endpoints_of(g.producer.id)).all()
    pager = paginate(services.deliveries_of(g.producer.id), PER_PAGE)
    return render_template(
        "webhooks/producer_index.html",
        endpoints=endpoints,
        form=form,
        deliveries=pager.items,
        pages=pager,
        signature_header=SIGNATURE_HEADER,
    ), status


@bp.get("")
@owner_required
def index():
    return _index(EndpointForm(formdata=None, events=[]))


@bp.post("")
@owner_required
def create():
    form = EndpointForm()
    if not form.validate_on_submit():
        return _index(form, 400)
    try:
        endpoint, secret = services.create_endpoint(
            g.producer,
            _actor(),
            url=form.url.data,
            events=form.events.data,
            description=form.description.data or "",
        )
    except services.WebhookError as exc:
        db.session.rollback()
        form.url.errors = [exc.message]
        return _index(form, 400)
    db.session.commit()
    # Shown on this answer only (no redirect, nothing in the session): never again.
    return render_template(
        "webhooks/producer_secret.html", endpoint=endpoint, secret=secret, created=True
    )


def _endpoint_page(endpoint: WebhookEndpoint, form: EndpointForm, status: int = 200):
    pager = paginate(services.deliveries_of(g.producer.id, endpoint.id), PER_PAGE)
    return render_template(
        "webhooks/producer_endpoint.html",
        endpoint=endpoint,
        form=form,
        deliveries=pager.items,
        pages=pager,
    ), status


@bp.get("/<int:endpoint_id>")
@owner_required
def endpoint_detail(endpoint_id: int):
    endpoint = own_or_404(WebhookEndpoint, endpoint_id)
    form = EndpointForm(
        formdata=None,
        url=endpoint.url,
        description=endpoint.description,
        events=list(endpoint.events or []),
        enabled=endpoint.enabled,
    )
    return _endpoint_page(endpoint, form)


@bp.post("/<int:endpoint_id>")
@owner_required
def update(endpoint_id: int):
    endpoint = own_or_404(WebhookEndpoint, endpoint_id)
    form = EndpointForm()
    if not form.validate_on_submit():
        return _endpoint_page(endpoint, form, 400)
    services.update_endpoint(
        endpoint,
        _actor(),
        url=form.url.data,
        events=form.events.data,
        description=form.description.data or "",
        enabled=form.enabled.data,
    )
    db.session.commit()
    flash(_("Đã lưu điểm nhận webhook."), "success")
    return redirect(url_for(".endpoint_detail", endpoint_id=endpoint_id), 303)


@bp.post("/<int:endpoint_id>/rotate")
@owner_required
def rotate(endpoint_id: int):
    endpoint = own_or_404(WebhookEndpoint, endpoint_id)
    secret = services.rotate_secret(endpoint, _actor())
    db.session.commit()
    return render_template(
        "webhooks/producer_secret.html", endpoint=endpoint, secret=secret, created=False
    )


@bp.post("/<int:endpoint_id>/delete")
@owner_required
def delete(endpoint_id: int):
    endpoint = own_or_404(WebhookEndpoint, endpoint_id)
    services.delete_endpoint(endpoint, _actor())
    db.session.commit()
    flash(_("Đã xoá điểm nhận webhook."), "success")
    return redirect(url_for(".index"), 303)


@bp.get("/deliveries/<int:delivery_id>")
@owner_required
def delivery_detail(delivery_id: int):
    delivery = own_or_404(WebhookDelivery, delivery_id)
    return render_template("webhooks/producer_delivery.html", delivery=delivery)


@bp.post("/deliveries/<int:delivery_id>/resend")
@owner_required
def resend(delivery_id: int):
    delivery = own_or_404(WebhookDelivery, delivery_id)
    try:
        services.resend(delivery, _actor())
    except services.WebhookError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for(".delivery_detail", delivery_id=delivery_id), 303)
    db.session.commit()  # sent after the commit (by the worker, or right here without one)
    flash(_("Đã gửi lại sự kiện."), "success")
    return redirect(url_for(".delivery_detail", delivery_id=delivery_id), 303)
