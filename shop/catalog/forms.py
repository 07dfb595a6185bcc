from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from shop.catalog.alcohol import format_abv, is_alcohol, parse_abv
from shop.catalog.gtin import InvalidGtin, ocop_gtin13
from shop.catalog.models import MAX_PHOTOS
from shop.catalog.sanitize import MAX_MARKDOWN, html_to_markdown
from shop.catalog.services import current_product_sets
from shop.formfields import choice_values, choices, int_or_none
from shop.money import MAX_PRICE_VND, MIN_PRICE_VND, format_vnd, parse_vnd


def product_set_choices(sets=None):
    return choices(
        ((s.id, f"{s.code} {s.name_vi}") for s in (sets or current_product_sets())),
        _l("— Chọn bộ sản phẩm —"),
    )


class AbvField(StringField):
    """Alcohol by volume typed as "29,5" or "29.5" (%), held in tenths (295)."""

    def process_formdata(self, valuelist):
        self.raw = valuelist[0] if valuelist else ""
        self.data = None
        if self.raw.strip():
            try:
                self.data = parse_abv(self.raw)
            except ValueError:
                raise ValueError(
                    _l(
                        "Độ cồn là số phần trăm từ 0 đến 100, "
                        "tối đa một chữ số thập phân, ví dụ 29,5."
                    )
                ) from None

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return format_abv(self.data).removesuffix("%") if self.data is not None else ""


class ProductSetField(SelectField):
    def __init__(self, label=None, **kwargs):
        super().__init__(label, coerce=int_or_none, validate_choice=False, **kwargs)

    def pre_validate(self, form):
        if self.data not in choice_values(self):
            raise ValidationError(_l("Vui lòng chọn bộ sản phẩm trong danh mục OCOP."))


class PriceField(StringField):
    """Whole đồng, typed as "125.000", "125000" or "125 000 ₫"; never a float."""

    def process_formdata(self, valuelist):
        self.raw = valuelist[0] if valuelist else ""
        self.data = None
        if self.raw.strip():
            try:
                self.data = parse_vnd(self.raw)
            except ValueError:
                raise ValueError(
                    _l("Giá là số đồng nguyên, ví dụ 125.000 (không có phần thập phân).")
                ) from None

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return format_vnd(self.data).removesuffix(" ₫") if self.data is not None else ""


GTIN_MESSAGES = {
    "length": _l("Mã GTIN-13 gồm đúng 13 chữ số."),
    "check digit": _l("Sai số kiểm tra của mã GTIN-13: hãy đối chiếu với giấy chứng nhận GS1."),
    "restricted": _l(
        "Mã bắt đầu bằng 02, 04 hoặc 20–29 là mã lưu hành nội bộ, không dùng cho sản phẩm OCOP."
    ),
    "publication": _l("Mã bắt đầu bằng 977–979 dành cho sách và ấn phẩm định kỳ."),
    "coupon": _l("Mã bắt đầu bằng 98 hoặc 99 dành cho phiếu giảm giá, phiếu hoàn tiền."),
    "zeros": _l("Mã toàn số 0 không phải mã GTIN."),
}


def gtin_taken_message():
    return _l(
        "Mã GTIN này đã thuộc sản phẩm của một chủ thể khác. Mỗi mã thuộc một chủ sở hữu "
        "thương hiệu; nếu bạn được phép dùng mã này, hãy liên hệ cán bộ xúc tiến thương mại."
    )


