from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from shop.certification.forms import VnDateField


class CampaignForm(FlaskForm):
    title = StringField(
        _l("Tên chiến dịch"),
        validators=[
            InputRequired(message=_l("Vui lòng nhập tên chiến dịch.")),
            Length(max=200, message=_l("Tối đa 200 ký tự.")),
        ],
    )
    description = TextAreaField(
        _l("Giới thiệu"),
        validators=[Optional(), Length(max=4000, message=_l("Tối đa 4000 ký tự."))],
    )
    starts_on = VnDateField(
        _l("Bắt đầu"), validators=[InputRequired(message=_l("Vui lòng nhập ngày bắt đầu."))]
    )
    ends_on = VnDateField(
        _l("Kết thúc"), validators=[InputRequired(message=_l("Vui lòng nhập ngày kết thúc."))]
    )
    banner = FileField(
        _l("Ảnh bìa (JPEG, PNG, WebP; không bắt buộc)"),
        render_kw={"accept": "image/png,image/jpeg,image/webp"},
    )

    def validate_ends_on(self, field):
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("Ngày kết thúc phải sau ngày bắt đầu."))


class FeatureForm(FlaskForm):
    product = StringField(
        _l("Sản phẩm (đường dẫn hoặc mã trang sản phẩm)"),
        description=_l("Ví dụ: che-shan-tuyet-lung-phin"),
        validators=[InputRequired(message=_l("Vui lòng nhập sản phẩm."))],
    )

    def slug(self) -> str:
        return self.product.data.strip().rstrip("/").rsplit("/", 1)[-1]


class CampaignEditForm(CampaignForm):
    banner = FileField(
        _l("Ảnh bìa mới (JPEG, PNG, WebP; để trống để giữ ảnh hiện tại)"),
        render_kw={"accept": "image/png,image/jpeg,image/webp"},
    )
    remove_banner = BooleanField(_l("Bỏ ảnh bìa hiện tại"))


class AddProductForm(FlaskForm):
    """A "Thêm" button beside a search result: the product by its id."""

    product_id = HiddenField(validators=[InputRequired()])
    q = HiddenField()
