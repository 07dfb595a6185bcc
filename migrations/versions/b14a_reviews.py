"""reviews by verified buyers: one per order line, the producer's reply, moderation

Revision ID: b14a_reviews
Revises: b13f_alcohol_shipping
Create Date: 2026-11-30 08:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b14a_reviews"
down_revision = "b13f_alcohol_shipping"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_line_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=True),
        sa.Column("producer_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author_name", sa.String(length=60), nullable=False),
        sa.Column("rating", sa.SmallInteger(), nullable=False),
        sa.Column("body", sa.String(length=2000), nullable=False),
        sa.Column("photo_path", sa.String(length=200), nullable=True),
        sa.Column(
            "status",
            sa.Enum("visible", "hidden", name="reviewstatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("hidden_reason", sa.String(length=500), nullable=True),
        sa.Column("hidden_by_id", sa.Integer(), nullable=True),
        sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reply_body", sa.String(length=2000), nullable=True),
        sa.Column("reply_by_id", sa.Integer(), nullable=True),
        sa.Column("replied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name=op.f("ck_reviews_rating_range")),
        sa.CheckConstraint(
            "status = 'visible' OR hidden_reason IS NOT NULL",
            name=op.f("ck_reviews_hidden_has_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["order_line_id"], ["order_lines.id"], name=op.f("fk_reviews_order_line_id_order_lines")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_reviews_product_id_products"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["producer_id"], ["producers.id"], name=op.f("fk_reviews_producer_id_producers")
        ),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_reviews_author_id_users")),
        sa.ForeignKeyConstraint(
            ["hidden_by_id"], ["users.id"], name=op.f("fk_reviews_hidden_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["reply_by_id"], ["users.id"], name=op.f("fk_reviews_reply_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews")),
        sa.UniqueConstraint("order_line_id", name=op.f("uq_reviews_order_line_id")),
    )
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.create_index(
            "ix_reviews_product_status", ["product_id", "status", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_reviews_producer_created", ["producer_id", "created_at"], unique=False
        )
        batch_op.create_index("ix_reviews_status_created", ["status", "created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_reviews_author_id"), ["author_id"], unique=False)


def downgrade():
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reviews_author_id"))
        batch_op.drop_index("ix_reviews_status_created")
        batch_op.drop_index("ix_reviews_producer_created")
        batch_op.drop_index("ix_reviews_product_status")

    op.drop_table("reviews")
