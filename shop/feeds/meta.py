"""The Meta (Facebook, Instagram) catalogue feed: a CSV file with a header row of
Meta's field names, written by the csv module (quoting as RFC 4180 wants), in
UTF-8 without a byte-order mark (Meta reads the first column's name literally).
Text cells go through ``core.csvsafe.safe_cell`` as every CSV of the shop does:
whoever opens the file in a spreadsheet runs no formula from a product's name.
"""

import csv
import io
from collections.abc import Iterable
from typing import BinaryIO

from shop.core.csvsafe import safe_cell
from shop.feeds.items import FeedItem

COLUMNS = (
    "id",
    "title",
    "description",
    "availability",
    "condition",
    "price",
    "link",
    "image_link",
    "brand",
    "gtin",
)


def write_csv(items: Iterable[FeedItem], out: BinaryIO) -> int:
    """Write the feed to ``out``; returns the number of items."""
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    writer = csv.writer(text)
    writer.writerow(COLUMNS)
    count = 0
    for item in items:
        writer.writerow(
            [
                safe_cell(item.id),
                safe_cell(item.title),
                safe_cell(item.description),
                item.availability,
                item.condition,
                item.price,
                item.link,
                item.image_link or "",
                safe_cell(item.brand),
                item.gtin or "",
            ]
        )
        count += 1
    text.detach()  # leave ``out`` open for the caller
    return count