class ProductForm(FlaskForm):
    name = StringField(
        _l("Tên sản phẩm"),
        validators=[
            InputRequired(message=_l("Vui lòng nhập tên sản phẩm.")),
            Length(max=200, message=_l("Tên tối đa 200 ký tự.")),
        ],
    )
    product_set_id = ProductSetField(_l("Bộ sản phẩm OCOP"))
    price_vnd = PriceField(
        _l("Giá bán (đồng)"),
        description=_l("Từ 1.000 ₫ đến 100.000.000 ₫, số nguyên."),
        render_kw={"inputmode": "numeric"},
    )
    stock = IntegerField(
        _l("Số lượng trong kho"),
        validators=[
            InputRequired(message=_l("Vui lòng nhập số lượng (0 nếu hết hàng).")),
            NumberRange(min=0, max=1_000_000, message=_l("Số lượng từ 0 đến 1.000.000.")),
        ],
        render_kw={"inputmode": "numeric", "min": 0},
    )
    unit = StringField(
        _l("Đơn vị"),
        description=_l("Ví dụ: Hộp, Chai, Gói, Túi"),
        validators=[
            InputRequired(message=_l("Vui lòng nhập đơn vị.")),
            Length(max=40, message=_l("Tối đa 40 ký tự.")),
        ],
    )
    net_quantity = StringField(
        _l("Khối lượng / thể tích tịnh"),
        description=_l("Ví dụ: 200 g, 500 ml"),
        validators=[
            InputRequired(message=_l("Vui lòng nhập khối lượng hoặc thể tích tịnh.")),
            Length(max=60, message=_l("Tối đa 60 ký tự.")),
        ],
    )
    gtin = StringField(
        _l("Mã vạch GTIN-13 (không bắt buộc)"),
        description=_l("Mã do GS1 Việt Nam cấp (bắt đầu bằng 893). Sàn không tự tạo mã."),
        validators=[Optional()],
        render_kw={"inputmode": "numeric"},
    )
    abv_tenths = AbvField(
        _l("Độ cồn (% thể tích)"),
        description=_l(
            "Bắt buộc với rượu và đồ uống có cồn, ví dụ 29,5. Để trống nếu sản phẩm không có cồn."
        ),
        render_kw={"inputmode": "decimal"},
    )
    shipping_grams = IntegerField(
        _l("Khối lượng gửi hàng (gam, cả bao bì)"),
        description=_l("Dùng để tính phí vận chuyển theo khối lượng, ví dụ 750."),
        validators=[
            Optional(),
            NumberRange(min=1, max=1_000_000, message=_l("Khối lượng từ 1 đến 1.000.000 gam.")),
        ],
        render_kw={"inputmode": "numeric", "min": 1},
    )
    # Markdown (shop/catalog/sanitize.py renders it); static/js/editor.js adds the toolbar.
    description = TextAreaField(
        _l("Mô tả"),
        description=_l(
            "Viết như tin nhắn: **chữ đậm**, *chữ nghiêng*, ### tiêu đề, "
            "dòng bắt đầu bằng - hoặc 1. thành danh sách, [chữ](https://...) thành liên kết. "
            "Không dùng mã HTML."
        ),
        validators=[
            Optional(),
            Length(max=MAX_MARKDOWN, message=_l("Mô tả tối đa 10000 ký tự.")),
        ],
    )

    def __init__(self, *args, requires_weight: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        product = kwargs.get("obj")
        if product is not None and not self.is_submitted():
            # The editor edits Markdown; a description saved as HTML before it existed
            # is offered as its Markdown.
            self.description.data = (
                product.description_md
                if product.description_md is not None
                else html_to_markdown(product.description)
            )
        sets = current_product_sets()
        self.product_set_id.choices = product_set_choices(sets)
        self.alcoholic_set_ids = {s.id for s in sets if s.alcoholic}
        # The producer charges shipping by weight: every product needs its weight.
        self.requires_weight = requires_weight

    def validate_abv_tenths(self, field):
        if self.product_set_id.data in self.alcoholic_set_ids and not is_alcohol(field.data):
            raise ValidationError(
                _l("Rượu và đồ uống có cồn phải ghi độ cồn (lớn hơn 0), ví dụ 29,5.")
            )

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        # Not an inline validator: Optional() stops the chain on a blank field.
        weight = self.shipping_grams
        if self.requires_weight and weight.data is None and not weight.errors:
            weight.errors.append(
                _l("Cơ sở tính phí vận chuyển theo khối lượng: vui lòng nhập khối lượng gửi hàng.")
            )
            ok = False
        return ok

    def validate_price_vnd(self, field):
        if field.data is None:
            raise ValidationError(_l("Vui lòng nhập giá bán."))
        if not MIN_PRICE_VND <= field.data <= MAX_PRICE_VND:
            raise ValidationError(_l("Giá phải từ 1.000 ₫ đến 100.000.000 ₫."))

    def validate_gtin(self, field):
        try:
            field.data = ocop_gtin13(field.data)
        except InvalidGtin as exc:
            message = GTIN_MESSAGES.get(str(exc), GTIN_MESSAGES["length"])
            raise ValidationError(message) from None

    def product_data(self) -> dict:
        return {
            "name": self.name.data.strip(),
            "product_set_id": self.product_set_id.data,
            "price_vnd": self.price_vnd.data,
            "stock": self.stock.data,
            "unit": self.unit.data.strip(),
            "net_quantity": self.net_quantity.data.strip(),
            "gtin": self.gtin.data or None,
            "abv_tenths": self.abv_tenths.data,
            "shipping_grams": self.shipping_grams.data,
            "description_md": self.description.data or "",
        }


class PhotoForm(FlaskForm):
    photos = MultipleFileField(
        _l(
            "Ảnh sản phẩm (JPEG, PNG, WebP; tối đa 10 MB mỗi ảnh, %(n)s ảnh mỗi sản phẩm)",
            n=MAX_PHOTOS,
        ),
        render_kw={"accept": "image/png,image/jpeg,image/webp", "multiple": True},
    )


class GtinGrantForm(FlaskForm):
    """Staff let a second producer carry a GTIN another producer owns."""

    gtin = StringField(
        _l("Mã GTIN-13"),
        validators=[InputRequired(message=_l("Vui lòng nhập mã GTIN-13."))],
        render_kw={"inputmode": "numeric"},
    )
    producer_id = SelectField(
        _l("Chủ thể được phép dùng"), coerce=int_or_none, validate_choice=False
    )
    reason = TextAreaField(
        _l("Lý do"),
        description=_l("Ví dụ: nhà phân phối được chủ sở hữu thương hiệu uỷ quyền (số văn bản)."),
        validators=[
            InputRequired(message=_l("Vui lòng nêu lý do.")),
            Length(max=500, message=_l("Tối đa 500 ký tự.")),
        ],
    )

    def validate_producer_id(self, field):
        if field.data not in choice_values(field):
            raise ValidationError(_l("Vui lòng chọn chủ thể."))
