"""The public campaign pages (/campaigns/<slug>): open only between their dates, each
product shown by the listing rule."""

from flask import Blueprint, abort, render_template
from sqlalchemy import select

from shop.clock import today_vn
from shop.core.edge import cacheable
from shop.extensions import db
from shop.promotion.campaigns import campaign_cards
from shop.promotion.models import Campaign

bp = Blueprint("campaigns", __name__)


@bp.get("/campaigns/<slug>")
@cacheable
def campaign(slug: str):
    today = today_vn()
    item = db.session.scalar(select(Campaign).where(Campaign.slug == slug))
    if item is None or not item.is_running(today):
        abort(404)  # outside its dates a campaign is not public
    return render_template(
        "promotion/campaign_public.html", campaign=item, items=campaign_cards(item, today)
    )
