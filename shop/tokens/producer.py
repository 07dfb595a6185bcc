"""The producer's API tokens page: an owner creates, names, scopes and revokes
tokens; members see the list. A new token's secret is shown once, on the answer
to the form (never in a flash message: the session cookie is signed, not secret)."""

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from shop.audit.models import AuditEntry
from shop.clock import utcnow
from shop.extensions import db
from shop.producers.access import own_or_404, producer_required
from shop.producers.models import ProducerMember
from shop.producers.services import membership_of
from shop.tokens import services
from shop.tokens.exceptions import AlreadyRevoked
from shop.tokens.forms import TokenForm
from shop.tokens.models import ApiToken

bp = Blueprint("tokens", __name__, url_prefix="/producer/api-tokens")

RECENT_CALLS = 30


def _recent_calls(tokens: list[ApiToken]) -> list[tuple[AuditEntry, ApiToken]]:
    """The latest API calls of this producer's tokens, from the audit log."""
    by_id = {str(t.id): t for t in tokens}
    if not by_id:
        return []
    entries = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.action.startswith("api."))
        .where(AuditEntry.actor_id.in_({t.created_by_id for t in tokens}))
        .order_by(AuditEntry.id.desc())
        .limit(RECENT_CALLS * 4)
    )
    mine = [(e, by_id.get(str(e.data.get("token_id")))) for e in entries]
    return [(e, t) for e, t in mine if t is not None][:RECENT_CALLS]


def _me() -> ProducerMember:
    """The signed-in member (producer_required made sure there is one)."""
    me = membership_of(current_user)
    if me is None:
        abort(403)
    return me


def _page(form: TokenForm, secret: str | None = None, created: ApiToken | None = None):
    me = _me()
    tokens = list(db.session.scalars(services.tokens_of(g.producer)))
    response = render_template(
        "tokens/producer.html",
        form=form,
        tokens=tokens,
        me=me,
        now=utcnow(),
        secret=secret,
        created=created,
        calls=_recent_calls(tokens) if me.is_owner else [],
    )
    return response


@bp.route("", methods=["GET", "POST"])
@producer_required
def index():
    form = TokenForm()
    if form.is_submitted():
        if not _me().is_owner:
            abort(403)
        if form.validate():
            token, secret = services.create_token(
                g.producer,
                current_user._get_current_object(),
                form.name.data,
                form.scopes.data,
                utcnow(),
                form.lifetime_days,
            )
            db.session.commit()
            # The one time the secret is shown; the page must stay out of every cache.
            return (
                _page(TokenForm(formdata=None), secret, token),
                200,
                {"Cache-Control": "no-store"},
            )
        return _page(form), 400
    return _page(form)


@bp.post("/<int:token_id>/revoke")
@producer_required
def revoke(token_id: int):
    token = own_or_404(ApiToken, token_id)
    if not _me().is_owner:
        abort(403)
    try:
        services.revoke_token(token, current_user._get_current_object(), utcnow())
    except AlreadyRevoked:
        db.session.rollback()
        flash(_("Khoá này đã bị thu hồi trước đó."), "info")
        return redirect(url_for("tokens.index"), 303)
    db.session.commit()
    flash(
        _(
            "Đã thu hồi khoá %(name)s. Mọi lệnh gọi bằng khoá này từ nay bị từ chối.",
            name=token.name,
        ),
        "success",
    )
    return redirect(url_for("tokens.index"), 303)
