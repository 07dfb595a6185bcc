"""Routes for producers: consign their goods to sales centres, and see what each
centre holds of them and every movement."""

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from shop.catalog.models import Product, ProductStatus
from shop.centres import queries, services
from shop.centres.exceptions import CentreError, OnlineShort
from shop.centres.forms import ConsignForm
from shop.centres.models import Centre, StockMovement
from shop.extensions import db
from shop.producers.access import producer_required

bp = Blueprint("centres_producer", __name__, url_prefix="/producer")

RECENT = 50


def _form() -> ConsignForm:
    form = ConsignForm()
    form.centre_id.choices = [
        (c.id, f"{c.name} – {c.province.name}") for c in queries.active_centres()
    ]
    form.product_id.choices = [
        (p.id, p.name)
        for p in db.session.scalars(
            select(Product)
            .where(
                Product.producer_id == g.producer.id,
                Product.status != ProductStatus.ARCHIVED,
            )
            .order_by(Product.name, Product.id)
        )
    ]
    return form


def _page(form: ConsignForm, status: int = 200):
    movements = db.session.scalars(
        select(StockMovement)
        .where(StockMovement.producer_id == g.producer.id)
        .order_by(StockMovement.id.desc())
        .limit(RECENT)
    ).all()
    return (
        render_template(
            "centres/producer.html",
            form=form,
            holdings=queries.holdings_of_producer(g.producer.id),
            movements=movements,
        ),
        status,
    )


@bp.get("/centres")
@producer_required
def index():
    form = _form()
    return _page(form)


@bp.post("/centres")
@producer_required
def consign():
    form = _form()
    if form.validate_on_submit():
        centre = db.session.get(Centre, form.centre_id.data)
        product = db.session.get(Product, form.product_id.data)
        if centre is None or product is None:  # the choices were checked: gone since
            abort(404)
        try:
            services.consign(
                g.producer,
                centre,
                product,
                form.quantity.data,
                current_user,
                from_online=bool(form.from_online.data),
                note=(form.note.data or "").strip(),
            )
            db.session.commit()
        except OnlineShort:
            db.session.rollback()
            form.quantity.errors.append(
                _(
                    "Tồn kho online chỉ còn %(n)s đơn vị. Giảm số lượng, hoặc bỏ chọn "
                    "“Lấy từ tồn kho bán online”.",
                    n=db.session.get(Product, form.product_id.data).stock,
                )
            )
        except CentreError as exc:
            db.session.rollback()
            form.quantity.errors.append(exc.message)
        else:
            flash(
                _(
                    "Đã ghi ký gửi %(n)s %(product)s tại %(centre)s.",
                    n=form.quantity.data,
                    product=product.name,
                    centre=centre.name,
                ),
                "success",
            )
            return redirect(url_for(".index"), 303)
    return _page(form, 400)
