from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _

from shop.catalog import services
from shop.catalog.forms import ProductForm
from shop.catalog.models import Product
from shop.extensions import db
from shop.producers.access import own_or_404, producer_required

bp = Blueprint("catalog", __name__)


@bp.get("/producer/products")
@producer_required
def producer_products():
    products = db.session.scalars(services.products_of(g.producer)).all()
    return render_template("catalog/producer_products.html", products=products)


@bp.route("/producer/products/new", methods=["GET", "POST"])
@producer_required
def new_product():
    form = ProductForm()
    if form.validate_on_submit():
        services.create_product(
            g.producer,
            name=form.name.data.strip(),
            product_set_id=form.product_set_id.data,
            description=(form.description.data or "").strip(),
        )
        db.session.commit()
        flash(_("Đã tạo sản phẩm."), "success")
        return redirect(url_for("catalog.producer_products"))
    status = 400 if form.errors else 200
    return render_template("catalog/product_form.html", form=form, product=None), status


@bp.route("/producer/products/<int:product_id>", methods=["GET", "POST"])
@producer_required
def edit_product(product_id: int):
    product = own_or_404(Product, product_id)
    form = ProductForm(obj=product)
    if form.validate_on_submit():
        services.update_product(
            product,
            name=form.name.data.strip(),
            product_set_id=form.product_set_id.data,
            description=(form.description.data or "").strip(),
        )
        db.session.commit()
        flash(_("Đã lưu sản phẩm."), "success")
        return redirect(url_for("catalog.edit_product", product_id=product.id))
    status = 400 if form.errors else 200
    return render_template("catalog/product_form.html", form=form, product=product), status
