"""Featured campaigns. Only products listed with a valid 3★+ certificate can be added
(checked here, not only in a form), and a product whose certificate expires or is
revoked drops out of every campaign page by itself: pages apply the listing rule.

A campaign is advertising: spirits of 15 % ABV or more are never added and never
shown (Law 44/2019, shop/catalog/alcohol.py), though the catalogue still lists them."""

from datetime import date

from sqlalchemy import select

from shop.audit import services as audit
from shop.auth.models import User
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
        raise CampaignError("dates")
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


def feature_product(campaign: Campaign, product: Product, staff: User, today: date):
    if product.advertising_banned:
        raise AdvertisingBanned(product.id)
    featurable = db.session.scalar(
        listed(today)
        .where(Product.id == product.id, Certificate.star_rank >= 3)
        .with_only_columns(Product.id)
    )
    if featurable is None:
        raise NotFeaturable(product.id)
    if any(item.product_id == product.id for item in campaign.items):
        return None
    item = CampaignItem(product_id=product.id, position=len(campaign.items))
    campaign.items.append(item)
    db.session.flush()
    audit.record(staff, "campaign.feature", campaign, product=product.id)
    return item


def unfeature_product(campaign: Campaign, product_id: int, staff: User) -> None:
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
