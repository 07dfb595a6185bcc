"""The default score sheets and the default plan of stages: the rows the migration
seeds and ``flask rating seed`` restores on an empty database. Staff change them
from /staff/rating afterwards; these are a starting point, not rules.

The sheets follow the structure of Decision 148/QĐ-TTg (2023: parts A/B/C worth
40/25/35) and Decision 1048/QĐ-TTg (2019: 35/25/40). Their criteria are a
representative general sheet, condensed from the annexes (each product set has its
own annex with more detailed criteria): staff add a product set's own sheet by copying
the general one and editing it. Mandatory criteria are those the annexes star (*):
a product failing one reaches no band.
"""

from sqlalchemy import select

from shop.certification.legal_bases import BASIS_148, BASIS_1048
from shop.extensions import db
from shop.rating.models import (
    RatingCriterion,
    RatingMove,
    RatingPlan,
    RatingSheet,
    RatingStage,
)

# (part, code, text, points under 148/2023, points under 1048/2019, mandatory)
CRITERIA = [
    ("A", "A1", "Nguồn nguyên liệu (vùng nguyên liệu tại địa phương, ổn định)", 5, 5, False),
    ("A", "A2", "Gia tăng giá trị (sơ chế, chế biến tại địa phương)", 4, 4, False),
    ("A", "A3", "Công suất, quy mô sản xuất đáp ứng thị trường", 3, 3, False),
    ("A", "A4", "Liên kết sản xuất theo chuỗi giá trị", 5, 4, False),
    ("A", "A5", "Sử dụng lao động địa phương", 4, 3, False),
    ("A", "A6", "Loại hình tổ chức sản xuất (hợp tác xã, doanh nghiệp, hộ)", 5, 5, False),
    (
        "A",
        "A7",
        "Hồ sơ bảo vệ môi trường và an toàn lao động trong sản xuất",
        5,
        4,
        True,
    ),
    ("A", "A8", "Quản trị, kế toán của chủ thể", 4, 3, False),
    ("A", "A9", "Phát triển, cải tiến sản phẩm và câu chuyện sản phẩm", 5, 4, False),
    ("B", "B1", "Mẫu mã, bao bì sản phẩm", 4, 4, False),
    (
        "B",
        "B2",
        "Ghi nhãn hàng hóa đúng quy định, truy xuất nguồn gốc",
        4,
        4,
        True,
    ),
    ("B", "B3", "Câu chuyện và tài liệu giới thiệu sản phẩm", 3, 3, False),
    ("B", "B4", "Kênh phân phối, thị trường tiêu thụ", 4, 4, False),
    ("B", "B5", "Quảng bá, xúc tiến thương mại, bán hàng trực tuyến", 4, 4, False),
    ("B", "B6", "Bảo hộ sở hữu trí tuệ (nhãn hiệu)", 3, 3, False),
    ("B", "B7", "Kế hoạch kinh doanh", 3, 3, False),
    ("C", "C1", "Tính độc đáo, đặc trưng của sản phẩm", 5, 6, False),
    ("C", "C2", "Chất lượng cảm quan (màu sắc, mùi, vị, trạng thái)", 5, 6, False),
    (
        "C",
        "C3",
        "Chứng nhận an toàn thực phẩm (cơ sở đủ điều kiện, tự công bố sản phẩm)",
        8,
        8,
        True,
    ),
    ("C", "C4", "Chỉ tiêu chất lượng, hạn sử dụng và bảo quản", 4, 5, False),
    ("C", "C5", "Chứng nhận hệ thống quản lý chất lượng (VietGAP, hữu cơ, ISO…)", 5, 5, False),
    ("C", "C6", "Khả năng phát triển thị trường, xuất khẩu", 5, 6, False),
    ("C", "C7", "Kiểm nghiệm định kỳ, kiểm soát chất lượng", 3, 4, False),
]

SHEETS = [
    # (legal basis, name, part maxima, index of its points in CRITERIA)
    (BASIS_148, "Bộ tiêu chí chung theo Quyết định 148/QĐ-TTg (2023)", (40, 25, 35), 3),
    (BASIS_1048, "Bộ tiêu chí chung theo Quyết định 1048/QĐ-TTg (2019)", (35, 25, 40), 4),
]

# (code, name, records scores, 5-star candidates only, final)
STAGES = [
    ("received", "Tiếp nhận hồ sơ", False, False, False),
    ("complete", "Hồ sơ đầy đủ, hợp lệ", False, False, False),
    ("preliminary", "Đánh giá sơ bộ cấp thành phố / xã", True, False, False),
    ("provincial", "Hội đồng đánh giá cấp tỉnh", True, False, False),
    ("central", "Hội đồng Trung ương (ứng viên 5 sao)", True, True, False),
    ("decided", "Đã có quyết định", False, False, True),
]
# (from, to): forward through the plan, a dossier sent back for additions, and a
# decision after any council (a product that fails the preliminary review is decided
# as not certified there).
MOVES = [
    ("received", "complete"),
    ("complete", "received"),
    ("complete", "preliminary"),
    ("preliminary", "provincial"),
    ("preliminary", "decided"),
    ("provincial", "central"),
    ("provincial", "decided"),
    ("central", "decided"),
]
PLAN_NAME = "Kế hoạch đánh giá, phân hạng sản phẩm OCOP năm %(year)s"


def build_sheet(basis: str, name: str, maxima: tuple[int, int, int], column: int) -> RatingSheet:
    sheet = RatingSheet(
        legal_basis=basis,
        product_set_id=None,
        name=name,
        part_a_max=maxima[0],
        part_b_max=maxima[1],
        part_c_max=maxima[2],
    )
    for position, row in enumerate(CRITERIA):
        sheet.criteria.append(
            RatingCriterion(
                part=row[0],
                code=row[1],
                text=row[2],
                max_points=row[column],
                mandatory=row[5],
                min_points=1,
                position=position,
            )
        )
    return sheet


def build_plan(year: int) -> RatingPlan:
    plan = RatingPlan(year=year, name=PLAN_NAME % {"year": year})
    by_code = {}
    for position, (code, name, scores, five, final) in enumerate(STAGES):
        stage = RatingStage(
            code=code,
            name=name,
            position=position,
            records_scores=scores,
            five_star_only=five,
            final=final,
        )
        plan.stages.append(stage)
        by_code[code] = stage
    for source, target in MOVES:
        by_code[source].moves.append(RatingMove(to_stage=by_code[target]))
    return plan


def seed_defaults(year: int) -> None:
    """Add the general sheets and the plan of ``year`` where missing; flushes."""
    for basis, name, maxima, column in SHEETS:
        exists = db.session.scalar(
            select(RatingSheet.id).where(
                RatingSheet.legal_basis == basis, RatingSheet.product_set_id.is_(None)
            )
        )
        if exists is None:
            db.session.add(build_sheet(basis, name, maxima, column))
    if db.session.scalar(select(RatingPlan.id).where(RatingPlan.year == year)) is None:
        db.session.add(build_plan(year))
    db.session.flush()
