"""The header's menu of the six industries and their product sets, and the trail of
breadcrumbs a listing or product page shows: the taxonomy, read once and cached.

The taxonomy changes only with a migration (a new legal version), so an hour in the
cache costs nothing; the menu is on every page and must not cost a query each time.
"""

import time
from dataclasses import dataclass

from flask import current_app, g
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from shop.catalog.models import Industry, ProductSet
from shop.extensions import cache, db

CACHE_KEY = "catalog-menu:v1"
CACHE_SECONDS = 3600


@dataclass(frozen=True)
class MenuSet:
    id: int
    code: str
    name_vi: str
    name_en: str

    def name(self, language: str = "vi") -> str:
        return self.name_en if language == "en" else self.name_vi


@dataclass(frozen=True)
class MenuIndustry:
    id: int
    code: str
    name_vi: str
    name_en: str
    sets: tuple[MenuSet, ...]

    def name(self, language: str = "vi") -> str:
        return self.name_en if language == "en" else self.name_vi


def _load() -> tuple[MenuIndustry, ...]:
    rows = db.session.execute(
        select(Industry, ProductSet)
        .outerjoin(ProductSet, ProductSet.industry_id == Industry.id)
        .order_by(Industry.id, ProductSet.id)
    )
    industries: dict[int, Industry] = {}
    sets: dict[int, list[MenuSet]] = {}
    for industry, product_set in rows:
        industries[industry.id] = industry
        bucket = sets.setdefault(industry.id, [])
        if product_set is not None:
            bucket.append(
                MenuSet(product_set.id, product_set.code, product_set.name_vi, product_set.name_en)
            )
    return tuple(
        MenuIndustry(i.id, i.code, i.name_vi, i.name_en, tuple(sets[i.id]))
        for i in industries.values()
    )


def catalog_menu() -> tuple[MenuIndustry, ...]:
    """The industries in order, each with its product sets (a template global).

    Kept in the process for a while (every page shows it, and the taxonomy moves only
    with a migration), then from the shared cache, and once per request at most when
    the cache is off or down."""
    if "catalog_menu" in g:
        return g.catalog_menu
    kept = current_app.extensions.setdefault("catalog_menu", {})
    if kept and kept["until"] > time.monotonic():
        g.catalog_menu = kept["menu"]
        return g.catalog_menu
    menu = cache.get(CACHE_KEY)
    if menu is None:
        try:
            menu = _load()
        except SQLAlchemyError:
            # The header is no reason to fail a page that needs no database (sign-in,
            # the legal pages): without the taxonomy it shows no menu, and the next
            # request asks again. A page that needs the database still answers 503.
            db.session.rollback()
            g.catalog_menu = ()
            return ()
        cache.set(CACHE_KEY, menu, timeout=CACHE_SECONDS)
    if menu and (seconds := current_app.config["MENU_PROCESS_SECONDS"]) > 0:
        kept.update(menu=menu, until=time.monotonic() + seconds)
    g.catalog_menu = menu
    return menu


def menu_trail(
    industry_id: int | None = None, set_id: int | None = None
) -> tuple[MenuIndustry | None, MenuSet | None]:
    """The industry and product set a listing is narrowed to, for its breadcrumbs
    (a product set names its industry even when the address gives only the set)."""
    menu = catalog_menu()
    for industry in menu:
        for s in industry.sets:
            if s.id == set_id:
                return industry, s
    for industry in menu:
        if industry.id == industry_id:
            return industry, None
    return None, None
