"""Address fields shared by every form that takes a Vietnamese address."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from shop.formfields import choice_values, choices, int_or_none
from shop.localities.former import suggest_current
from shop.localities.services import (
    province_exists,
    province_options,
    ward_in_province,
    wards_named,
    wards_of,
)


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

    # Set by the "load the wards" button (value "1") or by a suggested current ward
    # ("8:691"): either way the form is shown again, not saved or ordered.
    refresh_wards = StringField(validators=[Optional()])

    def load_address_choices(self) -> None:
        self._apply_suggested_ward()
        self.province_code.choices = choices(province_options(), _l("— Chọn tỉnh/thành phố —"))
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
        # Kept: the ward and its province stay in the session's identity map, so
        # the order's copy of their names (locality_snapshot) costs no query.
        self.ward = ward_in_province(field.data, self.province_code.data)
        if self.ward is None:
            if self.province_code.choices is None and not province_exists(self.province_code.data):
                # Asked only now, on the failing path: say which field is wrong too.
                self.province_code.errors.append(_l("Vui lòng chọn tỉnh/thành phố."))
            raise ValidationError(_l("Xã/phường không thuộc tỉnh/thành phố đã chọn."))

    def _apply_suggested_ward(self) -> None:
        province, _, ward = (self.refresh_wards.data or "").partition(":")
        if not (province.isdigit() and ward.isdigit() and len(province + ward) < 12):
            return
        if ward_in_province(int(ward), int(province)) is not None:
            self.province_code.data, self.ward_code.data = int(province), int(ward)

    def former_address_suggestions(self) -> list[dict]:
        """Current wards for an address typed in the old form ("Phường Trần Phú, TP Hà
        Giang, tỉnh Hà Giang") in the street line or the former-locality field; none
        once one of them is chosen."""
        former = getattr(self, "former_locality", None)
        text = ", ".join(
            t for t in (self.street.data, former.data if former is not None else None) if t
        )
        suggestions = suggest_current(text)
        if not suggestions or any(s.ward_code == self.ward_code.data for s in suggestions):
            return []
        wards = wards_named([s.ward_code for s in suggestions])
        return [
            {
                "former": s.former,
                "split": s.split,
                "ward": wards[s.ward_code],
                "value": f"{s.province_code}:{s.ward_code}",
            }
            for s in suggestions
            if s.ward_code in wards
        ]
