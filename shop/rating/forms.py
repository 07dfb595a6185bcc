from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from shop.catalog.forms import ProductSetField, product_set_choices
from shop.certification.forms import ISSUER_LEVEL_LABELS, VnDateField
from shop.certification.models import IssuerLevel
from shop.certification.rules import PROGRAMME_START
from shop.clock import today_vn
from shop.formfields import choice_values, choices, int_or_none
from shop.rating.models import PART_LABELS, DocumentKind, RatingSheet
from shop.rating.rules import PARTS

ACCEPT = "application/pdf,image/png,image/jpeg,image/webp"


class NewApplicationForm(FlaskForm):
    product_id = SelectField(_l("Sản phẩm"), coerce=int_or_none, validate_choice=False)
    product_set_id = ProductSetField(
        _l("Bộ sản phẩm"),
        description=_l("Bộ tiêu chí chấm điểm theo bộ sản phẩm này."),
    )

    def __init__(self, *args, products=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.product_id.choices = choices(
            ((p.id, p.name) for p in products), _l("— Chọn sản phẩm —")
        )
        self.product_set_id.choices = product_set_choices()

    def validate_product_id(self, field):
        if field.data not in choice_values(field):
            raise ValidationError(_l("Vui lòng chọn một sản phẩm của chủ thể."))


def field_name(code: str) -> str:
    return f"c_{code}"


class _ScoreForm(FlaskForm):
    def score_fields(self, sheet: RatingSheet):
        """(part, label, maximum, [(criterion, field)]) in the sheet's order."""
        return [
            (
                part,
                PART_LABELS[part],
                sheet.maxima[part],
                [(c, self[field_name(c.code)]) for c in sheet.criteria_of(part)],
            )
            for part in PARTS
        ]

    def points(self, sheet: RatingSheet) -> dict[str, int]:
        found = {}
        for criterion in sheet.criteria:
            value = self[field_name(criterion.code)].data
            if value is not None:
                found[criterion.code] = value
        return found


def score_form(sheet: RatingSheet, *, required: bool, comments_label, data=None, **kwargs):
    """A form with one points field per criterion of ``sheet``: the producer's draft may
    leave some empty, a council fills them all."""

    class ScoreForm(_ScoreForm):
        comments = TextAreaField(
            comments_label,
            validators=[Optional(), Length(max=5000, message=_l("Tối đa 5.000 ký tự."))],
        )

    needed = InputRequired(message=_l("Vui lòng chấm điểm tiêu chí này."))
    for criterion in sheet.criteria:
        presence = needed if required else Optional()
        setattr(
            ScoreForm,
            field_name(criterion.code),
            IntegerField(
                f"{criterion.code}. {criterion.text}",
                validators=[
                    presence,
                    NumberRange(
                        min=0,
                        max=criterion.max_points,
                        message=_l("Từ 0 đến %(max)s điểm.", max=criterion.max_points),
                    ),
                ],
                render_kw={
                    "min": 0,
                    "max": criterion.max_points,
                    "inputmode": "numeric",
                    "data-part": criterion.part,
                    "data-mandatory": "1" if criterion.mandatory else "0",
                    "data-min": criterion.min_points,
                },
            ),
        )
    initial = {field_name(code): value for code, value in (data or {}).items()}
    return ScoreForm(data=initial, **kwargs)


class DocumentForm(FlaskForm):
    kind = SelectField(
        _l("Loại tài liệu"),
        choices=choices((k.value, k.label) for k in DocumentKind),
        validate_choice=False,
    )
    file = FileField(
        _l("Tệp (PDF hoặc ảnh JPEG, PNG, WebP; tối đa 10 MB)"),
        render_kw={"accept": ACCEPT},
    )

    def validate_kind(self, field):
        try:
            field.data = DocumentKind(field.data)
        except ValueError:
            raise ValidationError(_l("Vui lòng chọn loại tài liệu.")) from None


class MoveForm(FlaskForm):
    stage_id = SelectField(_l("Chuyển sang bước"), coerce=int_or_none, validate_choice=False)
    reason = TextAreaField(
        _l("Ghi chú gửi chủ thể (không bắt buộc)"),
        validators=[Optional(), Length(max=500, message=_l("Tối đa 500 ký tự."))],
    )

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.stage_id.choices = choices((s.id, s.name) for s in targets)

    def validate_stage_id(self, field):
        if field.data not in choice_values(field):
            raise ValidationError(_l("Bước này không có trong kế hoạch từ bước hiện tại."))


def _issuer_level(value):
    if isinstance(value, IssuerLevel):
        return value
    try:
        return IssuerLevel(value)
    except ValueError:
        return None


class DecisionForm(FlaskForm):
    """The decision: for a certified band the decision's number, date and issuer (as
    printed); for no band only the note."""

    decision_number = StringField(
        _l("Số quyết định"),
        description=_l("Ví dụ: 1234/QĐ-UBND"),
        validators=[Optional(), Length(max=60, message=_l("Tối đa 60 ký tự."))],
    )
    decision_date = VnDateField(_l("Ngày quyết định"), validators=[Optional()])
    issuer_level = SelectField(
        _l("Cấp công nhận"),
        choices=choices((k.value, label) for k, label in ISSUER_LEVEL_LABELS.items()),
        coerce=_issuer_level,
        validate_choice=False,
        default=IssuerLevel.PROVINCE.value,
    )
    issuer_name = StringField(
        _l("Cơ quan ban hành (như in trên quyết định)"),
        description=_l("Ví dụ: UBND tỉnh Tuyên Quang"),
        validators=[Optional(), Length(max=200, message=_l("Tối đa 200 ký tự."))],
    )
    transition_confirmed = BooleanField(
        _l("Tôi đã đối chiếu với quyết định: thông tin trên là đúng như in.")
    )
    note = TextAreaField(
        _l("Ghi chú của hội đồng (gửi chủ thể)"),
        validators=[Optional(), Length(max=500, message=_l("Tối đa 500 ký tự."))],
    )

    def check_certified(self) -> bool:
        """The fields a certificate needs; called when the scores earn one."""
        ok = True
        for field, message in (
            (self.decision_number, _l("Vui lòng nhập số quyết định.")),
            (self.decision_date, _l("Vui lòng nhập ngày quyết định.")),
            (self.issuer_name, _l("Vui lòng nhập cơ quan ban hành.")),
        ):
            if not field.data and not field.errors:
                field.errors = [*field.errors, message]
                ok = False
        if self.issuer_level.data is None:
            self.issuer_level.errors = [_l("Vui lòng chọn cấp công nhận.")]
            ok = False
        day = self.decision_date.data
        if day is not None and (day > today_vn() or day < PROGRAMME_START):
            self.decision_date.errors = [
                _l("Ngày quyết định phải từ 07/5/2018 đến hôm nay."),
            ]
            ok = False
        return ok

    def decision(self) -> dict:
        return {
            "decision_number": (self.decision_number.data or "").strip(),
            "decision_date": self.decision_date.data,
            "issuer_level": self.issuer_level.data,
            "issuer_name": (self.issuer_name.data or "").strip(),
            "transition_confirmed": bool(self.transition_confirmed.data),
            "note": self.note.data or "",
        }


class CriterionForm(FlaskForm):
    part = SelectField(
        _l("Phần"), choices=choices((p, PART_LABELS[p]) for p in PARTS), validate_choice=False
    )
    code = StringField(
        _l("Mã"),
        validators=[
            InputRequired(message=_l("Vui lòng nhập mã tiêu chí.")),
            Length(max=10, message=_l("Tối đa 10 ký tự.")),
        ],
    )
    text = StringField(
        _l("Nội dung tiêu chí"),
        validators=[
            InputRequired(message=_l("Vui lòng nhập nội dung tiêu chí.")),
            Length(max=500, message=_l("Tối đa 500 ký tự.")),
        ],
    )
    max_points = IntegerField(
        _l("Điểm tối đa"),
        validators=[
            InputRequired(message=_l("Vui lòng nhập điểm tối đa.")),
            NumberRange(min=1, max=40, message=_l("Từ 1 đến 40 điểm.")),
        ],
    )
    mandatory = BooleanField(_l("Tiêu chí bắt buộc (trượt thì không đạt hạng sao nào)"))
    min_points = IntegerField(
        _l("Điểm tối thiểu để đạt (tiêu chí bắt buộc)"),
        default=1,
        validators=[
            Optional(),
            NumberRange(min=0, max=40, message=_l("Từ 0 đến 40 điểm.")),
        ],
    )

    def validate_part(self, field):
        if field.data not in PARTS:
            raise ValidationError(_l("Vui lòng chọn phần A, B hoặc C."))

    def validate_min_points(self, field):
        if field.data is None:
            field.data = 1
        if self.max_points.data is not None and field.data > self.max_points.data:
            raise ValidationError(_l("Không lớn hơn điểm tối đa."))

    def criterion_data(self) -> dict:
        return {
            "part": self.part.data,
            "code": self.code.data.strip().upper(),
            "text": self.text.data.strip(),
            "max_points": self.max_points.data,
            "mandatory": bool(self.mandatory.data),
            "min_points": self.min_points.data,
        }


class CopySheetForm(FlaskForm):
    product_set_id = SelectField(
        _l("Dùng cho bộ sản phẩm"), coerce=int_or_none, validate_choice=False
    )
    name = StringField(
        _l("Tên bộ tiêu chí"),
        validators=[
            InputRequired(message=_l("Vui lòng đặt tên bộ tiêu chí.")),
            Length(max=200, message=_l("Tối đa 200 ký tự.")),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.product_set_id.choices = choices(
            [(0, _l("Mọi bộ sản phẩm (bộ tiêu chí chung)"))]
            + [(c.value, c.label) for c in product_set_choices()[1:]]
        )

    def validate_product_set_id(self, field):
        if field.data not in choice_values(field):
            raise ValidationError(_l("Vui lòng chọn bộ sản phẩm."))


class StageForm(FlaskForm):
    name = StringField(
        _l("Tên bước"),
        validators=[
            InputRequired(message=_l("Vui lòng nhập tên bước.")),
            Length(max=120, message=_l("Tối đa 120 ký tự.")),
        ],
    )
