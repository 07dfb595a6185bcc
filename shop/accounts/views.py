import hashlib

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from shop.accounts import emails, personal_data
from shop.accounts.forms import (
    ChangePasswordForm,
    DeleteAccountForm,
    ForgotPasswordForm,
    LoginForm,
    RegisterForm,
    ResetPasswordForm,
)
from shop.auth import services
from shop.auth.exceptions import EmailTaken, InvalidCredentials, InvalidResetToken, WrongPassword
from shop.auth.models import Role, normalize_email
from shop.auth.passwords import verify_password
from shop.clock import utcnow
from shop.core.redirects import safe_next
from shop.extensions import db, limiter
from shop.legal.rules import MARKETING_CONSENT_VERSION, DeletionRefusal
from shop.legal.services import (
    grant_marketing_consent,
    marketing_consent,
    withdraw_marketing_consent,
)
from shop.mail import send_mail

bp = Blueprint("auth", __name__)


def _login_account_key() -> str:
    return "login-account:" + normalize_email(request.form.get("email", ""))[:254]


def _failed(response) -> bool:
    # Only failed attempts count: a successful login answers with a redirect.
    return response.status_code != 302


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _signup_limit() -> str:
    return current_app.config["SIGNUP_RATE_LIMIT"]


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_signup_limit, methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("storefront.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        next_url = safe_next(request.args.get("next"), "") or None
        email = normalize_email(form.email.data)
        # A new address and one that has an account get the same answer: an
        # e-mail, then the same page. Only the holder of the address learns which.
        try:
            user = services.register_user(email, form.password.data, form.full_name.data)
        except EmailTaken:
            db.session.rollback()
            emails.registration_attempt(services.find_user_by_email(email), next_url)
        else:
            if form.marketing.data:
                grant_marketing_consent(user, utcnow(), source="register")
            emails.welcome(user, next_url)
        db.session.commit()  # the account (if new) and its e-mail, sent after this
        session["registered_email"] = email
        return redirect(url_for("auth.registered", next=next_url))
    return render_template("auth/register.html", form=form), 400 if form.errors else 200


@bp.get("/register/sent")
def registered():
    next_url = safe_next(request.args.get("next"), "") or None
    return render_template(
        "auth/registered.html", email=session.get("registered_email"), next_url=next_url
    )


def home_for(user) -> str:
    """Where signing in lands without a ``next``: staff on their console, a
    producer's people on the producer dashboard, a sales centre's people on its
    till, buyers on the shop."""
    if user.is_staff:
        return url_for("promotion_staff.dashboard")
    if user.role is Role.PRODUCER:
        return url_for("certification.producer_dashboard")
    if user.role is Role.CENTRE:
        return url_for("centres.till")
    return url_for("storefront.home")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed)
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed, key_func=_login_account_key)
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next"), home_for(current_user)))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except InvalidCredentials:
            db.session.rollback()
            form.password.errors.append(_("Email hoặc mật khẩu không đúng."))
            status = 401
        else:
            db.session.commit()
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next"), home_for(user)))
    elif form.errors:
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    services.end_all_sessions(current_user)
    db.session.commit()
    logout_user()
    flash(_("Bạn đã đăng xuất."), "info")
    return redirect(url_for("storefront.home"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                current_user, form.current_password.data, form.new_password.data
            )
        except WrongPassword:
            form.current_password.errors.append(_("Mật khẩu hiện tại không đúng."))
        else:
            db.session.commit()
            # Other sessions are gone with the old token; keep this one signed in.
            login_user(current_user._get_current_object())
            flash(_("Đã đổi mật khẩu. Các phiên đăng nhập khác đã bị đăng xuất."), "success")
            return redirect(url_for("storefront.home"))
    return render_template("auth/change_password.html", form=form), 400 if form.errors else 200


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_signup_limit, methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = services.find_user_by_email(form.email.data)
        if user is not None:
            token = services.make_reset_token(user)
            link = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url_for(
                "auth.reset_password", token=token
            )
            send_mail(
                user.email,
                _("Đặt lại mật khẩu Chợ OCOP"),
                _(
                    "Xin chào %(name)s,\n\nĐể đặt lại mật khẩu, hãy mở liên kết sau "
                    "(có hiệu lực trong 1 giờ):\n%(link)s\n\n"
                    "Nếu bạn không yêu cầu, hãy bỏ qua thư này.",
                    name=user.full_name,
                    link=link,
                ),
                key=f"password-reset:{user.id}:{hashlib.sha256(token.encode()).hexdigest()[:16]}",
            )
            db.session.commit()
        # The same answer whether or not the account exists.
        flash(_("Nếu email có tài khoản, chúng tôi đã gửi liên kết đặt lại mật khẩu."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form), 400 if form.errors else 200


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        services.user_for_reset_token(token)
    except InvalidResetToken:
        return render_template("auth/reset_invalid.html"), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        services.reset_password(token, form.password.data)
        db.session.commit()
        flash(_("Đã đặt lại mật khẩu. Hãy đăng nhập bằng mật khẩu mới."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form), 400 if form.errors else 200


# -- The account page and the user's own data (Law 91/2025/QH15)


@bp.get("/account")
@login_required
def account():
    return render_template(
        "auth/account.html",
        consent=marketing_consent(current_user),
        consent_version=MARKETING_CONSENT_VERSION,
    )


@bp.post("/account/marketing")
@login_required
def grant_marketing():
    grant_marketing_consent(current_user, utcnow(), source="account")
    db.session.commit()
    flash(_("Bạn sẽ nhận email giới thiệu sản phẩm và khuyến mại."), "success")
    return redirect(url_for("auth.account"), 303)


@bp.post("/account/marketing/withdraw")
@login_required
def withdraw_marketing():
    withdraw_marketing_consent(current_user, utcnow())
    db.session.commit()
    flash(_("Đã rút lại đồng ý: bạn không nhận email quảng cáo nữa."), "success")
    return redirect(url_for("auth.account"), 303)


@bp.get("/account/my-data.zip")
@login_required
def download_data():
    now = utcnow()
    archive = personal_data.personal_data_zip(current_user, now)
    return Response(
        archive,
        mimetype="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="cho-ocop-du-lieu-{now:%Y%m%d}.zip"'
        },
    )


def refusal_messages(refusals: list[DeletionRefusal]) -> list[str]:
    texts = {
        DeletionRefusal.STAFF: _(
            "Đây là tài khoản nhân viên: các thao tác của nó phải còn người chịu trách nhiệm. "
            "Quản trị viên sẽ khoá tài khoản khi bạn nghỉ việc."
        ),
        DeletionRefusal.PRODUCER: _(
            "Tài khoản đang thuộc một chủ thể bán hàng (sản phẩm, đơn cần giao, quyết toán). "
            "Hãy rời chủ thể hoặc chuyển quyền chủ sở hữu trước, hoặc liên hệ ban quản lý."
        ),
        DeletionRefusal.ORDERS_IN_PROGRESS: _(
            "Bạn còn đơn hàng chưa hoàn tất. Hãy xoá tài khoản sau khi nhận hàng "
            "hoặc sau khi đơn bị huỷ."
        ),
    }
    return [texts[r] for r in refusals]


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
# The password is asked again: guesses count as they do at /login.
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed)
def delete_account():
    refusals = personal_data.refusals_for(current_user)
    form = DeleteAccountForm()
    status = 200
    if refusals:
        status = 409 if request.method == "POST" else 200
    elif form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.password.data):
            form.password.errors.append(_("Mật khẩu hiện tại không đúng."))
        else:
            try:
                personal_data.delete_account(current_user._get_current_object(), utcnow())
            except personal_data.AccountDeletionRefused as exc:  # an order placed meanwhile
                db.session.rollback()
                refusals, status = exc.refusals, 409
            else:
                db.session.commit()
                logout_user()
                flash(_("Tài khoản của bạn đã được xoá."), "info")
                return redirect(url_for("storefront.home"))
    if form.errors:
        status = 400
    return render_template(
        "auth/delete_account.html", form=form, refusals=refusal_messages(refusals)
    ), status
