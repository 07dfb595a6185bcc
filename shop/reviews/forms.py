from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, ValidationError

from shop.formfields import int_or_none
from shop.reviews.models import BODY_MAX, MAX_RATING, MIN_RATING, REASON_MAX, REPLY_MAX

RATING_WORDS = {
    5: _l("Tuyệt vời"),
    4: _l("Hài lòng"),
    3: _l("Bình thường"),
    2: _l("Không hài lòng"),
    1: _l("Rất tệ"),
}


class ReviewForm(FlaskForm):
    # Anything that is not 1..5 ("0", "6", "x") is a form error, never a 500.
    rating = RadioField(
        _l("Chấm điểm"),
        choices=[SelectChoice(n, RATING_WORDS[n]) for n in range(MAX_RATING, MIN_RATING - 1, -1)],
        coerce=int_or_none,
        validate_choice=False,  # validate_rating says it in Vietnamese
        validators=[InputRequired(_l("Hãy chọn từ 1 đến 5 sao."))],
    )
    body = TextAreaField(
        _l("Nhận xét"),
        description=_l(
            "Chất lượng, đóng gói, giao hàng… (không bắt buộc, tối đa %(n)s ký tự)", n=BODY_MAX
        ),
        validators=[Length(max=BODY_MAX)],
        render_kw={"rows": 5, "maxlength": BODY_MAX},
    )
    photo = FileField(
        _l("Ảnh thực tế (không bắt buộc; JPEG, PNG, WebP, tối đa 5 MB)"),
        render_kw={"accept": "image/png,image/jpeg,image/webp"},
    )

    def validate_rating(self, field) -> None:
        if field.data is None or not MIN_RATING <= field.data <= MAX_RATING:
            raise ValidationError(_l("Hãy chọn từ 1 đến 5 sao."))


class ReplyForm(FlaskForm):
    body = TextAreaField(
        _l("Trả lời công khai"),
        validators=[InputRequired(_l("Vui lòng nhập nội dung trả lời.")), Length(max=REPLY_MAX)],
        render_kw={"rows": 3, "maxlength": REPLY_MAX},
    )


class HideForm(FlaskForm):
    reason = TextAreaField(
        _l("Lý do ẩn"),
        validators=[InputRequired(_l("Vui lòng nhập lý do ẩn đánh giá.")), Length(max=REASON_MAX)],
        render_kw={"rows": 2, "maxlength": REASON_MAX},
    )
