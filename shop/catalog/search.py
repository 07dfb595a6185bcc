"""Vietnamese search: one folding in Python, the database's own full-text index.

Both databases index ``products.search_folded`` (text without diacritics, đ → d,
lower case) built by ``search_text``: SQLite through an FTS5 table kept in step
by triggers, PostgreSQL through a GIN index on ``to_tsvector('simple', …)``. The
query is folded the same way, so "che shan tuyet", "Chè Shan Tuyết" and its NFD
form all mean the same thing. Exact-accent matches rank first.

A query is a list of *terms*; a term is one word or a phrase from the synonym
table (``synonyms.py``) with its alternatives ("chè" → chè | trà, "thịt heo" →
thịt heo | thịt lợn). Every term must match; ``partial`` ranks rows by how many
terms they match instead, for the "nearest results" fallback.
"""

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import bindparam, case, func, literal, literal_column, select, table
from sqlalchemy.sql import ColumnElement

from shop.catalog.models import Product
from shop.catalog.sanitize import plain_text
from shop.catalog.synonyms import SYNONYM_GROUPS
from shop.localities.former import former_names
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
        # Where the producer's ward was before 1 July 2025 ("Hà Giang", "Đồng Văn"):
        # people still search by the old names.
        " ".join(former_names(producer.ward_code)) if producer else "",
        product.product_set.name_vi if product.product_set else "",
    ]
    exact = unicodedata.normalize("NFC", " ".join(p for p in parts if p)).lower()
    return fold(exact), exact


def refresh_search(product: Product) -> None:
    product.search_folded, product.search_exact = search_text(product)
    product.name_folded = " ".join(_TOKEN.findall(fold(product.name)))


def query_tokens(q: str) -> list[str]:
    return _TOKEN.findall(fold(q))[:MAX_TOKENS]


Phrase = tuple[str, ...]


def _typed_words(q: str) -> list[str]:
    """The query's words as typed, aligned with ``query_tokens`` (folding keeps one
    character per character of NFC text; when it does not, the folded words)."""
    text = unicodedata.normalize("NFC", q)
    folded = fold(text)
    if len(folded) != len(text):
        return _TOKEN.findall(folded)
    return [text[m.start() : m.end()] for m in _TOKEN.finditer(folded)]


@dataclass(frozen=True)
class Term:
    """What one word (or synonym phrase) of the query may match: any alternative."""

    text: str  # folded: "thit heo"
    alternatives: tuple[Phrase, ...]  # (("thit", "heo"), ("thit", "lon"))
    shown: str = ""  # as typed: "thịt heo"


def _synonyms() -> dict[Phrase, tuple[Phrase, ...]]:
    table: dict[Phrase, tuple[Phrase, ...]] = {}
    for group in SYNONYM_GROUPS:
        phrases = tuple(tuple(p.split()) for p in group)
        for phrase in phrases:
            table[phrase] = phrases
    return table


_SYNONYMS = _synonyms()
_LONGEST = max(len(p) for p in _SYNONYMS)


def query_terms(q: str) -> list[Term]:
    """The query's terms, longest synonym phrase first: "thit heo say" ->
    [thit heo | thit lon, say]."""
    tokens = query_tokens(q)
    shown = _typed_words(q)[: len(tokens)]
    terms: list[Term] = []
    i = 0
    while i < len(tokens):
        for size in range(min(_LONGEST, len(tokens) - i), 0, -1):
            phrase = tuple(tokens[i : i + size])
            if phrase in _SYNONYMS or size == 1:
                alternatives = _SYNONYMS.get(phrase, (phrase,))
                # The phrase as typed first; the others follow.
                ordered = (phrase, *(a for a in alternatives if a != phrase))
                terms.append(Term(" ".join(phrase), ordered, " ".join(shown[i : i + size])))
                i += size
                break
    return terms


def _pg_term(term: Term, prefix: bool) -> str:
    def phrase(words: Phrase) -> str:
        last = f"{words[-1]}:*" if prefix else words[-1]
        return " <-> ".join([*words[:-1], last])

    alternatives = [phrase(a) for a in term.alternatives]
    return alternatives[0] if len(alternatives) == 1 else f"({' | '.join(alternatives)})"


def _fts_term(term: Term, prefix: bool) -> str:
    alternatives = [f'"{" ".join(a)}"' + ("*" if prefix else "") for a in term.alternatives]
    return alternatives[0] if len(alternatives) == 1 else f"({' OR '.join(alternatives)})"


