"""Shareable and findable: head tags, structured data, sitemap.xml and robots.txt."""

from flask import Flask


def register(app: Flask) -> None:
    """The template globals that build a page's head (templates/seo/_meta.html)."""
    from shop.seo import metadata

    app.jinja_env.globals.update(
        seo_page=metadata.page_meta,
        seo_home=metadata.home_meta,
        seo_product=metadata.product_meta,
        seo_producer=metadata.producer_meta,
        seo_campaign=metadata.campaign_meta,
        seo_listing=metadata.listing_meta,
    )
