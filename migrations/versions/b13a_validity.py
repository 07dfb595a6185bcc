"""certificates store their last valid day; the end date a certificate prints

The stored ``expires_on`` was meant as the first day no longer valid and held the
decision date + 36 months: under the Civil Code's count that date is the last valid
day. The column is renamed ``valid_through`` and keeps its values, which are right
under the new name; what changes is that the day itself now counts as valid.

Revision ID: b13a_validity
Revises: b11a_outbox
Create Date: 2026-11-29 05:40:00

"""

from alembic import op
import sqlalchemy as sa
from dateutil.relativedelta import relativedelta


# revision identifiers, used by Alembic.
revision = "b13a_validity"
down_revision = "b13d_provinces"
branch_labels = None
depends_on = None

# The rule as it stands today (shop/certification/rules.py), copied: a migration
# must not change when the application code does.
VALIDITY_MONTHS = 36

certificates = sa.table(
    "certificates",
    sa.column("id", sa.Integer),
    sa.column("decision_date", sa.Date),
    sa.column("valid_through", sa.Date),
)


def upgrade():
    op.drop_index('ix_certificates_expires_on', table_name='certificates')
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.alter_column('expires_on', new_column_name='valid_through', existing_type=sa.Date(), existing_nullable=False)
        batch_op.add_column(sa.Column('printed_valid_through', sa.Date(), nullable=True))
    op.create_index(op.f('ix_certificates_valid_through'), 'certificates', ['valid_through'], unique=False)


def downgrade():
    # Printed end dates are dropped: back to the 36 months for every row.
    conn = op.get_bind()
    rows = conn.execute(sa.select(certificates.c.id, certificates.c.decision_date)).all()
    for cid, decided in rows:
        conn.execute(
            certificates.update()
            .where(certificates.c.id == cid)
            .values(valid_through=decided + relativedelta(months=VALIDITY_MONTHS))
        )
    op.drop_index(op.f('ix_certificates_valid_through'), table_name='certificates')
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_column('printed_valid_through')
        batch_op.alter_column('valid_through', new_column_name='expires_on', existing_type=sa.Date(), existing_nullable=False)
    op.create_index('ix_certificates_expires_on', 'certificates', ['expires_on'], unique=False)
