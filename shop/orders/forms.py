from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.validators import InputRequired, NumberRange, Optional

from shop.catalog.forms import PriceField

MAX_SHIPPING_VND = 5_000_000


class ShippingForm(FlaskForm):
    """A producer's flat fee per order, and the subtotal from which shipping is free."""

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
