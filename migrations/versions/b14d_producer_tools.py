"""producer tools: products keep the Markdown of their description

Revision ID: b14d_producer_tools
Revises: b14c_checkout
Create Date: 2026-12-01 08:00:00

Existing rows keep their sanitised HTML in ``description`` and get NULL here: the
product form converts that HTML to Markdown when the producer next edits it, and
pages go on rendering ``description`` as before.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b14d_producer_tools"
down_revision = "b14c_checkout"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("products") as batch_op:
        batch_op.add_column(sa.Column("description_md", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("products") as batch_op:
        batch_op.drop_column("description_md")
