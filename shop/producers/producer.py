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
from sqlalchemy.exc import IntegrityError

from shop.auth.models import normalize_email
from shop.clock import utcnow
from shop.extensions import db
from shop.producers import emails, services
from shop.producers.access import own_or_404, producer_required
from shop.producers.exceptions import (
    AlreadyMember,
    InvitationClosed,
    InvitationNotFound,
    LastOwner,
    NotInvitee,
    StaffCannotJoin,
)
from shop.producers.forms import InvitationResponseForm, InviteMemberForm, ProducerForm
from shop.producers.models import MemberRole, ProducerInvitation, ProducerMember
from shop.uploads import UploadRejected, check_image, delete_upload, store_upload

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
        return redirect(url_for("certification.producer_dashboard"))
    form = ProducerForm()
    form.load_address_choices()
    if _saving(form):
        valid = form.validate()
        logo = _checked_logo(form)
        if valid and not form.logo.errors:
            stored = store_upload(logo, "logos", "image/webp") if logo else None
            services.register_producer(
                current_user, form.profile(), stored.path if stored else None
            )
            db.session.commit()
            flash(_("Đã gửi hồ sơ. Cán bộ xúc tiến thương mại sẽ xác minh chủ thể."), "success")
            return redirect(url_for("certification.producer_dashboard"))
    status = 400 if form.errors else 200
    return render_template("producers/register.html", form=form), status


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
            stored = store_upload(logo, "logos", "image/webp") if logo else None
            services.update_producer(producer, form.profile())
            if stored:
                producer.logo_path = stored.path
            services.resubmit_producer(producer)
            db.session.commit()
            if stored:
                delete_upload(old_logo)
            flash(_("Đã lưu thông tin chủ thể."), "success")
            return redirect(url_for("producers.profile"))
    status = 400 if form.errors else 200
    return render_template("producers/profile.html", form=form, producer=producer), status


@bp.route("/members", methods=["GET", "POST"])
@producer_required
def members():
    form = InviteMemberForm()
    me = services.membership_of(current_user)
    if form.validate_on_submit():
        if me.role != MemberRole.OWNER:
            abort(403)
        try:
            invitation, token = services.invite_member(
                g.producer, current_user._get_current_object(), form.email.data, utcnow()
            )
            emails.invitation(invitation, token)  # queued, sent after the commit
            db.session.commit()
        except AlreadyMember:
            db.session.rollback()
            form.email.errors.append(_("Người này đã là thành viên của chủ thể."))
        except IntegrityError:
            # The same address invited twice at the same moment: the other
            # request opened the invitation and sent its e-mail.
            db.session.rollback()
            return _invitation_sent(normalize_email(form.email.data))
        else:
            return _invitation_sent(invitation.email)
    invitations = []
    if me.role == MemberRole.OWNER:
        invitations = db.session.scalars(services.pending_invitations(g.producer)).all()
    status = 400 if form.errors else 200
    return render_template(
        "producers/members.html",
        form=form,
        producer=g.producer,
        me=me,
        invitations=invitations,
        now=utcnow(),
    ), status


def _invitation_sent(email: str):
    # The same answer for every address: it tells the owner nothing about who
    # has an account here.
    flash(_("Đã gửi lời mời tới %(email)s.", email=email), "success")
    return redirect(url_for("producers.members"))


@bp.post("/members/invitations/<int:invitation_id>/revoke")
@producer_required
def revoke_invitation(invitation_id: int):
    invitation = own_or_404(ProducerInvitation, invitation_id)
    if services.membership_of(current_user).role != MemberRole.OWNER:
        abort(403)
    try:
        services.revoke_invitation(invitation, current_user._get_current_object(), utcnow())
    except InvitationClosed:
        db.session.rollback()
        flash(_("Lời mời này đã đóng, không còn gì để thu hồi."), "info")
        return redirect(url_for("producers.members"))
    db.session.commit()
    flash(_("Đã thu hồi lời mời tới %(email)s.", email=invitation.email), "success")
    return redirect(url_for("producers.members"))


@bp.post("/members/<int:member_id>/remove")
@producer_required
def remove_member(member_id: int):
    member = own_or_404(ProducerMember, member_id)
    me = services.membership_of(current_user)
    if not me.may_remove(member):
        abort(403)
    try:
        services.remove_member(g.producer, member, current_user._get_current_object())
    except LastOwner:
        db.session.rollback()
        flash(_("Chủ thể phải còn ít nhất một chủ sở hữu."), "error")
        return redirect(url_for("producers.members"))
    db.session.commit()
    flash(_("Đã xoá thành viên."), "success")
    return redirect(url_for("producers.members"))


# The invitee's side: login_required, not producer_required (they are not one yet).


def _closed_message(reason: str) -> str:
    return {
        "expired": _("Lời mời này đã hết hạn. Hãy nhờ chủ thể gửi lời mời mới."),
        "accepted": _("Lời mời này đã được chấp nhận."),
        "declined": _("Lời mời này đã bị từ chối."),
        "revoked": _("Lời mời này đã bị chủ thể thu hồi."),
    }[reason]


def _invitation_unusable(message: str, status: int):
    return render_template("producers/invitation_unusable.html", message=message), status


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@login_required
def invitation(token: str):
    now = utcnow()
    user = current_user._get_current_object()
    try:
        invitation = services.invitation_for(token, user, now)
    except InvitationNotFound:
        return _invitation_unusable(
            _("Không tìm thấy lời mời này. Hãy kiểm tra lại liên kết trong thư."), 404
        )
    except NotInvitee:
        return _invitation_unusable(
            _(
                "Lời mời này được gửi tới một địa chỉ email khác, không phải %(email)s. "
                "Hãy đăng xuất rồi đăng nhập bằng tài khoản của địa chỉ được mời.",
                email=user.email,
            ),
            403,
        )
    except InvitationClosed as exc:
        return _invitation_unusable(_closed_message(exc.reason), 410)

    form = InvitationResponseForm()
    error, status = None, 200
    if form.validate_on_submit():
        if form.accept.data:
            try:
                services.accept_invitation(invitation, user, now)
                db.session.commit()
            except InvitationClosed as exc:
                db.session.rollback()
                return _invitation_unusable(_closed_message(exc.reason), 410)
            except StaffCannotJoin:
                db.session.rollback()
                error, status = (
                    _("Cán bộ xúc tiến thương mại không thể làm thành viên chủ thể."),
                    409,
                )
            except (AlreadyMember, IntegrityError):
                db.session.rollback()
                error, status = (
                    _(
                        "Tài khoản của bạn đã thuộc một chủ thể. Mỗi tài khoản chỉ thuộc một "
                        "chủ thể: hãy rời chủ thể hiện tại trước khi chấp nhận lời mời này."
                    ),
                    409,
                )
            else:
                flash(
                    _(
                        "Bạn đã trở thành thành viên của %(producer)s.",
                        producer=invitation.producer.legal_name,
                    ),
                    "success",
                )
                return redirect(url_for("certification.producer_dashboard"))
        elif form.decline.data:
            try:
                services.decline_invitation(invitation, user, now)
            except InvitationClosed as exc:
                db.session.rollback()
                return _invitation_unusable(_closed_message(exc.reason), 410)
            db.session.commit()
            flash(_("Bạn đã từ chối lời mời."), "info")
            return redirect(url_for("storefront.home"))
        else:
            abort(400)
    return render_template(
        "producers/invitation.html", invitation=invitation, form=form, error=error
    ), status
