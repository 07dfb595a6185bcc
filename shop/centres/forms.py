from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from shop.centres.models import MICRO
from shop.formfields import email_field, int_or_none, phone_field
from shop.localities.forms import AddressMixin
from shop.money import parse_vnd


def micro_degrees(text: str | None, limit: int) -> int | None:
    """ "22.8233" (or "22,8233") -> 22823300 micro-degrees; None when empty.
    Decimal, never float: the stored number is exactly what was typed, to 6 places."""
    text = (text or "").strip().replace(",", ".")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(text) from None
    if not value.is_finite() or abs(value) > limit:
        raise ValueError(text)
    return int((value * MICRO).to_integral_value())


class CentreForm(AddressMixin, FlaskForm):
    former_locality = None  # centres are found by their current address
    name = StringField(
        _l("Tên điểm bán"),
        validators=[
            InputRequired(message=_l("Vui lòng nhập tên điểm bán.")),
            Length(max=200, message=_l("Tên tối đa 200 ký tự.")),
        ],
    )
    operator = StringField(
        _l("Đơn vị vận hành"),
        description=_l("Ví dụ: Trung tâm Xúc tiến Thương mại tỉnh, một hợp tác xã."),
        validators=[
            InputRequired(message=_l("Vui lòng nhập đơn vị vận hành.")),
            Length(max=200, message=_l("Tối đa 200 ký tự.")),
        ],
    )
    opening_hours = TextAreaField(
        _l("Giờ mở cửa"),
        description=_l("Ví dụ: Thứ 2 – Chủ nhật, 7:30–21:00; nghỉ mùng 1–3 Tết."),
        validators=[Length(max=500, message=_l("Tối đa 500 ký tự."))],
    )
    phone = phone_field(_l("Số điện thoại"), _l("Ví dụ: 0912345678 hoặc +84912345678"))
    email = StringField(
        _l("Email (không bắt buộc)"),
        validators=[Optional(), Length(max=254, message=_l("Email quá dài."))],
    )
    latitude = StringField(
        _l("Vĩ độ"),
        description=_l("Độ thập phân, ví dụ 22.823300 (không bắt buộc)."),
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )
    longitude = StringField(
        _l("Kinh độ"),
        description=_l("Độ thập phân, ví dụ 104.983600."),
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )
    pickup_fee = StringField(
        _l("Phí nhận hàng tại điểm bán"),
        description=_l("Bằng đồng; thường là 0."),
        default="0",
        render_kw={"inputmode": "numeric"},
    )
    is_active = BooleanField(_l("Đang hoạt động"), default=True)

    def validate_email(self, field):
        value = (field.data or "").strip()
        if value and ("@" not in value or " " in value):
            raise ValidationError(_l("Email không hợp lệ."))

    def validate_latitude(self, field):
        try:
            self._lat = micro_degrees(field.data, 90)
        except ValueError:
            raise ValidationError(_l("Vĩ độ là một số từ -90 đến 90.")) from None

    def validate_longitude(self, field):
        try:
            self._lon = micro_degrees(field.data, 180)
        except ValueError:
            raise ValidationError(_l("Kinh độ là một số từ -180 đến 180.")) from None
        if (getattr(self, "_lat", None) is None) != (
            self._lon is None
        ) and not self.latitude.errors:
            raise ValidationError(_l("Nhập cả vĩ độ và kinh độ, hoặc bỏ trống cả hai."))

    def validate_pickup_fee(self, field):
        try:
            self._fee = parse_vnd(field.data or "0")
        except ValueError:
            raise ValidationError(_l("Phí là một số đồng, ví dụ 0 hoặc 15.000.")) from None
        if self._fee > 10_000_000:
            raise ValidationError(_l("Phí tối đa 10.000.000 ₫."))

    def data_for_centre(self) -> dict:
        return {
            "name": self.name.data.strip(),
            "operator": self.operator.data.strip(),
            "province_code": self.province_code.data,
            "ward_code": self.ward_code.data,
            "street": self.street.data.strip(),
            "opening_hours": (self.opening_hours.data or "").strip(),
            "phone": self.phone.data,
            "email": (self.email.data or "").strip().lower() or None,
            "latitude_e6": self._lat,
            "longitude_e6": self._lon,
            "pickup_fee_vnd": self._fee,
            "is_active": bool(self.is_active.data),
        }

    def fill_from(self, centre) -> None:
        for name in ("name", "operator", "street", "opening_hours", "phone", "is_active"):
            getattr(self, name).data = getattr(centre, name)
        self.email.data = centre.email or ""
        self.province_code.data, self.ward_code.data = centre.province_code, centre.ward_code
        self.latitude.data = f"{centre.latitude:.6f}" if centre.has_coordinates else ""
        self.longitude.data = f"{centre.longitude:.6f}" if centre.has_coordinates else ""
        self.pickup_fee.data = str(centre.pickup_fee_vnd)


