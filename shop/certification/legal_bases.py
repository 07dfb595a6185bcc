"""Which legal basis was in force on a decision date, and who could recognise each
star rank then. The table is data: when the rules change again, add a row.

Each row names its source. Where a fact is not checked against the text of the
decision it says so (``verified=False``), as DOMAIN.md asks.
"""

import unicodedata
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l

from shop.certification.models import IssuerLevel
from shop.certification.rules import DISTRICT_LEVEL_ABOLISHED

BASIS_1048 = "1048/QĐ-TTg (21/8/2019)"
BASIS_148 = "148/QĐ-TTg (24/02/2023)"

# What the certificate form offers, the current basis first (the form's default).
LEGAL_BASES = [
    (BASIS_148, _l("Quyết định 148/QĐ-TTg ngày 24/02/2023")),
    (BASIS_1048, _l("Quyết định 1048/QĐ-TTg ngày 21/8/2019")),
]

P, D, C = IssuerLevel.PROVINCE, IssuerLevel.DISTRICT, IssuerLevel.CENTRAL


@dataclass(frozen=True)
class Period:
    """From ``starts`` to ``ends`` (both included; None: still in force)."""

    starts: date
    ends: date | None
    basis: str
    issuers: dict[int, frozenset[IssuerLevel]]  # star rank -> levels that may recognise it
    source: str
    verified: bool = True
    notes: str = field(default="")

    def covers(self, day: date) -> bool:
        return self.starts <= day and (self.ends is None or day <= self.ends)


PERIODS = (
    Period(
        starts=date(2019, 8, 21),
        ends=date(2023, 2, 23),
        basis=BASIS_1048,
        issuers={3: frozenset({P}), 4: frozenset({P}), 5: frozenset({C})},
        source=(
            "Quyết định 1048/QĐ-TTg ngày 21/8/2019 (Bộ tiêu chí đánh giá, phân hạng sản "
            "phẩm OCOP), hiệu lực từ ngày ký; UBND tỉnh công nhận 3 và 4 sao, Trung ương "
            "công nhận 5 sao"
        ),
    ),
    Period(
        starts=date(2023, 2, 24),
        ends=date(2025, 6, 30),
        basis=BASIS_148,
        # 3 stars by the district; provinces kept recognising 3 stars for products
        # they evaluated themselves, so the province is accepted too.
        issuers={3: frozenset({D, P}), 4: frozenset({P}), 5: frozenset({C})},
        source=(
            "Quyết định 148/QĐ-TTg ngày 24/02/2023 (Bộ tiêu chí và Quy trình đánh giá, "
            "phân hạng sản phẩm OCOP), hiệu lực từ ngày ký, thay Quyết định 1048/QĐ-TTg: "
            "UBND huyện công nhận 3 sao, UBND tỉnh 4 sao, Bộ Nông nghiệp 5 sao"
        ),
        notes="3 sao cấp tỉnh: chấp nhận (chưa đối chiếu văn bản)",
    ),
    Period(
        starts=date(2025, 7, 1),
        ends=None,
        basis=BASIS_148,
        issuers={3: frozenset({P}), 4: frozenset({P}), 5: frozenset({C})},
        source=(
            "Luật Tổ chức chính quyền địa phương số 72/2025/QH15 (chính quyền hai cấp, "
            "bỏ cấp huyện từ 01/7/2025) và Nghị quyết 202/2025/QH15 (34 tỉnh, thành "
            "phố); Quyết định 148/QĐ-TTg vẫn là bộ tiêu chí: UBND tỉnh công nhận 3 và 4 "
            "sao, Bộ Nông nghiệp và Môi trường 5 sao"
        ),
        # The decree that moved the district's 3 stars to the province is not checked.
        verified=False,
    ),
)

# Provinces merged into another on 1 July 2025 (Resolution 202/2025/QH15): their
# People's Committees issue no decision after that day.
FORMER_PROVINCES = (
    "Hà Giang",
    "Yên Bái",
    "Bắc Kạn",
    "Vĩnh Phúc",
    "Hòa Bình",
    "Bắc Giang",
    "Thái Bình",
    "Hải Dương",
    "Hà Nam",
    "Nam Định",
    "Quảng Bình",
    "Quảng Nam",
    "Kon Tum",
    "Bình Định",
    "Ninh Thuận",
    "Đắk Nông",
    "Bình Thuận",
    "Phú Yên",
    "Bình Dương",
    "Bà Rịa - Vũng Tàu",
    "Bình Phước",
    "Long An",
    "Sóc Trăng",
    "Hậu Giang",
    "Bến Tre",
    "Trà Vinh",
    "Tiền Giang",
    "Bạc Liêu",
    "Kiên Giang",
)
PROVINCES_MERGED_ON = date(2025, 7, 1)

