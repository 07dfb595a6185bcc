"""What crawlers and link previews may see: pure rules, no request, no database."""

from collections.abc import Iterable, Mapping

from markupsafe import Markup

# Paths no crawler should fetch or index: someone's cart, checkout, account, order and
# complaint tracking links (their keys), the signed-in areas, the API, sign-in forms
# and the machine endpoints. "/producer/" keeps the public "/producers/<slug>" open.
PRIVATE_PREFIXES = (
    "/staff/",
    "/producer/",
    "/account",
    "/cart",
    "/checkout",
    "/orders/",
    "/complaints/",
    "/api/",
    "/labels/",
    "/login",
    "/logout",
    "/register",
    "/password/",
    "/session.json",
    "/language",
)
# Listing views that only reorder or narrow what a canonical page already shows:
# crawling every sort and price range of 100,000 products helps nobody.
NOISE_ARGS = ("sort", "min_price", "max_price", "in_stock")

NOINDEX = "noindex"
NOINDEX_FOLLOW = "noindex, follow"

# Query arguments that make a different page worth its own address, per page kind;
# everything else (sort, price ranges, tracking tags such as utm_*) is left out.
LISTING_ARGS = ("industry", "set", "province", "page")
REGISTER_ARGS = ("province", "page")
PAGED_ARGS = ("page",)

DESCRIPTION_LENGTH = 160
OG_LOCALES = {"vi": "vi_VN", "en": "en_US"}


def is_private(path: str) -> bool:
    """``path`` without the language prefix (``request.path``)."""
    return path.startswith(PRIVATE_PREFIXES)


def canonical_args(args: Mapping, keep: Iterable[str]) -> list[tuple[str, str]]:
    """The arguments of ``args`` that name the page, in ``keep``'s order; page 1 is
    the bare address and an empty value is no value."""
    out = []
    for name in keep:
        value = str(args.get(name) or "").strip()
        if not value or (name == "page" and value == "1"):
            continue
        out.append((name, value))
    return out


def plain_text(html: str | None, limit: int = DESCRIPTION_LENGTH) -> str:
    """Sanitised HTML (a producer's description) as one line of plain text, cut at a
    word before ``limit`` characters."""
    # Markup only to strip the tags (it also unescapes entities): never rendered as is.
    text = Markup(html or "").striptags()  # noqa: S704
    return shorten(text, limit)


def shorten(text: str, limit: int = DESCRIPTION_LENGTH) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",.;:–- ")
    return cut + "…"


def join_sentences(*parts: str | None) -> str:
    return " ".join(p.strip() for p in parts if p and p.strip())


def robots_txt(base_url: str, languages: Iterable[str], default_language: str) -> str:
    """The site's robots.txt: the public shop open, the private paths closed in every
    language (``/en/cart`` as well as ``/cart``), and the sitemap's absolute address."""
    prefixes = [""] + [f"/{code}" for code in languages if code != default_language]
    lines = ["User-agent: *", "Allow: /"]
    for prefix in prefixes:
        lines += [f"Disallow: {prefix}{path}" for path in PRIVATE_PREFIXES]
    lines += [f"Disallow: /*?*{name}=" for name in NOISE_ARGS]
    lines += ["", f"Sitemap: {base_url.rstrip('/')}/sitemap.xml", ""]
    return "\n".join(lines)
