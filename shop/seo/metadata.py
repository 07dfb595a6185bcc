"""A page's head for search engines and link previews (Zalo, Facebook, X).

Everything here comes from the address (path and query) and the objects the page
shows, never from the visitor: the edge cache serves one copy of a page to everyone
(shop/core/edge.py). Addresses are absolute from ``PUBLIC_BASE_URL``, never from the
Host header, for the same reason.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from flask import current_app, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from shop.i18n import current_language, path_in
from shop.money import format_vnd
from shop.seo import jsonld, rules

# The storefront's endpoints are moving from catalog.* to storefront.*: the first
# of each that this app has is used (tests/seo checks that each resolves).
ENDPOINTS = {
    "home": "storefront.home",
    "products": "storefront.products",
    "product": "storefront.product_detail",
    "producer": "storefront.producer_page",
    "campaign": "campaigns.campaign",
}

SHARE_IMAGE = ("img/share.png", 1200, 630)  # the default preview: the shop's own card


@dataclass(frozen=True)
class ShareImage:
    url: str  # absolute
    width: int | None = None
    height: int | None = None
    alt: str = ""
    large: bool = True  # a wide picture (twitter summary_large_image), not a logo


@dataclass(frozen=True)
class PageMeta:
    title: str
    description: str
    canonical: str
    alternates: list[tuple[str, str]]
    robots: str | None
    image: ShareImage
    og_type: str = "website"
    locale: str = "vi_VN"
    locale_alternates: tuple[str, ...] = ()
    og_extra: list[tuple[str, str]] = field(default_factory=list)
    json_ld: list[Markup] = field(default_factory=list)

    @property
    def twitter_card(self) -> str:
        return "summary_large_image" if self.image.large else "summary"


# --- Addresses -----------------------------------------------------------------------


def base_url() -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/")


def endpoint(name: str) -> str:
    return ENDPOINTS[name]


def public_url(name: str, **values) -> str:
    """The absolute address of a public page in this page's language."""
    return base_url() + url_for(endpoint(name), **values)


def absolute(path: str | None) -> str | None:
    """``/media/photos/x.webp`` (a site-relative address) made absolute."""
    return base_url() + path if path else None


def _page_path(language: str, keep: Iterable[str]) -> str:
    query = "&".join(
        f"{name}={_quote(value)}" for name, value in rules.canonical_args(request.args, keep)
    )
    path = path_in(language, request.script_root + request.path)
    return base_url() + path + (f"?{query}" if query else "")


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="-_.~")


def canonical_url(keep: Iterable[str] = ()) -> str:
    return _page_path(current_language(), tuple(keep))


def alternate_urls(keep: Iterable[str] = ()) -> list[tuple[str, str]]:
    """(hreflang, address) of this page in each language, then x-default: the
    same arguments as the canonical address, so each names the other's twin."""
    keep = tuple(keep)
    languages = current_app.config["LANGUAGES"]
    links = [(code, _page_path(code, keep)) for code in languages]
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    return [*links, ("x-default", _page_path(default, keep))]


def default_image() -> ShareImage:
    from shop.i18n import template_url_for

    path, width, height = SHARE_IMAGE
    return ShareImage(
        # One address in every language, as the templates' static links.
        url=base_url() + template_url_for("static", filename=path),
        width=width,
        height=height,
        alt=_("Chợ OCOP"),
    )


def _media(relative: str | None) -> str | None:
    from shop.core.views import media_url

    return absolute(media_url(relative))


# --- Pages ---------------------------------------------------------------------------


def site_description() -> str:
    return _(
        "Sản phẩm OCOP 3 đến 5 sao còn hiệu lực chứng nhận, mua trực tiếp từ hợp tác xã "
        "và hộ sản xuất trên khắp Việt Nam."
    )


def page_meta(
    title: str,
    description: str | None = None,
    *,
    keep: Sequence[str] = (),
    robots: str | None = None,
    image: ShareImage | None = None,
    og_type: str = "website",
    og_extra: Sequence[tuple[str, str]] = (),
    json_ld: Sequence[dict] = (),
) -> PageMeta:
    """Any page: private paths are never indexed whatever a template asks."""
    language = current_language()
    if rules.is_private(request.path):
        robots = rules.NOINDEX
    return PageMeta(
        title=title,
        description=rules.shorten(description or site_description()),
        canonical=canonical_url(keep),
        alternates=alternate_urls(keep),
        robots=robots,
        image=image or default_image(),
        og_type=og_type,
        locale=rules.OG_LOCALES.get(language, "vi_VN"),
        locale_alternates=tuple(
            locale for code, locale in rules.OG_LOCALES.items() if code != language
        ),
        og_extra=list(og_extra),
        json_ld=[jsonld.script_tag(data) for data in json_ld],
    )


def _producer_party(producer) -> jsonld.Party:
    return jsonld.Party(name=producer.legal_name, url=public_url("producer", slug=producer.slug))


