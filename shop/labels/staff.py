"""Staff: the official OCOP logo artwork that printed labels carry."""

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop.auth.decorators import staff_required
from shop.extensions import db
from shop.labels import artwork as artworks
from shop.labels.forms import ArtworkForm
from shop.labels.models import LabelArtwork
from shop.uploads import UploadRejected, send_upload

bp = Blueprint("labels_staff", __name__, url_prefix="/staff")


@bp.route("/artwork", methods=["GET", "POST"])
@staff_required
def artwork():
    form = ArtworkForm()
    if form.validate_on_submit():
        upload = form.artwork.data
        if not upload or not getattr(upload, "filename", ""):
            form.artwork.errors.append(_("Hãy chọn tệp biểu trưng."))
        else:
            try:
                png = artworks.check_artwork(upload, current_app.config["LOGO_MAX_BYTES"])
            except UploadRejected as exc:
                form.artwork.errors.append(str(exc))
            else:
                artworks.upload_artwork(png, form.province_code.data, current_user, upload.filename)
                db.session.commit()
                flash(_("Đã tải lên biểu trưng; nhãn mới sẽ dùng biểu trưng này."), "success")
                return redirect(url_for(".artwork"))
    items = db.session.scalars(artworks.active_artworks()).all()
    status = 400 if form.errors else 200
    return render_template("labels/staff_artwork.html", form=form, artworks=items), status


@bp.post("/artwork/<int:artwork_id>/retire")
@staff_required
def retire_artwork(artwork_id: int):
    artworks.retire_artwork(db.get_or_404(LabelArtwork, artwork_id), current_user)
    db.session.commit()
    flash(_("Đã ngừng dùng biểu trưng; nhãn quay về biểu trưng của sàn."), "success")
    return redirect(url_for(".artwork"))


@bp.get("/artwork/<int:artwork_id>.png")
@staff_required
def artwork_image(artwork_id: int):
    item = db.get_or_404(LabelArtwork, artwork_id)
    return send_upload(item.path, "image/png", max_age=3600)
