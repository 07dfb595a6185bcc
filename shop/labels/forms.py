from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField
from wtforms.validators import ValidationError

from shop.formfields import choice_values, choices, int_or_none
from shop.localities.services import list_provinces


class ArtworkForm(FlaskForm):
    province_code = SelectField(_l("Phạm vi"), coerce=int_or_none, validate_choice=False)
    artwork = FileField(
        _l("Biểu trưng chính thức (SVG hoặc PNG, tối đa 5 MB)"),
        render_kw={"accept": "image/svg+xml,image/png"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.province_code.choices = choices(
            ((p.code, p.name) for p in list_provinces()), _l("Toàn quốc")
        )

    def validate_province_code(self, field):
        if field.data is not None and field.data not in choice_values(field):
            raise ValidationError(_l("Tỉnh/thành phố không hợp lệ."))
