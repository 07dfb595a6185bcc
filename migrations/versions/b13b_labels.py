"""per-producer print offset for label sheets (OCOP rules round two)

Revision ID: b13b_labels
Revises: b11a_outbox
Create Date: 2026-11-29 06:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b13b_labels'
down_revision = 'b11a_outbox'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('producers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('label_offset_x', sa.SmallInteger(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('label_offset_y', sa.SmallInteger(), server_default='0', nullable=False))
        batch_op.create_check_constraint(op.f('ck_producers_label_offset_x_range'), 'label_offset_x BETWEEN -100 AND 100')
        batch_op.create_check_constraint(op.f('ck_producers_label_offset_y_range'), 'label_offset_y BETWEEN -100 AND 100')


def downgrade():
    with op.batch_alter_table('producers', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_producers_label_offset_y_range'), type_='check')
        batch_op.drop_constraint(op.f('ck_producers_label_offset_x_range'), type_='check')
        batch_op.drop_column('label_offset_y')
        batch_op.drop_column('label_offset_x')
