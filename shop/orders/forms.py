from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from shop.catalog.forms import PriceField
from shop.formfields import choices, phone_field
from shop.producers.rules import MAX_BASE_GRAMS, MAX_FEE_VND, ShippingMode

MAX_SHIPPING_VND = MAX_FEE_VND

ZONE_FEE_FIELDS = (
    "ship_province_vnd",
    "ship_province_step_vnd",
    "ship_region_vnd",
    "ship_region_step_vnd",
    "ship_far_vnd",
    "ship_far_step_vnd",
)


def _mode(value) -> ShippingMode | None:
    try:
        return ShippingMode(value)
    except ValueError:
        return None


def _zone_fee(label):
    return PriceField(
        label,
        validators=[
            Optional(),
            NumberRange(0, MAX_FEE_VND, message=_l("Phí từ 0 đến 5.000.000 đồng.")),
        ],
        render_kw={"inputmode": "numeric"},
    )


class ShippingForm(FlaskForm):
    """How a producer charges shipping: one flat fee per order, or by weight and
    destination zone; either way free from an optional order subtotal."""

    shipping_mode = RadioField(
        _l("Cách tính phí vận chuyển"),
        choices=choices(
            [
                (ShippingMode.FLAT.value, _l("Một mức phí cho mỗi đơn hàng")),
                (
                    ShippingMode.ZONES.value,
                    _l("Theo khối lượng và nơi nhận (nội tỉnh, nội miền, liên miền)"),
                ),
            ]
        ),
        coerce=_mode,
        default=ShippingMode.FLAT,
        validate_choice=False,
    )
    shipping_fee_vnd = PriceField(
        _l("Phí vận chuyển mỗi đơn (đồng)"),
        description=_l("Ví dụ 30.000. Nhập 0 nếu cơ sở miễn phí vận chuyển."),
        validators=[
            InputRequired(message=_l("Vui lòng nhập phí vận chuyển (có thể là 0).")),
            NumberRange(0, MAX_SHIPPING_VND, message=_l("Phí vận chuyển từ 0 đến 5.000.000 đồng.")),
        ],
    )
    free_shipping_over_vnd = PriceField(
        _l("Miễn phí vận chuyển cho đơn từ (đồng, không bắt buộc)"),
        description=_l("Để trống nếu không áp dụng."),
        validators=[
            Optional(),
            NumberRange(1_000, 1_000_000_000, message=_l("Nhập từ 1.000 đồng trở lên.")),
        ],
    )
    ship_base_grams = IntegerField(
        _l("Khối lượng tính theo phí cơ bản (gam)"),
        description=_l(
            "Phí cơ bản gồm bấy nhiêu gam đầu; mỗi 500 g tiếp theo (hoặc phần lẻ) cộng thêm."
        ),
        validators=[
            Optional(),
            NumberRange(0, MAX_BASE_GRAMS, message=_l("Từ 0 đến 100.000 gam.")),
        ],
        render_kw={"inputmode": "numeric", "min": 0},
    )
    ship_province_vnd = _zone_fee(_l("Nội tỉnh: phí cơ bản"))
    ship_province_step_vnd = _zone_fee(_l("Nội tỉnh: mỗi 500 g thêm"))
    ship_region_vnd = _zone_fee(_l("Nội miền: phí cơ bản"))
    ship_region_step_vnd = _zone_fee(_l("Nội miền: mỗi 500 g thêm"))
    ship_far_vnd = _zone_fee(_l("Liên miền: phí cơ bản"))
    ship_far_step_vnd = _zone_fee(_l("Liên miền: mỗi 500 g thêm"))

    def validate_shipping_mode(self, field):
        if field.data is None:
            raise ValidationError(_l("Vui lòng chọn cách tính phí vận chuyển."))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.shipping_mode.data is ShippingMode.ZONES:
            for name in ("ship_base_grams", *ZONE_FEE_FIELDS):
                field = self[name]
                if field.data is None and not field.errors:
                    field.errors.append(
                        _l("Vui lòng nhập đủ bảng phí khi tính theo khối lượng (có thể là 0).")
                    )
                    ok = False
        return ok

    def settings(self) -> dict:
        """The values to store; a blank zone field keeps its current value."""
        data = {
            "shipping_mode": self.shipping_mode.data,
            "shipping_fee_vnd": self.shipping_fee_vnd.data,
            "free_shipping_over_vnd": self.free_shipping_over_vnd.data,
        }
        for name in ("ship_base_grams", *ZONE_FEE_FIELDS):
            if self[name].data is not None:
                data[name] = self[name].data
        return data


def _order_number(value):
    """ "dh 2611 000123" is DH2611000123: no spaces, upper case."""
    return "".join((value or "").split()).upper()


class FindOrderForm(FlaskForm):
    """A guest who lost their order's link asks for it again."""

    number = StringField(
        _l("Mã đơn hàng"),
        description=_l("Dạng DH2611000123, trong tin nhắn hoặc giấy tờ giao hàng."),
        filters=[_order_number],
        validators=[
            InputRequired(message=_l("Vui lòng nhập mã đơn hàng.")),
            Length(max=20, message=_l("Mã đơn hàng tối đa 20 ký tự.")),
        ],
    )
    phone = phone_field(_l("Số điện thoại đặt hàng"))
