from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from shop.catalog.services import current_product_sets
from shop.formfields import choice_values, choices, int_or_none


def product_set_choices():
    return choices(
        ((s.id, f"{s.code} {s.name_vi}") for s in current_product_sets()),
        _l("— Chọn bộ sản phẩm —"),
    )


class ProductSetField(SelectField):
    def __init__(self, label=None, **kwargs):
        super().__init__(label, coerce=int_or_none, validate_choice=False, **kwargs)

    def pre_validate(self, form):
        if self.data not in choice_values(self):
            raise ValidationError(_l("Vui lòng chọn bộ sản phẩm trong danh mục OCOP."))


class ProductForm(FlaskForm):
    name = StringField(
        _l("Tên sản phẩm"),
        validators=[
            InputRequired(message=_l("Vui lòng nhập tên sản phẩm.")),
            Length(max=200, message=_l("Tên tối đa 200 ký tự.")),
        ],
    )
    product_set_id = ProductSetField(_l("Bộ sản phẩm OCOP"))
    description = TextAreaField(
        _l("Mô tả"),
        validators=[Optional(), Length(max=10000, message=_l("Mô tả tối đa 10000 ký tự."))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.product_set_id.choices = product_set_choices()
