"""wishlist and back-in-stock alerts (issue 12)

Revision ID: b14b_wishlist
Revises: b14a_reviews
Create Date: 2026-11-30 09:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b14b_wishlist"
down_revision = "b14a_reviews"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "wishlist_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_wishlist_items_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_wishlist_items_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wishlist_items")),
        sa.UniqueConstraint("user_id", "product_id", name="uq_wishlist_items_user_product"),
    )
    with op.batch_alter_table("wishlist_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_wishlist_items_product_id"), ["product_id"], unique=False
        )

    op.create_table(
        "stock_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_stock_alerts_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_stock_alerts_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_alerts")),
        sa.UniqueConstraint("token", name=op.f("uq_stock_alerts_token")),
    )
    with op.batch_alter_table("stock_alerts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stock_alerts_product_id"), ["product_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_stock_alerts_user_id"), ["user_id"], unique=False)
        batch_op.create_index(
            "uq_stock_alerts_pending",
            ["email", "product_id"],
            unique=True,
            sqlite_where=sa.text("notified_at IS NULL"),
            postgresql_where=sa.text("notified_at IS NULL"),
        )


def downgrade():
    with op.batch_alter_table("stock_alerts", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_stock_alerts_pending",
            sqlite_where=sa.text("notified_at IS NULL"),
            postgresql_where=sa.text("notified_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_stock_alerts_user_id"))
        batch_op.drop_index(batch_op.f("ix_stock_alerts_product_id"))
    op.drop_table("stock_alerts")
    with op.batch_alter_table("wishlist_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wishlist_items_product_id"))
    op.drop_table("wishlist_items")
