from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from shop.formfields import email_field
from shop.phones import normalize_phone

MAX_COMPLAINT = 4000


class ComplaintForm(FlaskForm):
    name = StringField(
        _l("Họ và tên"),
        validators=[
            InputRequired(message=_l("Vui lòng nhập họ và tên.")),
            Length(max=120, message=_l("Họ và tên tối đa 120 ký tự.")),
        ],
    )
    email = email_field(_l("Email"), _l("Chúng tôi gửi xác nhận và câu trả lời về địa chỉ này."))
    phone = StringField(_l("Số điện thoại (không bắt buộc)"))
    order_number = StringField(
        _l("Mã đơn hàng (nếu có)"),
        validators=[Length(max=20, message=_l("Mã đơn hàng tối đa 20 ký tự."))],
    )
    text = TextAreaField(
        _l("Nội dung khiếu nại"),
        description=_l("Sản phẩm, sự việc, thời điểm và điều bạn đề nghị."),
        validators=[
            InputRequired(message=_l("Vui lòng nêu nội dung khiếu nại.")),
            Length(
                min=10,
                max=MAX_COMPLAINT,
                message=_l("Nội dung từ 10 đến %(max)s ký tự.", max=MAX_COMPLAINT),
            ),
        ],
    )

    def validate_phone(self, field):
        if not (field.data or "").strip():
            field.data = None
            return
        normalized = normalize_phone(field.data)
        if normalized is None:
            raise ValidationError(
                _l("Số điện thoại không hợp lệ: dùng dạng 0xxxxxxxxx hoặc +84xxxxxxxxx.")
            )
        field.data = normalized


class AnswerForm(FlaskForm):
    answer = TextAreaField(
        _l("Trả lời khách hàng"),
        description=_l("Gửi nguyên văn qua email cho người khiếu nại."),
        validators=[
            InputRequired(message=_l("Vui lòng nhập câu trả lời.")),
            Length(max=4000, message=_l("Tối đa 4000 ký tự.")),
        ],
    )


class CloseForm(FlaskForm):
    reason = StringField(
        _l("Lý do đóng"),
        validators=[
            InputRequired(message=_l("Vui lòng nêu lý do.")),
            Length(max=500, message=_l("Tối đa 500 ký tự.")),
        ],
    )
