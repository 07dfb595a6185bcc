from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import Email, InputRequired, Length, Optional, ValidationError

from shop.formfields import choices, phone_field
from shop.localities.forms import AddressMixin
from shop.orders.models import PaymentMethod

PAYMENT_CHOICES = choices(
    [
        (PaymentMethod.COD.value, _l("Thanh toán khi nhận hàng (COD)")),
        (PaymentMethod.VIETQR.value, _l("Chuyển khoản ngân hàng qua mã VietQR")),
        (PaymentMethod.CARD.value, _l("Thẻ quốc tế (Visa, Mastercard)")),
    ]
)


class CheckoutForm(AddressMixin, FlaskForm):
    former_locality = None  # not asked of buyers
    customer_name = StringField(
        _l("Họ và tên người nhận"),
        validators=[
            InputRequired(message=_l("Vui lòng nhập họ tên.")),
            Length(max=120, message=_l("Họ tên tối đa 120 ký tự.")),
        ],
    )
    phone = phone_field(_l("Số điện thoại"), _l("Dạng 0912345678 hoặc +84912345678."))
    # Optional whatever the payment method: many cash-on-delivery buyers have no
    # e-mail, and Stripe needs none for a card PaymentIntent. The phone is required.
    email = EmailField(
        _l("Email (không bắt buộc)"),
        description=_l(
            "Chúng tôi gửi xác nhận đơn hàng đến email này. Không có email? Bỏ trống: "
            "trang đơn hàng sẽ cho bạn đường dẫn theo dõi đơn."
        ),
        filters=[lambda value: (value or "").strip().lower() or None],
        validators=[
            Optional(),
            Length(max=254, message=_l("Email quá dài.")),
            Email(message=_l("Email không hợp lệ."), check_deliverability=False),
        ],
    )
    note = TextAreaField(
        _l("Ghi chú cho người bán (không bắt buộc)"),
        validators=[Optional(), Length(max=500, message=_l("Ghi chú tối đa 500 ký tự."))],
    )
    payment_method = RadioField(
        _l("Phương thức thanh toán"),
        choices=PAYMENT_CHOICES,
        default=PaymentMethod.COD.value,
        validate_choice=False,
        validators=[InputRequired(message=_l("Vui lòng chọn cách thanh toán."))],
    )
    save_address = BooleanField(_l("Lưu địa chỉ này cho lần sau"), default=True)
    # Shown, and required, only when the cart holds alcohol (Law 44/2019).
    adult_confirmed = BooleanField(
        _l("Tôi xác nhận mình đã đủ 18 tuổi trở lên (bắt buộc khi mua đồ uống có cồn).")
    )
    checkout_token = HiddenField()
    expected_total = HiddenField()

    requires_adult = False  # the view sets it: the cart holds alcohol

    def validate_adult_confirmed(self, field):
        if self.requires_adult and not field.data:
            raise ValidationError(adult_required_message())

    def validate_payment_method(self, field):
        if field.data not in {choice.value for choice in PAYMENT_CHOICES}:
            raise ValidationError(_l("Vui lòng chọn cách thanh toán."))


def adult_required_message():
    return _l(
        "Giỏ hàng có đồ uống có cồn: không bán cho người chưa đủ 18 tuổi. "
        "Vui lòng xác nhận bạn đã đủ 18 tuổi."
    )
