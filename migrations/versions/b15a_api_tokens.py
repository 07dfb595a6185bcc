"""api tokens: producers' personal access tokens and the Idempotency-Keys of their writes

Revision ID: b15a_api_tokens
Revises: b16b_rating
Create Date: 2026-12-02 08:00:00

Two new tables; nothing existing changes.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b15a_api_tokens"
down_revision = "b16b_rating"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("producer_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("hint", sa.String(length=20), nullable=False),
        sa.Column("scopes_text", sa.String(length=200), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_api_tokens_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["producer_id"], ["producers.id"], name=op.f("fk_api_tokens_producer_id_producers")
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by_id"], ["users.id"], name=op.f("fk_api_tokens_revoked_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    with op.batch_alter_table("api_tokens") as batch_op:
        batch_op.create_index(batch_op.f("ix_api_tokens_producer_id"), ["producer_id"], unique=False)

    op.create_table(
        "api_idempotency_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.SmallInteger(), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["token_id"], ["api_tokens.id"], name=op.f("fk_api_idempotency_keys_token_id_api_tokens")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_idempotency_keys")),
        sa.UniqueConstraint("token_id", "key", name="uq_api_idempotency_keys_token_key"),
    )
    with op.batch_alter_table("api_idempotency_keys") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_api_idempotency_keys_created_at"), ["created_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("api_idempotency_keys") as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_idempotency_keys_created_at"))
    op.drop_table("api_idempotency_keys")
    with op.batch_alter_table("api_tokens") as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_tokens_producer_id"))
    op.drop_table("api_tokens")
