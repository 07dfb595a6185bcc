from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from shop.catalog.services import refresh_producer_products
from shop.extensions import db
from shop.producers import services
from shop.producers.access import own_or_404, producer_required
from shop.producers.exceptions import AlreadyMember, LastOwner, UnknownUser
from shop.producers.forms import AddMemberForm, ProducerForm
from shop.producers.models import MemberRole, ProducerMember
from shop.uploads import UploadRejected, check_image, delete_upload, store_bytes

bp = Blueprint("producers", __name__, url_prefix="/producer")


def _saving(form: ProducerForm) -> bool:
    """Submitted to save, not the no-JavaScript "load the wards" button."""
    return form.is_submitted() and "refresh_wards" not in request.form


def _checked_logo(form: ProducerForm) -> bytes | None:
    """The re-encoded logo, or None when none was sent; errors go on the field."""
    upload = form.logo.data
    if not upload or not getattr(upload, "filename", ""):
        return None
    try:
        return check_image(upload, current_app.config["LOGO_MAX_BYTES"], max_side=512)
    except UploadRejected as exc:
        form.logo.errors = [*form.logo.errors, str(exc)]
        return None


@bp.route("/register", methods=["GET", "POST"])
@login_required
def register():
    if current_user.is_staff:
        abort(403)  # staff review producers; they cannot be one
    if services.producer_of(current_user) is not None:
        return redirect(url_for("producers.dashboard"))
    form = ProducerForm()
    form.load_address_choices()
    if _saving(form):
        valid = form.validate()
        logo = _checked_logo(form)
        if valid and not form.logo.errors:
            stored = store_bytes(logo, "logos", "image/webp") if logo else None
            try:
                services.register_producer(
                    current_user, form.profile(), stored.path if stored else None
                )
                db.session.commit()
            except Exception:
                db.session.rollback()
                delete_upload(stored.path if stored else None)
                raise
            flash(_("Đã gửi hồ sơ. Cán bộ xúc tiến thương mại sẽ xác minh chủ thể."), "success")
            return redirect(url_for("producers.dashboard"))
    status = 400 if form.errors else 200
    return render_template("producers/register.html", form=form), status


@bp.get("/")
@producer_required
def dashboard():
    from shop.catalog.services import products_of
    from shop.certification.services import certificates_of

    products = db.session.scalars(products_of(g.producer)).all()
    certificates = db.session.scalars(certificates_of(g.producer)).all()
    return render_template(
        "producers/dashboard.html",
        producer=g.producer,
        products=products,
        certificates=certificates,
    )


@bp.route("/profile", methods=["GET", "POST"])
@producer_required
def profile():
    producer = g.producer
    form = ProducerForm(obj=producer)
    form.load_address_choices()
    if _saving(form):
        valid = form.validate()
        logo = _checked_logo(form)
        if valid and not form.logo.errors:
            old_logo = producer.logo_path
            stored = store_bytes(logo, "logos", "image/webp") if logo else None
            try:
                services.update_producer(producer, form.profile())
                if stored:
                    producer.logo_path = stored.path
                services.resubmit_producer(producer)
                refresh_producer_products(producer)
                db.session.commit()
            except Exception:
                db.session.rollback()
                delete_upload(stored.path if stored else None)
                raise
            if stored:
                delete_upload(old_logo)
            flash(_("Đã lưu thông tin chủ thể."), "success")
            return redirect(url_for("producers.profile"))
    status = 400 if form.errors else 200
    return render_template("producers/profile.html", form=form, producer=producer), status


@bp.route("/members", methods=["GET", "POST"])
@producer_required
def members():
    form = AddMemberForm()
    me = services.membership_of(current_user)
    if form.validate_on_submit():
        if me.role != MemberRole.OWNER:
            abort(403)
        try:
            services.add_member(g.producer, form.email.data)
        except UnknownUser:
            form.email.errors.append(_("Chưa có tài khoản với email này. Hãy mời họ đăng ký."))
        except AlreadyMember:
            form.email.errors.append(_("Tài khoản này đã thuộc một chủ thể."))
        else:
            db.session.commit()
            flash(_("Đã thêm thành viên."), "success")
            return redirect(url_for("producers.members"))
    status = 400 if form.errors else 200
    return render_template("producers/members.html", form=form, producer=g.producer, me=me), status


@bp.post("/members/<int:member_id>/remove")
@producer_required
def remove_member(member_id: int):
    member = own_or_404(ProducerMember, member_id)
    me = services.membership_of(current_user)
    if me.role != MemberRole.OWNER and member.id != me.id:
        abort(403)
    try:
        services.remove_member(g.producer, member)
    except LastOwner:
        flash(_("Chủ thể phải còn ít nhất một chủ sở hữu."), "error")
        return redirect(url_for("producers.members"))
    db.session.commit()
    flash(_("Đã xoá thành viên."), "success")
    return redirect(url_for("producers.members"))