def _term_condition(dialect: str, expression: str, name: str) -> ColumnElement[bool]:
    if dialect == "postgresql":
        vector = func.to_tsvector(literal_column("'simple'::regconfig"), Product.search_folded)
        return vector.op("@@")(
            func.to_tsquery(literal_column("'simple'::regconfig"), bindparam(name, expression))
        )
    fts = table(FTS_TABLE, literal_column("rowid"))
    return Product.id.in_(
        select(literal_column("rowid"))
        .select_from(fts)
        .where(literal_column(FTS_TABLE).op("MATCH")(bindparam(name, expression)))
    )


def _expression(dialect: str, terms: list[Term], joiner: str) -> str:
    render = _pg_term if dialect == "postgresql" else _fts_term
    return joiner.join(render(t, prefix=(i == len(terms) - 1)) for i, t in enumerate(terms))


def matches(dialect: str, terms: list[Term]) -> ColumnElement[bool]:
    """Products whose folded text matches every term as whole words; the last word
    may be the start of a word (people stop typing mid-word). One index lookup."""
    joiner = " & " if dialect == "postgresql" else " AND "
    name = "tsq" if dialect == "postgresql" else "fts"
    return _term_condition(dialect, _expression(dialect, terms, joiner), name)


def term_matches(dialect: str, term: Term, *, last: bool) -> ColumnElement[bool]:
    """Products that match this one term (the last word of a query may be unfinished)."""
    render = _pg_term if dialect == "postgresql" else _fts_term
    return _term_condition(dialect, render(term, prefix=last), "term")


def matches_any(dialect: str, terms: list[Term]) -> ColumnElement[bool]:
    """Products that match at least one term (the fallback's candidates)."""
    joiner = " | " if dialect == "postgresql" else " OR "
    name = "tsq_any" if dialect == "postgresql" else "fts_any"
    return _term_condition(dialect, _expression(dialect, terms, joiner), name)


def matched_terms(dialect: str, terms: list[Term]) -> ColumnElement[int]:
    """How many of the terms a product matches: the fallback ranks by it. Each term
    is its own index lookup (at most ``MAX_TOKENS``), evaluated in the database."""
    last = len(terms) - 1
    render = _pg_term if dialect == "postgresql" else _fts_term
    counts = [
        case(
            (_term_condition(dialect, render(t, prefix=(i == last)), f"term_{i}"), 1),
            else_=0,
        )
        for i, t in enumerate(terms)
    ]
    total = counts[0]
    for count in counts[1:]:
        total = total + count
    return total


def name_hits(terms: list[Term]) -> ColumnElement[int]:
    """How many terms the product's *name* holds as words (any alternative; the last
    one may be unfinished): "Mật ong bạc hà" before a tea whose description mentions
    honey, "Chè Shan Tuyết" before a product whose set is "Chế biến…"."""
    padded = literal(" ") + Product.name_folded + literal(" ")
    last = len(terms) - 1
    hits = [
        case(
            *(
                (
                    padded.contains(
                        f" {' '.join(a)}" + ("" if i == last else " "), autoescape=True
                    ),
                    1,
                )
                for a in term.alternatives
            ),
            else_=0,
        )
        for i, term in enumerate(terms)
    ]
    total = hits[0]
    for hit in hits[1:]:
        total = total + hit
    return total


def relevance(q: str) -> list[ColumnElement[int]]:
    """Order keys: the query with its own accents first ("Bắc Hà" before "bạc hà"),
    then matches in the product's name before matches elsewhere (producer, place),
    then names that hold a synonym of the query ("Chè …" for "trà")."""
    exact = unicodedata.normalize("NFC", q.strip()).lower()
    terms = query_terms(q)
    folded = " ".join(t.text for t in terms)
    keys = [
        case((Product.search_exact.contains(exact, autoescape=True), 0), else_=1),
        case((Product.name_folded.contains(folded, autoescape=True), 0), else_=1),
    ]
    variants = {
        " ".join(" ".join(a) for a in alternative)
        for alternative in _variants(terms)
        if alternative
    } - {folded}
    if variants:
        keys.append(
            case(
                *(
                    (Product.name_folded.contains(v, autoescape=True), 0)
                    for v in sorted(variants)[:8]
                ),
                else_=1,
            )
        )
    return keys


def _variants(terms: list[Term]) -> list[tuple[Phrase, ...]]:
    """Each way of writing the whole query with one synonym swapped in."""
    base = tuple(t.alternatives[0] for t in terms)
    out = []
    for i, term in enumerate(terms):
        for alternative in term.alternatives[1:]:
            out.append((*base[:i], alternative, *base[i + 1 :]))
    return out


def alembic_include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Autogenerate ignores the search index objects that only migrations create."""
    if type_ == "table" and name and name.startswith(FTS_TABLE):
        return False
    return not (type_ == "index" and name == PG_INDEX)
