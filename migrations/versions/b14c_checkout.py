"""checkout without e-mail: an order's e-mail may be absent (cash-on-delivery
buyers often have none); the phone stays required

Revision ID: b14c_checkout
Revises: b14b_wishlist
Create Date: 2026-12-01 08:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b14c_checkout"
down_revision = "b14b_wishlist"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.alter_column("email", existing_type=sa.String(length=254), nullable=True)


def downgrade():
    # Orders placed without an e-mail get an empty one: the column was NOT NULL.
    op.execute("UPDATE orders SET email = '' WHERE email IS NULL")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.alter_column("email", existing_type=sa.String(length=254), nullable=False)
