"""Vietnamese search: one folding in Python, the database's own full-text index.

Both databases index ``products.search_folded`` (text without diacritics, đ → d,
lower case) built by ``search_text``: SQLite through an FTS5 table kept in step
by triggers, PostgreSQL through a GIN index on ``to_tsvector('simple', …)``. The
query is folded the same way, so "che shan tuyet", "Chè Shan Tuyết" and its NFD
form all mean the same thing. Exact-accent matches rank first.
"""

import re
import unicodedata

from sqlalchemy import bindparam, case, func, literal_column, select, table
from sqlalchemy.sql import ColumnElement

from shop.catalog.models import Product
from shop.catalog.sanitize import plain_text
from shop.text import fold

FTS_TABLE = "product_fts"
PG_INDEX = "ix_products_search_tsv"
_TOKEN = re.compile(r"[a-z0-9]+")
MAX_TOKENS = 8


def search_text(product: Product) -> tuple[str, str]:
    """(folded, exact) search text of a product: its own words and where it comes from."""
    producer = product.producer
    province = producer.province if producer else None
    parts = [
        product.name,
        plain_text(product.description),
        producer.legal_name if producer else "",
        province.name if province else "",
        producer.former_locality or "" if producer else "",
        product.product_set.name_vi if product.product_set else "",
    ]
    exact = unicodedata.normalize("NFC", " ".join(p for p in parts if p)).lower()
    return fold(exact), exact


def refresh_search(product: Product) -> None:
    product.search_folded, product.search_exact = search_text(product)
    product.name_folded = " ".join(_TOKEN.findall(fold(product.name)))


def query_tokens(q: str) -> list[str]:
    return _TOKEN.findall(fold(q))[:MAX_TOKENS]


def matches(dialect: str, tokens: list[str]) -> ColumnElement[bool]:
    """Products whose folded text has every token as a word; the last token may be
    the start of a word (people stop typing mid-word)."""
    if dialect == "postgresql":
        tsquery = " & ".join([*tokens[:-1], f"{tokens[-1]}:*"])
        vector = func.to_tsvector(literal_column("'simple'::regconfig"), Product.search_folded)
        return vector.op("@@")(
            func.to_tsquery(literal_column("'simple'::regconfig"), bindparam("tsq", tsquery))
        )
    fts = table(FTS_TABLE, literal_column("rowid"))
    expression = " ".join([*(f'"{t}"' for t in tokens[:-1]), f'"{tokens[-1]}"*'])
    return Product.id.in_(
        select(literal_column("rowid"))
        .select_from(fts)
        .where(literal_column(FTS_TABLE).op("MATCH")(bindparam("fts", expression)))
    )


def relevance(q: str) -> list[ColumnElement[int]]:
    """Order keys: the query with its own accents first ("Bắc Hà" before "bạc hà"),
    then matches in the product's name before matches elsewhere (producer, place)."""
    exact = unicodedata.normalize("NFC", q.strip()).lower()
    folded = " ".join(query_tokens(q))
    return [
        case((Product.search_exact.contains(exact, autoescape=True), 0), else_=1),
        case((Product.name_folded.contains(folded, autoescape=True), 0), else_=1),
    ]


def alembic_include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Autogenerate ignores the search index objects that only migrations create."""
    if type_ == "table" and name and name.startswith(FTS_TABLE):
        return False
    return not (type_ == "index" and name == PG_INDEX)
