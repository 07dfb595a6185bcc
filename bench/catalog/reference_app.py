"""The reference for the catalogue benchmark: the smallest Flask + Jinja app that
renders the same 24 products from the same database, with the same listing rule,
filter and order, in one plain SQL query. No ORM, no extensions, no layout."""

import os
from datetime import date

from flask import Flask, render_template_string, request
from sqlalchemy import create_engine, text

from config import _database_url

app = Flask(__name__)
engine = create_engine(_database_url(), pool_pre_ping=True)

QUERY = text("""
    SELECT p.name, p.slug, p.price_vnd, c.star_rank, pr.legal_name, pv.name AS province
    FROM products p
    JOIN producers pr ON pr.id = p.producer_id
    JOIN provinces pv ON pv.code = pr.province_code
    JOIN certificates c ON c.product_id = p.id AND c.review = 'verified'
        AND c.revoked_at IS NULL AND c.superseded_by_id IS NULL AND c.valid_through >= :today
    WHERE pr.status = 'verified' AND p.status = 'published' AND c.star_rank >= :stars
    ORDER BY p.published_at DESC, p.id DESC
    LIMIT 24 OFFSET :offset
""")

PAGE = """<!doctype html><html lang="vi"><meta charset="utf-8"><title>Sản phẩm</title>
<ul>{% for r in rows %}<li><a href="/products/{{ r.slug }}">{{ r.name }}</a>
{{ "★" * r.star_rank }} {{ "{:,}".format(r.price_vnd).replace(",", ".") }} ₫
{{ r.legal_name }} · {{ r.province }}</li>{% endfor %}</ul></html>"""


@app.get("/products")
def products():
    stars = int(request.args.get("stars", 3))
    page = int(request.args.get("page", 1))
    with engine.connect() as conn:
        rows = conn.execute(
            QUERY,
            {"today": date.today(), "stars": stars, "offset": (page - 1) * 24},  # noqa: DTZ011
        ).all()
    return render_template_string(PAGE, rows=rows)


if __name__ == "__main__":
    app.run(port=int(os.environ.get("PORT", 5099)))