LEVEL_NAMES = {
    D: _l("cấp huyện"),
    P: _l("cấp tỉnh"),
    C: _l("Trung ương (Bộ)"),
}
BASIS_NAMES = dict(LEGAL_BASES)


def period_on(day: date) -> Period | None:
    return next((p for p in PERIODS if p.covers(day)), None)


@dataclass(frozen=True)
class BasisCheck:
    """Errors refuse the certificate; ``warnings`` need someone to confirm it."""

    basis_errors: tuple = ()
    level_errors: tuple = ()
    warnings: tuple = ()

    @property
    def errors(self) -> tuple:
        return self.basis_errors + self.level_errors


def _folded(text: str) -> str:
    text = unicodedata.normalize("NFC", text).casefold()
    return " ".join(text.replace("–", "-").replace(" - ", "-").split())


def former_province_in(issuer_name: str) -> str | None:
    name = _folded(issuer_name)
    for province in FORMER_PROVINCES:
        if f"tỉnh {_folded(province)}" in name:
            return province
    return None


def check_basis(
    *, stars: int, level: IssuerLevel, basis: str, decided: date, issuer_name: str = ""
) -> BasisCheck:
    """Does the issuer level and legal basis fit the rules in force on ``decided``?"""
    period = period_on(decided)
    if period is None:
        return BasisCheck(
            basis_errors=(_l("Chưa có căn cứ pháp lý nào cho quyết định trước 21/8/2019."),)
        )
    errors, level_errors, warnings = [], [], []
    if basis != period.basis:
        basis_period = next((p for p in PERIODS if p.basis == basis), None)
        if basis_period is None:
            errors.append(_l("Vui lòng chọn căn cứ pháp lý."))
        elif decided < basis_period.starts:
            errors.append(
                _l(
                    "%(basis)s chỉ áp dụng từ %(day)s; quyết định ngày %(decided)s theo %(right)s.",
                    basis=BASIS_NAMES.get(basis, basis),
                    day=basis_period.starts.strftime("%d/%m/%Y"),
                    decided=decided.strftime("%d/%m/%Y"),
                    right=BASIS_NAMES.get(period.basis, period.basis),
                )
            )
        else:
            # Decision 148/2023 let applications made before it be evaluated under
            # 1048/2019: possible, but worth a second look at the scan.
            warnings.append(
                _l(
                    "Quyết định ngày %(decided)s nhưng ghi căn cứ %(basis)s, đã được thay "
                    "bằng %(right)s. Chỉ đúng với hồ sơ nộp trước khi căn cứ mới có hiệu lực.",
                    decided=decided.strftime("%d/%m/%Y"),
                    basis=BASIS_NAMES.get(basis, basis),
                    right=BASIS_NAMES.get(period.basis, period.basis),
                )
            )
    # Who may recognise is judged by the date: the level that existed then.
    allowed = period.issuers.get(stars, frozenset())
    if level == D and decided >= DISTRICT_LEVEL_ABOLISHED:
        level_errors.append(_l("Cấp huyện không còn từ 01/7/2025."))
    elif level not in allowed:
        level_errors.append(
            _l(
                "Ngày %(decided)s, sản phẩm %(stars)s sao do %(levels)s công nhận, "
                "không phải %(level)s.",
                decided=decided.strftime("%d/%m/%Y"),
                stars=stars,
                levels=" / ".join(str(LEVEL_NAMES[lv]) for lv in (D, P, C) if lv in allowed),
                level=LEVEL_NAMES[level],
            )
        )
    former = former_province_in(issuer_name)
    if former and decided >= PROVINCES_MERGED_ON and level == P:
        warnings.append(
            _l(
                "Tỉnh %(province)s đã sáp nhập từ 01/7/2025; quyết định ngày %(decided)s "
                "thường do UBND tỉnh mới ban hành. Hãy đối chiếu tên cơ quan trên quyết định.",
                province=former,
                decided=decided.strftime("%d/%m/%Y"),
            )
        )
    return BasisCheck(tuple(errors), tuple(level_errors), tuple(warnings))
