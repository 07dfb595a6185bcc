"""Producers' descriptions: a little rich text, nothing that runs."""

import html
import re

import nh3

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "u",
    "ul",
    "ol",
    "li",
    "h3",
    "h4",
    "blockquote",
    "a",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}
_LOOKS_LIKE_HTML = re.compile(r"<\s*/?\s*(?:[a-z][a-z0-9]*)\b[^>]*>", re.IGNORECASE)


def sanitize_description(raw: str) -> str:
    """Keep paragraphs, emphasis, lists and plain links; drop scripts, event
    handlers, styles and ``javascript:`` URLs. Plain text gets paragraphs."""
    raw = (raw or "").strip()
    if raw and not _LOOKS_LIKE_HTML.search(raw):
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", raw) if p.strip()]
        raw = "".join("<p>" + html.escape(p).replace("\n", "<br>") + "</p>" for p in paragraphs)
    return nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
    )


def plain_text(fragment: str) -> str:
    return html.unescape(nh3.clean(fragment or "", tags=set())).strip()
