"""pick-up at a sales centre: a shipment may be collected at a centre, with a
pick-up code, and records when it was collected

Revision ID: b16c_pickup
Revises: b16a_centres
Create Date: 2026-11-29 12:50:00.000000

Existing shipments are home deliveries: the three columns stay NULL.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b16c_pickup"
down_revision = "b16a_centres"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pickup_centre_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("pickup_code", sa.String(length=8), nullable=True))
        batch_op.add_column(
            sa.Column("collected_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_shipments_pickup_centre_id_centres"),
            "centres",
            ["pickup_centre_id"],
            ["id"],
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_shipments_pickup_code"), ["pickup_code"]
        )
        batch_op.create_index(
            "ix_shipments_pickup_centre_collected",
            ["pickup_centre_id", "collected_at"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.drop_index("ix_shipments_pickup_centre_collected")
        batch_op.drop_constraint(batch_op.f("uq_shipments_pickup_code"), type_="unique")
        batch_op.drop_constraint(
            batch_op.f("fk_shipments_pickup_centre_id_centres"), type_="foreignkey"
        )
        batch_op.drop_column("collected_at")
        batch_op.drop_column("pickup_code")
        batch_op.drop_column("pickup_centre_id")
