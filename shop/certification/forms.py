import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from shop.catalog.forms import ProductSetField, product_set_choices
from shop.certification.models import IssuerLevel
from shop.certification.rules import (
    CERTIFIED_STARS,
    DISTRICT_LEVEL_ABOLISHED,
    PROGRAMME_START,
    stars_for_score,
)
from shop.clock import today_vn
from shop.formfields import choice_values, choices, int_or_none

LEGAL_BASES = [
    ("148/QĐ-TTg (24/02/2023)", _l("Quyết định 148/QĐ-TTg ngày 24/02/2023")),
    ("1048/QĐ-TTg (21/8/2019)", _l("Quyết định 1048/QĐ-TTg ngày 21/8/2019")),
]

ISSUER_LEVEL_LABELS = {
    IssuerLevel.DISTRICT: _l("Cấp huyện (trước 01/7/2025)"),
    IssuerLevel.PROVINCE: _l("Cấp tỉnh"),
    IssuerLevel.CENTRAL: _l("Trung ương (Bộ)"),
}

_DECISION_NUMBER = re.compile(r"^\d{1,6}/[\w.\-/]{2,50}$")


class VnDateField(DateField):
    """Accepts the browser's yyyy-mm-dd and a typed dd/mm/yyyy; says so in Vietnamese."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format=["%Y-%m-%d", "%d/%m/%Y"], **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(_l("Ngày không hợp lệ: dùng dạng dd/mm/yyyy.")) from None


def _issuer_level_or_none(value):
    if isinstance(value, IssuerLevel):
        return value
    try:
        return IssuerLevel(value)
    except ValueError:
        return None


class CertificateForm(FlaskForm):
    product_id = SelectField(_l("Sản phẩm"), coerce=int_or_none, validate_choice=False)
    star_rank = SelectField(
        _l("Hạng sao"),
        choices=choices((s, f"{s} ★") for s in CERTIFIED_STARS),
        coerce=int_or_none,
        validate_choice=False,
    )
    score = IntegerField(
        _l("Điểm đánh giá (không bắt buộc)"),
        validators=[Optional()],
    )
    decision_number = StringField(
        _l("Số quyết định"),
        description=_l("Ví dụ: 1234/QĐ-UBND"),
        validators=[
            InputRequired(message=_l("Vui lòng nhập số quyết định.")),
            Length(max=60, message=_l("Tối đa 60 ký tự.")),
        ],
    )
    decision_date = VnDateField(
        _l("Ngày quyết định"),
        validators=[InputRequired(message=_l("Vui lòng nhập ngày quyết định."))],
    )
    issuer_level = SelectField(
        _l("Cấp công nhận"),
        choices=choices((k.value, label) for k, label in ISSUER_LEVEL_LABELS.items()),
        coerce=_issuer_level_or_none,
        validate_choice=False,
    )
    issuer_name = StringField(
        _l("Cơ quan ban hành (như in trên quyết định)"),
        description=_l("Ví dụ: UBND tỉnh Hà Giang"),
        validators=[
            InputRequired(message=_l("Vui lòng nhập cơ quan ban hành.")),
            Length(max=200, message=_l("Tối đa 200 ký tự.")),
        ],
    )
    legal_basis = SelectField(
        _l("Căn cứ pháp lý"), choices=choices(LEGAL_BASES), validate_choice=False
    )
    product_set_id = ProductSetField(_l("Bộ sản phẩm"))
    scan = FileField(
        _l("Bản scan quyết định (PDF hoặc ảnh, tối đa 10 MB)"),
        render_kw={"accept": "application/pdf,image/png,image/jpeg,image/webp"},
    )

    def __init__(self, *args, products=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.product_id.choices = choices(
            ((p.id, p.name) for p in products), _l("— Chọn sản phẩm —")
        )
        self.product_set_id.choices = product_set_choices()

    def validate_product_id(self, field):
        if field.data not in choice_values(field):
            raise ValidationError(_l("Vui lòng chọn một sản phẩm của chủ thể."))

    def validate_star_rank(self, field):
        if field.data not in CERTIFIED_STARS:
            raise ValidationError(
                _l("Hạng sao phải là 3, 4 hoặc 5 (sản phẩm 1–2 sao không phải sản phẩm OCOP).")
            )

    def validate_score(self, field):
        if field.data is None:
            return
        if not 0 <= field.data <= 100:
            raise ValidationError(_l("Điểm phải từ 0 đến 100."))
        if self.star_rank.data in CERTIFIED_STARS and stars_for_score(field.data) != (
            self.star_rank.data
        ):
            raise ValidationError(
                _l(
                    "Điểm %(score)s không khớp với hạng %(stars)s sao.",
                    score=field.data,
                    stars=self.star_rank.data,
                )
            )

    def validate_decision_number(self, field):
        field.data = field.data.strip()
        if not _DECISION_NUMBER.match(field.data):
            raise ValidationError(_l("Số quyết định có dạng 1234/QĐ-UBND."))

    def validate_decision_date(self, field):
        if field.data is None:
            return
        if field.data > today_vn():
            raise ValidationError(_l("Ngày quyết định không được ở tương lai."))
        if field.data < PROGRAMME_START:
            raise ValidationError(_l("Chương trình OCOP bắt đầu từ 07/5/2018."))

    def validate_issuer_level(self, field):
        if field.data is None:
            raise ValidationError(_l("Vui lòng chọn cấp công nhận."))
        if self.star_rank.data == 5 and field.data != IssuerLevel.CENTRAL:
            raise ValidationError(_l("Sản phẩm 5 sao do Trung ương (Bộ) công nhận."))
        if self.star_rank.data in (3, 4) and field.data == IssuerLevel.CENTRAL:
            raise ValidationError(_l("Sản phẩm 3–4 sao do cấp tỉnh hoặc cấp huyện công nhận."))
        if (
            field.data == IssuerLevel.DISTRICT
            and self.decision_date.data
            and self.decision_date.data >= DISTRICT_LEVEL_ABOLISHED
        ):
            raise ValidationError(_l("Cấp huyện không còn từ 01/7/2025."))

    def validate_legal_basis(self, field):
        if field.data not in {code for code, _label in LEGAL_BASES}:
            raise ValidationError(_l("Vui lòng chọn căn cứ pháp lý."))

    def certificate_data(self) -> dict:
        return {
            "star_rank": self.star_rank.data,
            "score": self.score.data,
            "decision_number": self.decision_number.data,
            "decision_date": self.decision_date.data,
            "issuer_level": self.issuer_level.data,
            "issuer_name": self.issuer_name.data.strip(),
            "legal_basis": self.legal_basis.data,
            "product_set_id": self.product_set_id.data,
        }
