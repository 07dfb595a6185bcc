"""orders keep the locality names and the locality data version of the day

Province codes were reused with new meanings after the 1 July 2025 reform, so an
order's address keeps the names it was placed with and the data version they come
from, not only the codes. Older orders keep NULL (their names are read from the
codes, as before).

Revision ID: b13d_provinces
Revises: b11a_outbox
Create Date: 2026-11-29 05:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "b13d_provinces"
down_revision = "b13e_legal"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("province_name", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("ward_name", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("locality_version", sa.String(length=20), nullable=True))


def downgrade():
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("locality_version")
        batch_op.drop_column("ward_name")
        batch_op.drop_column("province_name")
