import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from shop.catalog.forms import ProductSetField, product_set_choices
from shop.certification.legal_bases import BASIS_148, LEGAL_BASES, check_basis
from shop.certification.models import IssuerLevel
from shop.certification.rules import (
    CERTIFIED_STARS,
    DISTRICT_LEVEL_ABOLISHED,
    PROGRAMME_START,
    stars_for_score,
)
from shop.clock import today_vn
from shop.formfields import choice_values, choices, int_or_none

# The current level first: since 01/7/2025 the province recognises 3 and 4 stars.
ISSUER_LEVEL_LABELS = {
    IssuerLevel.PROVINCE: _l("Cấp tỉnh"),
    IssuerLevel.CENTRAL: _l("Trung ương (Bộ)"),
    IssuerLevel.DISTRICT: _l("Cấp huyện (trước 01/7/2025)"),
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
    printed_valid_through = VnDateField(
        _l("Hiệu lực đến hết ngày (nếu quyết định ghi rõ)"),
        description=_l(
            "Để trống nếu quyết định không ghi ngày hết hiệu lực: chứng nhận có hiệu lực "
            "36 tháng, đến hết ngày tương ứng của tháng cuối (quyết định ngày 28/01/2026 "
            "có hiệu lực đến hết 28/01/2029)."
        ),
        validators=[Optional()],
    )
    issuer_level = SelectField(
        _l("Cấp công nhận"),
        choices=choices((k.value, label) for k, label in ISSUER_LEVEL_LABELS.items()),
        coerce=_issuer_level_or_none,
        validate_choice=False,
        default=IssuerLevel.PROVINCE.value,
        description=_l(
            "Từ 01/7/2025: 3 và 4 sao do UBND tỉnh, 5 sao do Bộ Nông nghiệp và Môi trường "
            "công nhận. Trước đó 3 sao có thể do UBND huyện công nhận."
        ),
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
        _l("Căn cứ pháp lý"),
        choices=choices(LEGAL_BASES),
        validate_choice=False,
        default=BASIS_148,
        description=_l(
            "Như in trên quyết định: 148/QĐ-TTg cho quyết định từ 24/02/2023, "
            "1048/QĐ-TTg cho quyết định trước đó."
        ),
    )
    product_set_id = ProductSetField(_l("Bộ sản phẩm"))
    # Shown with the warnings of a transition case; the certificate goes in only
    # when it is ticked.
    transition_confirmed = BooleanField(
        _l("Tôi đã đối chiếu với quyết định: thông tin trên là đúng như in.")
    )
    scan = FileField(
        _l("Bản scan quyết định (PDF hoặc ảnh, tối đa 10 MB)"),
        render_kw={"accept": "application/pdf,image/png,image/jpeg,image/webp"},
    )

    def __init__(self, *args, products=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.basis_warnings = ()
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

    def validate_printed_valid_through(self, field):
        if field.data and self.decision_date.data and field.data <= self.decision_date.data:
            raise ValidationError(_l("Ngày hết hiệu lực phải sau ngày quyết định."))

    def validate(self, extra_validators=None) -> bool:
        """The fields one by one, then whether level and basis fit the rules in force
        on the decision date (legal_bases.py): errors refuse, warnings ask for the
        confirmation box."""
        self.basis_warnings = ()
        valid = super().validate(extra_validators)
        if self.decision_date.errors or self.decision_date.data is None:
            return valid
        if self.issuer_level.errors or self.legal_basis.errors or self.star_rank.errors:
            return valid
        check = check_basis(
            stars=self.star_rank.data,
            level=self.issuer_level.data,
            basis=self.legal_basis.data,
            decided=self.decision_date.data,
            issuer_name=self.issuer_name.data or "",
        )
        self.legal_basis.errors.extend(check.basis_errors)
        self.issuer_level.errors.extend(check.level_errors)
        self.basis_warnings = check.warnings
        if check.warnings and not self.transition_confirmed.data:
            self.transition_confirmed.errors = [
                _l("Hãy đối chiếu với quyết định và đánh dấu xác nhận để gửi.")
            ]
            return False
        return valid and not check.errors

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
            "printed_valid_through": self.printed_valid_through.data,
            "transition_confirmed": bool(self.basis_warnings and self.transition_confirmed.data),
        }


class EndDateForm(FlaskForm):
    """Staff record the end date a certificate prints (empty: the 36 months)."""

    printed_valid_through = VnDateField(
        _l("Hiệu lực đến hết ngày (như in trên quyết định)"),
        description=_l(
            "Chỉ điền khi quyết định ghi rõ ngày hết hiệu lực; ngày này thay cho cách tính "
            "36 tháng. Để trống để tính lại theo ngày quyết định."
        ),
        validators=[Optional()],
    )

    def __init__(self, *args, decision_date=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._decision_date = decision_date

    def validate_printed_valid_through(self, field):
        if field.data and self._decision_date and field.data <= self._decision_date:
            raise ValidationError(_l("Ngày hết hiệu lực phải sau ngày quyết định."))
