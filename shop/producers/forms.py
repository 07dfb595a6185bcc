from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from shop.formfields import choices, email_field, phone_field
from shop.legal.rules import is_valid_tax_code, normalize_tax_code
from shop.localities.forms import AddressMixin
from shop.producers.models import ProducerKind

KIND_LABELS = {
    ProducerKind.COOPERATIVE: _l("Hợp tác xã"),
    ProducerKind.ENTERPRISE: _l("Doanh nghiệp"),
    ProducerKind.HOUSEHOLD: _l("Hộ sản xuất / hộ kinh doanh"),
}


def _kind_or_none(value):
    if isinstance(value, ProducerKind):
        return value
    try:
        return ProducerKind(value)
    except ValueError:
        return None


class ProducerForm(AddressMixin, FlaskForm):
    kind = SelectField(
        _l("Loại chủ thể"),
        choices=choices((k.value, label) for k, label in KIND_LABELS.items()),
        coerce=_kind_or_none,
        validate_choice=False,
    )
    legal_name = StringField(
        _l("Tên chủ thể (theo đăng ký)"),
        validators=[
            InputRequired(message=_l("Vui lòng nhập tên chủ thể.")),
            Length(max=200, message=_l("Tên tối đa 200 ký tự.")),
        ],
    )
    registration_number = StringField(
        _l("Mã số thuế / số đăng ký kinh doanh"),
        description=_l("Bắt buộc với hợp tác xã và doanh nghiệp."),
        validators=[Length(max=20, message=_l("Tối đa 20 ký tự."))],
    )
    tax_code = StringField(
        _l("Mã số thuế"),
        description=_l(
            "Hiện trên trang sản phẩm (Nghị định 85/2021). Hộ kinh doanh: mã số thuế của hộ "
            "hoặc số định danh cá nhân 12 số của chủ hộ."
        ),
    )
    representative = StringField(
        _l("Người đại diện"),
        validators=[
            InputRequired(message=_l("Vui lòng nhập người đại diện.")),
            Length(max=120, message=_l("Tối đa 120 ký tự.")),
        ],
    )
    phone = phone_field(_l("Số điện thoại"), _l("Ví dụ: 0912345678 hoặc +84912345678"))
    email = email_field(_l("Email liên hệ"))
    description = TextAreaField(
        _l("Giới thiệu"),
        validators=[Optional(), Length(max=4000, message=_l("Giới thiệu tối đa 4000 ký tự."))],
    )
    logo = FileField(
        _l("Logo (PNG, JPEG hoặc WebP, tối đa 5 MB)"),
        render_kw={"accept": "image/png,image/jpeg,image/webp"},
    )

    def validate_kind(self, field):
        if field.data is None:
            raise ValidationError(_l("Vui lòng chọn loại chủ thể."))

    def validate_registration_number(self, field):
        value = (field.data or "").strip()
        if self.kind.data and self.kind.data.needs_registration_number and not value:
            raise ValidationError(
                _l("Hợp tác xã và doanh nghiệp phải có mã số thuế hoặc số đăng ký.")
            )
        if value and not value.replace("-", "").isdigit():
            raise ValidationError(_l("Mã số chỉ gồm chữ số (có thể có dấu gạch ngang)."))
        field.data = value or None

    def validate_tax_code(self, field):
        value = normalize_tax_code(field.data)
        if value is not None and not is_valid_tax_code(value):
            raise ValidationError(
                _l("Mã số thuế gồm 10 chữ số (chi nhánh: 10 số-3 số) hoặc 12 số định danh.")
            )
        field.data = value

    def profile(self) -> dict:
        return {
            "kind": self.kind.data,
            "legal_name": self.legal_name.data.strip(),
            "registration_number": self.registration_number.data,
            "tax_code": self.tax_code.data,
            "representative": self.representative.data.strip(),
            "phone": self.phone.data,
            "email": self.email.data.strip().lower(),
            "province_code": self.province_code.data,
            "ward_code": self.ward_code.data,
            "street": self.street.data.strip(),
            "former_locality": (self.former_locality.data or "").strip() or None,
            "description": (self.description.data or "").strip(),
        }


class InviteMemberForm(FlaskForm):
    email = email_field(
        _l("Email của người được mời"),
        _l("Người được mời nhận thư có liên kết và tự chấp nhận; chưa có tài khoản thì đăng ký."),
    )


class InvitationResponseForm(FlaskForm):
    accept = SubmitField(_l("Chấp nhận"))
    decline = SubmitField(_l("Từ chối lời mời"))


class ReasonForm(FlaskForm):
    reason = TextAreaField(
        _l("Lý do"),
        validators=[
            InputRequired(message=_l("Vui lòng nêu lý do.")),
            Length(max=500, message=_l("Tối đa 500 ký tự.")),
        ],
    )
