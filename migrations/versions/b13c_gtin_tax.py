"""GTIN owners and grants; household tax IDs; the withholding base of settlements

Revision ID: b13c_gtin_tax
Revises: b11a_outbox
Create Date: 2026-12-01 09:00:00

"""

from alembic import op
import sqlalchemy as sa


revision = "b13c_gtin_tax"
down_revision = "b13b_labels"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "gtin_owners",
        sa.Column("gtin", sa.String(length=13), nullable=False),
        sa.Column("producer_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["producer_id"], ["producers.id"], name=op.f("fk_gtin_owners_producer_id_producers")
        ),
        sa.PrimaryKeyConstraint("gtin", name=op.f("pk_gtin_owners")),
    )
    with op.batch_alter_table("gtin_owners", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_gtin_owners_producer_id"), ["producer_id"], unique=False
        )

    op.create_table(
        "gtin_grants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("gtin", sa.String(length=13), nullable=False),
        sa.Column("producer_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("granted_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["granted_by_id"], ["users.id"], name=op.f("fk_gtin_grants_granted_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["producer_id"], ["producers.id"], name=op.f("fk_gtin_grants_producer_id_producers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gtin_grants")),
        sa.UniqueConstraint("gtin", "producer_id", name="uq_gtin_grants_gtin_producer"),
    )
    with op.batch_alter_table("gtin_grants", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_gtin_grants_gtin"), ["gtin"], unique=False)

    # Numbers already listed belong to the producer of their oldest listing; other
    # producers' listings keep their number (the rule is checked when it changes).
    op.execute(
        "INSERT INTO gtin_owners (gtin, producer_id, created_at)"
        " SELECT p.gtin, p.producer_id, p.created_at FROM products p"
        " WHERE p.gtin IS NOT NULL"
        " AND p.id = (SELECT min(q.id) FROM products q WHERE q.gtin = p.gtin)"
    )

    with op.batch_alter_table("producers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tax_id", sa.String(length=14), nullable=True))

    with op.batch_alter_table("settlements", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("withholding_base_vnd", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("tax_id", sa.String(length=14), nullable=True))

    # Until now the withholding was computed on the whole of gross - refunds.
    op.execute(
        "UPDATE settlements SET withholding_base_vnd = gross_vnd - refunds_vnd"
        " WHERE vat_bps > 0 OR pit_bps > 0"
    )


def downgrade():
    with op.batch_alter_table("settlements", schema=None) as batch_op:
        batch_op.drop_column("tax_id")
        batch_op.drop_column("withholding_base_vnd")

    with op.batch_alter_table("producers", schema=None) as batch_op:
        batch_op.drop_column("tax_id")

    with op.batch_alter_table("gtin_grants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gtin_grants_gtin"))

    op.drop_table("gtin_grants")
    with op.batch_alter_table("gtin_owners", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gtin_owners_producer_id"))

    op.drop_table("gtin_owners")