def product_meta(product, certificate=None, valid: bool = False, rating=None) -> PageMeta:
    """A product page. ``valid``: its certificate is valid today (the view decides).
    Without it nothing says OCOP: not the description, not the structured data,
    and the page stays out of the index (it is not for sale). ``rating`` is
    (average, count) of its reviews."""
    language = current_language()
    producer = product.producer
    place = producer.province.name if producer.province else ""
    text = rules.plain_text(product.description, 5000)
    if valid and certificate is not None:
        lead = _(
            "OCOP %(n)s sao · %(price)s · %(producer)s, %(place)s.",
            n=certificate.star_rank,
            price=format_vnd(product.price_vnd),
            producer=producer.legal_name,
            place=place,
        )
        description = rules.join_sentences(lead, text)
    else:
        # The producer's own text may call it an OCOP product: not while it is not one.
        description = rules.join_sentences(
            product.pack, _("%(producer)s, %(place)s.", producer=producer.legal_name, place=place)
        )
        text = description
    for_sale = bool(valid and product.in_stock)
    url = canonical_url()
    photos = list(product.photos)
    image = None
    if photos:
        first = photos[0]
        image = ShareImage(
            url=_media(first.path) or "",
            width=first.width,
            height=first.height,
            alt=first.alt or product.name,
        )
    data = jsonld.product(
        name=product.name,
        url=url,
        description=text or description,
        images=[u for u in (_media(p.path) for p in photos) if u],
        price_vnd=product.price_vnd,
        in_stock=for_sale,
        producer=_producer_party(producer),
        gtin=product.gtin,
        rating=rating,
    )
    product_set = product.product_set
    trail = [(_("Trang chủ"), public_url("home"))]
    if product_set is not None:
        industry = product_set.industry
        trail.append((industry.name(language), public_url("products", industry=industry.id)))
        trail.append((product_set.name(language), public_url("products", set=product_set.id)))
    trail.append((product.name, url))
    return page_meta(
        product.name,
        description,
        robots=None if valid else rules.NOINDEX_FOLLOW,
        image=image,
        og_type="product",
        og_extra=[
            ("product:price:amount", str(int(product.price_vnd))),
            ("product:price:currency", "VND"),
            ("product:availability", "in stock" if for_sale else "out of stock"),
            ("product:brand", producer.legal_name),
        ],
        json_ld=[data, jsonld.breadcrumbs(trail)],
    )


def producer_meta(producer) -> PageMeta:
    description = rules.plain_text(producer.description) or _(
        "Sản phẩm OCOP của %(name)s, %(address)s: mua trực tiếp từ nơi làm ra.",
        name=producer.legal_name,
        address=producer.address_line,
    )
    image = None
    if producer.logo_path:
        logo = _media(producer.logo_path) or ""
        image = ShareImage(url=logo, alt=producer.legal_name, large=False)
    return page_meta(
        producer.legal_name,
        description,
        keep=rules.PAGED_ARGS,
        image=image,
        json_ld=[
            {
                "@context": jsonld.SCHEMA,
                "@type": "Organization",
                "name": producer.legal_name,
                "url": public_url("producer", slug=producer.slug),
                **({"logo": image.url} if image else {}),
                "address": {
                    "@type": "PostalAddress",
                    "streetAddress": producer.address_line,
                    "addressCountry": "VN",
                },
            }
        ],
    )


def campaign_meta(campaign, items: Sequence = ()) -> PageMeta:
    from shop.i18n import format_date_vn

    description = rules.plain_text(campaign.description) or _(
        "%(title)s: sản phẩm OCOP chọn lọc, từ %(start)s đến %(end)s.",
        title=campaign.title,
        start=format_date_vn(campaign.starts_on),
        end=format_date_vn(campaign.ends_on),
    )
    image = None
    if campaign.banner_path:
        image = ShareImage(url=_media(campaign.banner_path) or "", alt=campaign.title)
    else:
        thumb = next((item.thumb_path for item in items if item.thumb_path), None)
        if thumb:
            image = ShareImage(url=_media(thumb) or "", width=400, height=400, large=False)
    return page_meta(campaign.title, description, image=image)


def listing_meta(cq, title: str) -> PageMeta:
    """/products: the canonical address keeps what changes the page's subject
    (industry, product set, province, page), not its order or a price range;
    a typed search is not a page of its own (followed, not indexed)."""
    from shop.catalog.models import Industry, ProductSet
    from shop.extensions import db
    from shop.localities.models import Province

    language = current_language()
    topics = []
    if cq.industry and (industry := db.session.get(Industry, cq.industry)):
        topics.append(industry.name(language))
    if cq.product_set and (product_set := db.session.get(ProductSet, cq.product_set)):
        topics.append(product_set.name(language))
    if cq.former_province is not None:
        topics.append(cq.former_province.short_name)
    elif cq.province and (province := db.session.get(Province, cq.province)):
        topics.append(province.name)
    if topics:
        description = _(
            "%(topic)s: sản phẩm OCOP 3 đến 5 sao còn hiệu lực chứng nhận, mua trực tiếp "
            "từ hợp tác xã và hộ sản xuất.",
            topic=" · ".join(topics),
        )
    else:
        description = site_description()
    if cq.page > 1:
        description = rules.join_sentences(_("Trang %(n)s.", n=cq.page), description)
    return page_meta(
        title,
        description,
        keep=rules.LISTING_ARGS,
        robots=rules.NOINDEX_FOLLOW if cq.q else None,
    )


def home_meta(title: str) -> PageMeta:
    """The home page: the site itself (its search box) and who runs it."""
    config = current_app.config
    home = public_url("home")
    search = public_url("products") + "?q={search_term_string}"
    return page_meta(
        title,
        site_description(),
        json_ld=[
            {
                "@context": jsonld.SCHEMA,
                "@type": "WebSite",
                "name": _("Chợ OCOP"),
                "url": home,
                "potentialAction": {
                    "@type": "SearchAction",
                    "target": {"@type": "EntryPoint", "urlTemplate": search},
                    "query-input": "required name=search_term_string",
                },
            },
            {
                "@context": jsonld.SCHEMA,
                "@type": "Organization",
                "name": config["OPERATOR_NAME"],
                "url": home,
                "logo": default_image().url,
                "address": config["OPERATOR_ADDRESS"],
                "contactPoint": {
                    "@type": "ContactPoint",
                    "telephone": config["OPERATOR_PHONE"],
                    "email": config["OPERATOR_EMAIL"],
                    "contactType": "customer service",
                    "availableLanguage": ["vi", "en"],
                },
            },
        ],
    )
