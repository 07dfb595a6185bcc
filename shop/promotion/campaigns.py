"""Featured campaigns. Only products listed with a valid 3★+ certificate can be added
(checked here, not only in a form), and a product whose certificate expires or is
revoked drops out of every campaign page by itself: pages apply the listing rule.

A campaign is advertising: spirits of 15 % ABV or more are never added and never
shown (Law 44/2019, shop/catalog/alcohol.py), though the catalogue still lists them."""

from datetime import date

from sqlalchemy import Select, select

from shop.audit import services as audit
from shop.auth.models import User
from shop.catalog import search
from shop.catalog.alcohol import advertisable
from shop.catalog.models import Product
from shop.certification.models import Certificate
from shop.certification.queries import Card, cards, listed
from shop.extensions import db
from shop.promotion.models import Campaign, CampaignItem
from shop.slugs import unique_slug


class CampaignError(Exception):
    pass


class NotFeaturable(CampaignError):
    """The product is not listed with a valid 3★-or-more certificate today."""


class AdvertisingBanned(CampaignError):
    """Spirits of 15 % ABV or more may not be advertised (Law 44/2019)."""


class DatesOutOfOrder(CampaignError):
    """The campaign would end before it starts."""


SEARCH_LIMIT = 20
MIN_QUERY = 2  # folded characters before a search runs (a typeahead's first key is noise)


def featurable(today: date) -> Select:
    """(Product, Certificate) of every product staff may feature today: listed, with
    a valid certificate of 3★ or more, and advertisable (no spirits of 15 %+)."""
    return listed(today).where(Certificate.star_rank >= 3, advertisable())


def find_featurable(q: str, today: date, dialect: str, limit: int = SEARCH_LIMIT) -> list[Card]:
    """Featurable products whose name, producer or place matches ``q`` with or
    without diacritics (the catalogue's own search: "che shan" finds "Chè Shan
    Tuyết"), names that match first. An empty or one-letter query finds nothing."""
    terms = search.query_terms(q)
    if not terms or sum(len(t.text) for t in terms) < MIN_QUERY:
        return []
    query = (
        featurable(today)
        .where(search.matches(dialect, terms))
        .order_by(
            search.name_hits(terms).desc(),
            *search.relevance(q),
            Product.name,
            Product.id,
        )
        .limit(limit)
    )
    return cards(query)


def _locked(campaign: Campaign) -> Campaign:
    """Take the campaign's row lock (PostgreSQL; SQLite writes one at a time anyway) and
    read its items afresh: two staff reordering or adding at once then take turns, and
    positions stay 0..n-1 without gaps or twins."""
    db.session.execute(
        select(Campaign.id).where(Campaign.id == campaign.id).with_for_update()
    ).all()
    db.session.refresh(campaign, ["items"])
    return campaign


def create_campaign(
    staff: User,
    *,
    title: str,
    description: str,
    starts_on: date,
    ends_on: date,
    banner_path: str | None = None,
) -> Campaign:
    if ends_on < starts_on:
        raise DatesOutOfOrder()
    campaign = Campaign(
        slug=unique_slug(Campaign, title),
        title=title,
        description=description,
        starts_on=starts_on,
        ends_on=ends_on,
        banner_path=banner_path,
        created_by_id=staff.id,
    )
    db.session.add(campaign)
    db.session.flush()
    audit.record(staff, "campaign.create", campaign)
    return campaign


def update_campaign(
    campaign: Campaign,
    staff: User,
    *,
    title: str,
    description: str,
    starts_on: date,
    ends_on: date,
    banner_path: str | None = None,
    remove_banner: bool = False,
) -> Campaign:
    """Change what staff may change after creation; the slug (the public address
    already shared) stays. A new banner replaces the old; None keeps it."""
    if ends_on < starts_on:
        raise DatesOutOfOrder()
    changed: dict[str, str | date | None] = {
        name: value
        for name, value in (
            ("title", title),
            ("description", description),
            ("starts_on", starts_on),
            ("ends_on", ends_on),
        )
        if getattr(campaign, name) != value
    }
    if banner_path is not None:
        changed["banner_path"] = banner_path
    elif remove_banner and campaign.banner_path:
        changed["banner_path"] = None
    for name, value in changed.items():
        setattr(campaign, name, value)
    db.session.flush()
    if changed:
        audit.record(staff, "campaign.update", campaign, fields=",".join(sorted(changed)))
    return campaign


def feature_product(campaign: Campaign, product: Product, staff: User, today: date):
    if product.advertising_banned:
        raise AdvertisingBanned(product.id)
    allowed = db.session.scalar(
        featurable(today).where(Product.id == product.id).with_only_columns(Product.id)
    )
    if allowed is None:
        raise NotFeaturable(product.id)
    _locked(campaign)
    if any(item.product_id == product.id for item in campaign.items):
        return None
    position = max((i.position for i in campaign.items), default=-1) + 1
    item = CampaignItem(product_id=product.id, position=position)
    campaign.items.append(item)
    db.session.flush()
    audit.record(staff, "campaign.feature", campaign, product=product.id)
    return item


def move_product(campaign: Campaign, product_id: int, offset: int, staff: User) -> bool:
    """Move the product ``offset`` places (-1 up, +1 down) in the campaign's order;
    False when it is not there or already at that end. Positions are renumbered
    under the campaign's lock, so clicks by two staff at once both land in turn."""
    _locked(campaign)
    items = list(campaign.items)
    index = next((i for i, item in enumerate(items) if item.product_id == product_id), None)
    if index is None or not 0 <= index + offset < len(items):
        return False
    items.insert(index + offset, items.pop(index))
    for position, item in enumerate(items):
        item.position = position
    db.session.flush()
    db.session.expire(campaign, ["items"])
    audit.record(staff, "campaign.move", campaign, product=product_id, to=index + offset)
    return True


def unfeature_product(campaign: Campaign, product_id: int, staff: User) -> None:
    _locked(campaign)
    campaign.items[:] = [i for i in campaign.items if i.product_id != product_id]
    for position, item in enumerate(campaign.items):
        item.position = position
    db.session.flush()
    audit.record(staff, "campaign.unfeature", campaign, product=product_id)


def running_campaigns(today: date) -> list[Campaign]:
    return list(
        db.session.scalars(
            select(Campaign)
            .where(Campaign.starts_on <= today, Campaign.ends_on >= today)
            .order_by(Campaign.starts_on.desc(), Campaign.id.desc())
        )
    )


def campaign_cards(campaign: Campaign, today: date, limit: int | None = None) -> list[Card]:
    """The campaign's products that are listed today, in the campaign's order."""
    query = (
        listed(today)
        .join(CampaignItem, CampaignItem.product_id == Product.id)
        .where(CampaignItem.campaign_id == campaign.id, Certificate.star_rank >= 3, advertisable())
        .order_by(CampaignItem.position)
    )
    if limit:
        query = query.limit(limit)
    return cards(query)
