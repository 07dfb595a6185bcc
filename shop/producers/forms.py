from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from shop.formfields import choices, email_field, phone_field
from shop.localities.forms import AddressMixin
from shop.producers.models import ProducerKind
from shop.producers.taxid import InvalidTaxId, normalize_tax_id

KIND_LABELS = {kind: kind.label for kind in ProducerKind}  # lazy strings, read per request


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
        choices=choices((k.value, k.label) for k in ProducerKind),
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
    tax_id = StringField(
        _l("Mã số thuế của hộ hoặc số CCCD của chủ hộ"),
        description=_l(
            "Bắt buộc với hộ sản xuất, hộ kinh doanh: sàn khấu trừ và kê khai thuế thay hộ "
            "(Nghị định 117/2025/NĐ-CP) theo số này. Mã số thuế 10 số hoặc 13 số dạng "
            "0123456789-001; CCCD 12 số."
        ),
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
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

    def validate_tax_id(self, field):
        """Our policy, not the decree's wording: a household gives its tax code or
        CCCD before the shop pays it anything, because the shop declares the tax it
        withholds under that number (shop/settlements/withholding.py)."""
        value = (field.data or "").strip()
        if not value:
            if self.kind.data and self.kind.data.needs_tax_id:
                raise ValidationError(
                    _l(
                        "Hộ sản xuất, hộ kinh doanh cần mã số thuế hoặc số CCCD của chủ hộ "
                        "để sàn khấu trừ và kê khai thuế thay."
                    )
                )
            field.data = None
            return
        try:
            field.data = normalize_tax_id(value)
        except InvalidTaxId:
            raise ValidationError(
                _l(
                    "Mã số thuế gồm 10 chữ số (hoặc 13 chữ số dạng 0123456789-001); "
                    "số CCCD gồm 12 chữ số."
                )
            ) from None

    def profile(self) -> dict:
        return {
            "kind": self.kind.data,
            "legal_name": self.legal_name.data.strip(),
            "registration_number": self.registration_number.data,
            "tax_id": self.tax_id.data or None,
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
