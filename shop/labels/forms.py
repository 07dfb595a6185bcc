from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DecimalField, IntegerField, SelectField, SelectMultipleField
from wtforms.validators import InputRequired, NumberRange, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from shop.formfields import choice_values, choices, int_or_none
from shop.localities.services import province_options


class ArtworkForm(FlaskForm):
    province_code = SelectField(_l("Phạm vi"), coerce=int_or_none, validate_choice=False)
    artwork = FileField(
        _l("Biểu trưng chính thức (SVG hoặc PNG, tối đa 5 MB)"),
        render_kw={"accept": "image/svg+xml,image/png"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.province_code.choices = choices(province_options(), _l("Toàn quốc"))

    def validate_province_code(self, field):
        if field.data is not None and field.data not in choice_values(field):
            raise ValidationError(_l("Tỉnh/thành phố không hợp lệ."))


class _CommaDecimalField(DecimalField):
    """Vietnamese write 1,5 for 1.5."""

    def process_formdata(self, valuelist):
        super().process_formdata([v.replace(",", ".").strip() for v in valuelist])


class PrintOffsetForm(FlaskForm):
    offset_x = _CommaDecimalField(
        _l("Độ lệch ngang X (mm, + là sang phải)"),
        places=1,
        validators=[InputRequired(), NumberRange(-10, 10)],
    )
    offset_y = _CommaDecimalField(
        _l("Độ lệch dọc Y (mm, + là xuống dưới)"),
        places=1,
        validators=[InputRequired(), NumberRange(-10, 10)],
    )


class SheetForm(FlaskForm):
    """Read from the address (GET): what to print on a sheet of labels."""

    class Meta:
        csrf = False

    code = SelectMultipleField(
        _l("Chứng nhận"),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    layout = SelectField(_l("Khổ tờ nhãn"), default="3x8")
    quantity = IntegerField(_l("Số nhãn mỗi chứng nhận"), validators=[InputRequired()])
    start = IntegerField(
        _l("Bắt đầu từ ô số"),
        default=1,
        description=_l(
            "Tờ đã dùng một phần: bỏ qua các ô đã dùng, đếm từ trái sang phải, trên xuống dưới."
        ),
        validators=[InputRequired()],
    )

    def __init__(self, *args, certificates=(), layouts=None, max_labels=10_000, **kwargs):
        super().__init__(*args, **kwargs)
        self.code.choices = [
            (c.verification_code, f"{c.product.name} · {c.star_rank}★ · {c.decision_number}")
            for c in certificates
        ]
        self.layout.choices = [(name, name) for name in layouts or ()]
        self._layouts = layouts or {}
        self._max_labels = max_labels

    def validate_code(self, field):
        if not field.data:
            raise ValidationError(_("Hãy chọn ít nhất một chứng nhận."))

    def validate_quantity(self, field):
        if field.data is not None and not 1 <= field.data <= self._max_labels:
            # Plain strings, translated now: the error summary lists strings only.
            raise ValidationError(_("Từ 1 đến %(n)s nhãn.", n=self._max_labels))
        # The PDF holds every certificate's labels: the bound is on their total.
        codes = len(self.code.data or ())
        if field.data is not None and codes > 1 and field.data * codes > self._max_labels:
            raise ValidationError(
                _(
                    "Tối đa %(n)s nhãn mỗi lần in: %(q)s nhãn × %(c)s chứng nhận là quá nhiều.",
                    n=self._max_labels,
                    q=field.data,
                    c=codes,
                )
            )

    def validate_start(self, field):
        layout = self._layouts.get(self.layout.data)
        if (
            layout is not None
            and field.data is not None
            and not 1 <= field.data <= layout.per_sheet
        ):
            raise ValidationError(
                _("Tờ %(name)s có %(n)s ô: từ 1 đến %(n)s.", name=layout.name, n=layout.per_sheet)
            )
