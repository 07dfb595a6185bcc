"""alcohol content, age confirmation; shipping by weight and zone (OCOP rules round two)

Revision ID: b13f_alcohol_shipping
Revises: b13e_legal
Create Date: 2026-11-29 07:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b13f_alcohol_shipping"
down_revision = "b13a_validity"
branch_labels = None
depends_on = None

# White spirits and other alcoholic drinks (Decision 148/QĐ-TTg, 2023).
ALCOHOLIC_SETS = ("II.01", "II.02")
LEGAL_VERSION_2023 = "148/QĐ-TTg/2023"

# On SQLite the batch below rebuilds "products", which drops the full-text
# triggers of 6851d6e5971e: put them back (copied from there; idempotent).
SQLITE_SEARCH = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS product_fts USING fts5("
    "search_folded, content='products', content_rowid='id', tokenize='unicode61')",
    "CREATE TRIGGER IF NOT EXISTS products_fts_insert AFTER INSERT ON products BEGIN "
    "INSERT INTO product_fts(rowid, search_folded) VALUES (new.id, new.search_folded); END",
    "CREATE TRIGGER IF NOT EXISTS products_fts_delete AFTER DELETE ON products BEGIN "
    "INSERT INTO product_fts(product_fts, rowid, search_folded) "
    "VALUES ('delete', old.id, old.search_folded); END",
    "CREATE TRIGGER IF NOT EXISTS products_fts_update AFTER UPDATE OF search_folded ON products "
    "BEGIN INSERT INTO product_fts(product_fts, rowid, search_folded) "
    "VALUES ('delete', old.id, old.search_folded); "
    "INSERT INTO product_fts(rowid, search_folded) VALUES (new.id, new.search_folded); END",
    "INSERT INTO product_fts(product_fts) VALUES ('rebuild')",
]


def _restore_sqlite_search():
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_SEARCH:
            op.execute(statement)


def upgrade():
    with op.batch_alter_table("product_sets", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("alcoholic", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    product_sets = sa.table(
        "product_sets",
        sa.column("code", sa.String),
        sa.column("legal_version", sa.String),
        sa.column("alcoholic", sa.Boolean),
    )
    op.execute(
        product_sets.update()
        .where(
            product_sets.c.code.in_(ALCOHOLIC_SETS),
            product_sets.c.legal_version == LEGAL_VERSION_2023,
        )
        .values(alcoholic=True)
    )

    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.add_column(sa.Column("abv_tenths", sa.SmallInteger(), nullable=True))
        batch_op.add_column(sa.Column("shipping_grams", sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_products_abv_range"), "abv_tenths BETWEEN 0 AND 1000"
        )
        batch_op.create_check_constraint(
            op.f("ck_products_shipping_grams_range"), "shipping_grams BETWEEN 1 AND 1000000"
        )
    _restore_sqlite_search()

    with op.batch_alter_table("producers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "shipping_mode",
                sa.Enum("flat", "zones", name="shippingmode", native_enum=False, length=20),
                server_default="flat",
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column("ship_base_grams", sa.Integer(), server_default="1000", nullable=False)
        )
        batch_op.add_column(
            sa.Column("ship_province_vnd", sa.Integer(), server_default="20000", nullable=False)
        )
        batch_op.add_column(
            sa.Column("ship_province_step_vnd", sa.Integer(), server_default="3000", nullable=False)
        )
        batch_op.add_column(
            sa.Column("ship_region_vnd", sa.Integer(), server_default="30000", nullable=False)
        )
        batch_op.add_column(
            sa.Column("ship_region_step_vnd", sa.Integer(), server_default="5000", nullable=False)
        )
        batch_op.add_column(
            sa.Column("ship_far_vnd", sa.Integer(), server_default="38000", nullable=False)
        )
        batch_op.add_column(
            sa.Column("ship_far_step_vnd", sa.Integer(), server_default="8000", nullable=False)
        )
        batch_op.create_check_constraint(
            op.f("ck_producers_shipping_fees_not_negative"),
            "ship_province_vnd >= 0 AND ship_province_step_vnd >= 0"
            " AND ship_region_vnd >= 0 AND ship_region_step_vnd >= 0"
            " AND ship_far_vnd >= 0 AND ship_far_step_vnd >= 0",
        )
        batch_op.create_check_constraint(
            op.f("ck_producers_ship_base_grams_range"), "ship_base_grams BETWEEN 0 AND 100000"
        )

    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("adult_confirmed", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("adult_confirmed")

    with op.batch_alter_table("producers", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_producers_ship_base_grams_range"), type_="check")
        batch_op.drop_constraint(op.f("ck_producers_shipping_fees_not_negative"), type_="check")
        for column in (
            "ship_far_step_vnd",
            "ship_far_vnd",
            "ship_region_step_vnd",
            "ship_region_vnd",
            "ship_province_step_vnd",
            "ship_province_vnd",
            "ship_base_grams",
            "shipping_mode",
        ):
            batch_op.drop_column(column)

    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_products_shipping_grams_range"), type_="check")
        batch_op.drop_constraint(op.f("ck_products_abv_range"), type_="check")
        batch_op.drop_column("shipping_grams")
        batch_op.drop_column("abv_tenths")
    _restore_sqlite_search()

    with op.batch_alter_table("product_sets", schema=None) as batch_op:
        batch_op.drop_column("alcoholic")
