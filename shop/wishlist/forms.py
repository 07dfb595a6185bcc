from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import InputRequired

from shop.formfields import email_field


class StockAlertForm(FlaskForm):
    # Posted from cached product pages, which carry no per-visitor token: the view
    # checks where the post came from instead (shop/core/edge.py).
    class Meta:
        csrf = False

    email = email_field(_l("Email nhận thông báo"))
    product_id = IntegerField(validators=[InputRequired()])
