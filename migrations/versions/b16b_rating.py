"""rating cycle: score sheets, the year's plan of stages, applications

Revision ID: b16b_rating
Revises: b14d_producer_tools
Create Date: 2026-11-29 11:38:40.690279

Seeds the general score sheets of Decisions 148/QĐ-TTg (2023) and 1048/QĐ-TTg (2019)
and the plan of the current year, copied from shop/rating/defaults.py as it was
when this migration was written (a migration never imports the app's code).
"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b16b_rating'
down_revision = 'b14d_producer_tools'
branch_labels = None
depends_on = None


BASIS_148 = '148/QĐ-TTg (24/02/2023)'
BASIS_1048 = '1048/QĐ-TTg (21/8/2019)'
# (part, code, text, points under 148/2023, points under 1048/2019, mandatory)
CRITERIA = [('A', 'A1', 'Nguồn nguyên liệu (vùng nguyên liệu tại địa phương, ổn định)', 5, 5, False),
 ('A', 'A2', 'Gia tăng giá trị (sơ chế, chế biến tại địa phương)', 4, 4, False),
 ('A', 'A3', 'Công suất, quy mô sản xuất đáp ứng thị trường', 3, 3, False),
 ('A', 'A4', 'Liên kết sản xuất theo chuỗi giá trị', 5, 4, False),
 ('A', 'A5', 'Sử dụng lao động địa phương', 4, 3, False),
 ('A', 'A6', 'Loại hình tổ chức sản xuất (hợp tác xã, doanh nghiệp, hộ)', 5, 5, False),
 ('A', 'A7', 'Hồ sơ bảo vệ môi trường và an toàn lao động trong sản xuất', 5, 4, True),
 ('A', 'A8', 'Quản trị, kế toán của chủ thể', 4, 3, False),
 ('A', 'A9', 'Phát triển, cải tiến sản phẩm và câu chuyện sản phẩm', 5, 4, False),
 ('B', 'B1', 'Mẫu mã, bao bì sản phẩm', 4, 4, False),
 ('B', 'B2', 'Ghi nhãn hàng hóa đúng quy định, truy xuất nguồn gốc', 4, 4, True),
 ('B', 'B3', 'Câu chuyện và tài liệu giới thiệu sản phẩm', 3, 3, False),
 ('B', 'B4', 'Kênh phân phối, thị trường tiêu thụ', 4, 4, False),
 ('B', 'B5', 'Quảng bá, xúc tiến thương mại, bán hàng trực tuyến', 4, 4, False),
 ('B', 'B6', 'Bảo hộ sở hữu trí tuệ (nhãn hiệu)', 3, 3, False),
 ('B', 'B7', 'Kế hoạch kinh doanh', 3, 3, False),
 ('C', 'C1', 'Tính độc đáo, đặc trưng của sản phẩm', 5, 6, False),
 ('C', 'C2', 'Chất lượng cảm quan (màu sắc, mùi, vị, trạng thái)', 5, 6, False),
 ('C', 'C3', 'Chứng nhận an toàn thực phẩm (cơ sở đủ điều kiện, tự công bố sản phẩm)', 8, 8, True),
 ('C', 'C4', 'Chỉ tiêu chất lượng, hạn sử dụng và bảo quản', 4, 5, False),
 ('C', 'C5', 'Chứng nhận hệ thống quản lý chất lượng (VietGAP, hữu cơ, ISO…)', 5, 5, False),
 ('C', 'C6', 'Khả năng phát triển thị trường, xuất khẩu', 5, 6, False),
 ('C', 'C7', 'Kiểm nghiệm định kỳ, kiểm soát chất lượng', 3, 4, False)]
SHEETS = [('148/QĐ-TTg (24/02/2023)',
  'Bộ tiêu chí chung theo Quyết định 148/QĐ-TTg (2023)',
  (40, 25, 35),
  3),
 ('1048/QĐ-TTg (21/8/2019)',
  'Bộ tiêu chí chung theo Quyết định 1048/QĐ-TTg (2019)',
  (35, 25, 40),
  4)]
STAGES = [('received', 'Tiếp nhận hồ sơ', False, False, False),
 ('complete', 'Hồ sơ đầy đủ, hợp lệ', False, False, False),
 ('preliminary', 'Đánh giá sơ bộ cấp thành phố / xã', True, False, False),
 ('provincial', 'Hội đồng đánh giá cấp tỉnh', True, False, False),
 ('central', 'Hội đồng Trung ương (ứng viên 5 sao)', True, True, False),
 ('decided', 'Đã có quyết định', False, False, True)]
MOVES = [('received', 'complete'),
 ('complete', 'received'),
 ('complete', 'preliminary'),
 ('preliminary', 'provincial'),
 ('preliminary', 'decided'),
 ('provincial', 'central'),
 ('provincial', 'decided'),
 ('central', 'decided')]
PLAN_NAME = 'Kế hoạch đánh giá, phân hạng sản phẩm OCOP năm %(year)s'


def seed():
    bind = op.get_bind()
    sheets = sa.table(
        "rating_sheets",
        sa.column("legal_basis", sa.String), sa.column("name", sa.String),
        sa.column("part_a_max", sa.Integer), sa.column("part_b_max", sa.Integer),
        sa.column("part_c_max", sa.Integer), sa.column("active", sa.Boolean),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    criteria = sa.table(
        "rating_criteria",
        sa.column("sheet_id", sa.Integer), sa.column("part", sa.String),
        sa.column("code", sa.String), sa.column("text", sa.String),
        sa.column("max_points", sa.Integer), sa.column("mandatory", sa.Boolean),
        sa.column("min_points", sa.Integer), sa.column("position", sa.Integer),
    )
    now = datetime.now(UTC)
    for basis, name, (a, b, c), column in SHEETS:
        op.bulk_insert(sheets, [dict(
            legal_basis=basis, name=name, part_a_max=a, part_b_max=b, part_c_max=c,
            active=True, created_at=now,
        )])
        sheet_id = bind.execute(
            sa.text("SELECT id FROM rating_sheets WHERE legal_basis = :b"), {"b": basis}
        ).scalar_one()
        op.bulk_insert(criteria, [
            dict(sheet_id=sheet_id, part=row[0], code=row[1], text=row[2],
                 max_points=row[column], mandatory=row[5], min_points=1, position=position)
            for position, row in enumerate(CRITERIA)
        ])
    year = now.year
    plans = sa.table("rating_plans", sa.column("year", sa.Integer), sa.column("name", sa.String))
    stages = sa.table(
        "rating_stages",
        sa.column("plan_id", sa.Integer), sa.column("position", sa.Integer),
        sa.column("code", sa.String), sa.column("name", sa.String),
        sa.column("records_scores", sa.Boolean), sa.column("five_star_only", sa.Boolean),
        sa.column("final", sa.Boolean),
    )
    moves = sa.table(
        "rating_stage_moves",
        sa.column("from_stage_id", sa.Integer), sa.column("to_stage_id", sa.Integer),
    )
    op.bulk_insert(plans, [dict(year=year, name=PLAN_NAME % {"year": year})])
    plan_id = bind.execute(
        sa.text("SELECT id FROM rating_plans WHERE year = :y"), {"y": year}
    ).scalar_one()
    op.bulk_insert(stages, [
        dict(plan_id=plan_id, position=position, code=code, name=name,
             records_scores=scores, five_star_only=five, final=final)
        for position, (code, name, scores, five, final) in enumerate(STAGES)
    ])
    ids = dict(bind.execute(
        sa.text("SELECT code, id FROM rating_stages WHERE plan_id = :p"), {"p": plan_id}
    ).all())
    op.bulk_insert(moves, [dict(from_stage_id=ids[a], to_stage_id=ids[b]) for a, b in MOVES])


def upgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table('rating_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rating_plans')),
    sa.UniqueConstraint('year', name=op.f('uq_rating_plans_year'))
    )
    op.create_table('rating_stages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('records_scores', sa.Boolean(), nullable=False),
    sa.Column('five_star_only', sa.Boolean(), nullable=False),
    sa.Column('final', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['rating_plans.id'], name=op.f('fk_rating_stages_plan_id_rating_plans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rating_stages')),
    sa.UniqueConstraint('plan_id', 'code', name='uq_rating_stages_plan_code')
    )
    with op.batch_alter_table('rating_stages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rating_stages_plan_id'), ['plan_id'], unique=False)

    op.create_table('rating_sheets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('legal_basis', sa.String(length=120), nullable=False),
    sa.Column('product_set_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('part_a_max', sa.Integer(), nullable=False),
    sa.Column('part_b_max', sa.Integer(), nullable=False),
    sa.Column('part_c_max', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('part_a_max > 0 AND part_b_max > 0 AND part_c_max > 0 AND part_a_max + part_b_max + part_c_max = 100', name=op.f('ck_rating_sheets_parts_make_100')),
    sa.ForeignKeyConstraint(['product_set_id'], ['product_sets.id'], name=op.f('fk_rating_sheets_product_set_id_product_sets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rating_sheets'))
    )
    with op.batch_alter_table('rating_sheets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rating_sheets_legal_basis'), ['legal_basis'], unique=False)

    op.create_table('rating_stage_moves',
    sa.Column('from_stage_id', sa.Integer(), nullable=False),
    sa.Column('to_stage_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['from_stage_id'], ['rating_stages.id'], name=op.f('fk_rating_stage_moves_from_stage_id_rating_stages')),
    sa.ForeignKeyConstraint(['to_stage_id'], ['rating_stages.id'], name=op.f('fk_rating_stage_moves_to_stage_id_rating_stages')),
    sa.PrimaryKeyConstraint('from_stage_id', 'to_stage_id', name=op.f('pk_rating_stage_moves'))
    )
    op.create_table('rating_criteria',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sheet_id', sa.Integer(), nullable=False),
    sa.Column('part', sa.String(length=1), nullable=False),
    sa.Column('code', sa.String(length=10), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('max_points', sa.Integer(), nullable=False),
    sa.Column('mandatory', sa.Boolean(), nullable=False),
    sa.Column('min_points', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint("part IN ('A', 'B', 'C')", name=op.f('ck_rating_criteria_part_abc')),
    sa.CheckConstraint('max_points > 0', name=op.f('ck_rating_criteria_max_points_positive')),
    sa.CheckConstraint('min_points >= 0 AND min_points <= max_points', name=op.f('ck_rating_criteria_min_points_range')),
    sa.ForeignKeyConstraint(['sheet_id'], ['rating_sheets.id'], name=op.f('fk_rating_criteria_sheet_id_rating_sheets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rating_criteria')),
    sa.UniqueConstraint('sheet_id', 'code', name='uq_rating_criteria_sheet_code')
    )
    with op.batch_alter_table('rating_criteria', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rating_criteria_sheet_id'), ['sheet_id'], unique=False)

    op.create_table('rating_applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('producer_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('first', 'rerating', name='applicationkind', native_enum=False, length=20), nullable=False),
    sa.Column('certificate_id', sa.Integer(), nullable=True),
    sa.Column('previous_id', sa.Integer(), nullable=True),
    sa.Column('product_set_id', sa.Integer(), nullable=False),
    sa.Column('sheet_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'in_review', 'certified', 'not_certified', name='applicationstatus', native_enum=False, length=20), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=True),
    sa.Column('stage_id', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_score', sa.Integer(), nullable=True),
    sa.Column('decided_stars', sa.Integer(), nullable=True),
    sa.Column('decision_note', sa.String(length=500), nullable=True),
    sa.Column('result_certificate_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificates.id'], name=op.f('fk_rating_applications_certificate_id_certificates')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_rating_applications_created_by_id_users')),
    sa.ForeignKeyConstraint(['plan_id'], ['rating_plans.id'], name=op.f('fk_rating_applications_plan_id_rating_plans')),
    sa.ForeignKeyConstraint(['previous_id'], ['rating_applications.id'], name=op.f('fk_rating_applications_previous_id_rating_applications')),
    sa.ForeignKeyConstraint(['producer_id'], ['producers.id'], name=op.f('fk_rating_applications_producer_id_producers')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_rating_applications_product_id_products')),
    sa.ForeignKeyConstraint(['product_set_id'], ['product_sets.id'], name=op.f('fk_rating_applications_product_set_id_product_sets')),
    sa.ForeignKeyConstraint(['result_certificate_id'], ['certificates.id'], name=op.f('fk_rating_applications_result_certificate_id_certificates')),
    sa.ForeignKeyConstraint(['sheet_id'], ['rating_sheets.id'], name=op.f('fk_rating_applications_sheet_id_rating_sheets')),
    sa.ForeignKeyConstraint(['stage_id'], ['rating_stages.id'], name=op.f('fk_rating_applications_stage_id_rating_stages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rating_applications'))
    )
    with op.batch_alter_table('rating_applications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rating_applications_certificate_id'), ['certificate_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rating_applications_producer_id'), ['producer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rating_applications_product_id'), ['product_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rating_applications_stage_id'), ['stage_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rating_applications_status'), ['status'], unique=False)

    op.create_table('rating_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('registration_form', 'production_plan', 'test_report', 'photo', 'label_artwork', name='documentkind', native_enum=False, length=30), nullable=False),
    sa.Column('path', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['rating_applications.id'], name=op.f('fk_rating_documents_application_id_rating_applications')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_rating_documents_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rating_documents'))
    )
    with op.batch_alter_table('rating_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rating_documents_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rating_documents_path'), ['path'], unique=False)

    op.create_table('rating_scorings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=True),
    sa.Column('comments', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['rating_applications.id'], name=op.f('fk_rating_scorings_application_id_rating_applications')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_rating_scorings_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['stage_id'], ['rating_stages.id'], name=op.f('fk_rating_scorings_stage_id_rating_stages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rating_scorings')),
    sa.UniqueConstraint('application_id', 'stage_id', name='uq_rating_scorings_stage')
    )
    with op.batch_alter_table('rating_scorings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rating_scorings_application_id'), ['application_id'], unique=False)

    op.create_table('rating_scores',
    sa.Column('scoring_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.CheckConstraint('points >= 0', name=op.f('ck_rating_scores_points_not_negative')),
    sa.ForeignKeyConstraint(['criterion_id'], ['rating_criteria.id'], name=op.f('fk_rating_scores_criterion_id_rating_criteria')),
    sa.ForeignKeyConstraint(['scoring_id'], ['rating_scorings.id'], name=op.f('fk_rating_scores_scoring_id_rating_scorings')),
    sa.PrimaryKeyConstraint('scoring_id', 'criterion_id', name=op.f('pk_rating_scores'))
    )
    # ### end Alembic commands ###

    seed()


def downgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    op.drop_table('rating_scores')
    with op.batch_alter_table('rating_scorings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rating_scorings_application_id'))

    op.drop_table('rating_scorings')
    with op.batch_alter_table('rating_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rating_documents_path'))
        batch_op.drop_index(batch_op.f('ix_rating_documents_application_id'))

    op.drop_table('rating_documents')
    with op.batch_alter_table('rating_applications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rating_applications_status'))
        batch_op.drop_index(batch_op.f('ix_rating_applications_stage_id'))
        batch_op.drop_index(batch_op.f('ix_rating_applications_product_id'))
        batch_op.drop_index(batch_op.f('ix_rating_applications_producer_id'))
        batch_op.drop_index(batch_op.f('ix_rating_applications_certificate_id'))

    op.drop_table('rating_applications')
    with op.batch_alter_table('rating_criteria', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rating_criteria_sheet_id'))

    op.drop_table('rating_criteria')
    op.drop_table('rating_stage_moves')
    with op.batch_alter_table('rating_sheets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rating_sheets_legal_basis'))

    op.drop_table('rating_sheets')
    with op.batch_alter_table('rating_stages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rating_stages_plan_id'))

    op.drop_table('rating_stages')
    op.drop_table('rating_plans')
    # ### end Alembic commands ###
