"""The Google Merchant Center feed: RSS 2.0 with the ``g:`` namespace.

Written by the standard library's streaming XML writer (``xml.sax.saxutils.
XMLGenerator``), which escapes every text and attribute: a producer's "<", "&"
or quote can never break the document (characters XML cannot hold at all are
removed before, in items.clean). Each item is written as it comes from the
query; nothing holds the whole catalogue as objects.
"""

from collections.abc import Iterable
from typing import BinaryIO
from xml.sax.saxutils import XMLGenerator
from xml.sax.xmlreader import AttributesNSImpl

from shop.feeds.items import FeedItem

G = "http://base.google.com/ns/1.0"
_NO_ATTRS = AttributesNSImpl({}, {})


class _Writer:
    def __init__(self, out: BinaryIO) -> None:
        self.xml = XMLGenerator(out, encoding="utf-8", short_empty_elements=True)

    def start(self, name: str, ns: str | None = None, attrs=_NO_ATTRS) -> None:
        self.xml.startElementNS((ns, name), None, attrs)

    def end(self, name: str, ns: str | None = None) -> None:
        self.xml.endElementNS((ns, name), None)

    def text(self, name: str, value: str, ns: str | None = None) -> None:
        self.start(name, ns)
        self.xml.characters(value)
        self.end(name, ns)

    def newline(self) -> None:
        self.xml.ignorableWhitespace("\n")


def write_rss(
    items: Iterable[FeedItem], out: BinaryIO, *, title: str, link: str, description: str
) -> int:
    """Write the feed to ``out``; returns the number of items."""
    w = _Writer(out)
    w.xml.startDocument()
    w.xml.startPrefixMapping("g", G)
    w.start("rss", attrs=AttributesNSImpl({(None, "version"): "2.0"}, {}))
    w.newline()
    w.start("channel")
    w.newline()
    w.text("title", title)
    w.text("link", link)
    w.text("description", description)
    w.newline()
    count = 0
    for item in items:
        w.start("item")
        w.text("id", item.id, G)
        w.text("title", item.title)
        w.text("description", item.description)
        w.text("link", item.link)
        if item.image_link:
            w.text("image_link", item.image_link, G)
        w.text("price", item.price, G)
        w.text("availability", item.availability, G)
        w.text("condition", item.condition, G)
        w.text("brand", item.brand, G)
        if item.gtin:
            w.text("gtin", item.gtin, G)
        w.text("product_type", item.product_type, G)
        w.end("item")
        w.newline()
        count += 1
    w.end("channel")
    w.newline()
    w.end("rss")
    w.xml.endPrefixMapping("g")
    w.newline()
    w.xml.endDocument()
    return count
