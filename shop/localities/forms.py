"""Address fields shared by every form that takes a Vietnamese address."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from shop.formfields import choice_values, choices, int_or_none
from shop.localities.services import list_provinces, ward_in_province, wards_of


class AddressMixin:
    """Province + commune/ward + street line (two-level addresses since 1 July 2025)."""

    province_code = SelectField(_l("Tỉnh/thành phố"), coerce=int_or_none, validate_choice=False)
    ward_code = SelectField(_l("Xã/phường"), coerce=int_or_none, validate_choice=False)
    street = StringField(
        _l("Số nhà, đường, thôn/xóm"),
        validators=[
            InputRequired(message=_l("Vui lòng nhập địa chỉ.")),
            Length(max=200, message=_l("Địa chỉ tối đa 200 ký tự.")),
        ],
    )
    former_locality = StringField(
        _l("Địa danh cũ (không bắt buộc)"),
        description=_l("Ví dụ: Hà Giang, huyện Đồng Văn. Người mua vẫn tìm theo tên cũ."),
        validators=[Optional(), Length(max=120, message=_l("Tối đa 120 ký tự."))],
    )

    def load_address_choices(self) -> None:
        self.province_code.choices = choices(
            ((p.code, p.name) for p in list_provinces()), _l("— Chọn tỉnh/thành phố —")
        )
        wards = wards_of(self.province_code.data) if self.province_code.data else []
        self.ward_code.choices = choices(
            ((w.code, w.name) for w in wards), _l("— Chọn xã/phường —")
        )

    def validate_province_code(self, field):
        # The lists are loaded to show the form. A post without them (checkout)
        # leaves the province to the ward check below: a ward found in the
        # province proves the province (a foreign key), in one query.
        if field.choices is None:
            known = field.data is not None
        else:
            known = field.data in choice_values(field)
        if not known:
            raise ValidationError(_l("Vui lòng chọn tỉnh/thành phố."))

    def validate_ward_code(self, field):
        if field.data is None:
            raise ValidationError(_l("Vui lòng chọn xã/phường."))
        if self.province_code.data is None:
            return
        if ward_in_province(field.data, self.province_code.data) is None:
            raise ValidationError(_l("Xã/phường không thuộc tỉnh/thành phố đã chọn."))