class AssignStaffForm(FlaskForm):
    email = email_field(
        _l("Email tài khoản của nhân viên"),
        _l("Người đó đăng ký tài khoản trước; tài khoản chuyển thành nhân viên điểm bán."),
    )


class RemoveStaffForm(FlaskForm):
    pass


def _quantity(label, minimum=1):
    return IntegerField(
        label,
        validators=[
            InputRequired(message=_l("Vui lòng nhập số lượng là số nguyên.")),
            NumberRange(
                min=minimum, max=100_000, message=_l("Số lượng là số nguyên từ 1 đến 100.000.")
            ),
        ],
        render_kw={"inputmode": "numeric"},
    )


class ConsignForm(FlaskForm):
    centre_id = SelectField(_l("Điểm bán"), coerce=int_or_none, validate_choice=False)
    product_id = SelectField(_l("Sản phẩm"), coerce=int_or_none, validate_choice=False)
    quantity = _quantity(_l("Số lượng gửi"))
    from_online = BooleanField(
        _l("Lấy từ tồn kho bán online (trừ kho online)"),
        default=True,
        description=_l("Bỏ chọn nếu hàng gửi điểm bán không nằm trong tồn kho online."),
    )
    note = StringField(
        _l("Ghi chú (không bắt buộc)"),
        validators=[Length(max=300, message=_l("Tối đa 300 ký tự."))],
    )

    def validate_centre_id(self, field):
        if field.data not in {value for value, _label in field.choices or []}:
            raise ValidationError(_l("Vui lòng chọn điểm bán."))

    def validate_product_id(self, field):
        if field.data not in {value for value, _label in field.choices or []}:
            raise ValidationError(_l("Vui lòng chọn sản phẩm."))


class ReturnForm(FlaskForm):
    product_id = HiddenField()
    quantity = _quantity(_l("Số lượng trả"))
    to_online = BooleanField(_l("Đưa lại vào tồn kho bán online"), default=True)
    note = StringField(
        _l("Ghi chú (không bắt buộc)"),
        validators=[Length(max=300, message=_l("Tối đa 300 ký tự."))],
    )


class AdjustForm(FlaskForm):
    product_id = HiddenField()
    change = IntegerField(
        _l("Chênh lệch (+ thừa, − thiếu)"),
        validators=[
            InputRequired(message=_l("Nhập số nguyên khác 0, ví dụ -2 hoặc 3.")),
            NumberRange(min=-100_000, max=100_000, message=_l("Tối đa 100.000 đơn vị.")),
        ],
    )
    reason = StringField(
        _l("Lý do"),
        validators=[
            InputRequired(message=_l("Vui lòng ghi lý do điều chỉnh.")),
            Length(max=300, message=_l("Tối đa 300 ký tự.")),
        ],
    )


class ScanForm(FlaskForm):
    code = StringField(
        _l("Mã vạch hoặc mã xác minh"),
        validators=[Length(max=300, message=_l("Mã quá dài."))],
        render_kw={
            "autofocus": True,
            "autocomplete": "off",
            "enterkeyhint": "go",
            "spellcheck": "false",
            "autocapitalize": "characters",
        },
    )


class CheckoutForm(FlaskForm):
    sale_token = HiddenField()
    age_confirmed = BooleanField(_l("Người mua đã xác nhận đủ 18 tuổi"))


class HandOverForm(FlaskForm):
    """The hand-over button (its CSRF token); the code is in the address."""
