"""Staff: the console's home and its one navigation, and the campaigns.

The home sits here because promotion is the top floor of the domain: it already
stands on the catalogue, producers and certification, so counting their queues
points only down (``shop/core`` is the floor under every feature and may not).
The navigation is data: each link names the endpoints that belong to it, and the
page being served is marked without the template comparing anything.
"""

from dataclasses import dataclass, field

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from shop.auth.decorators import staff_required
from shop.catalog.models import Product
from shop.certification.models import ReviewState
from shop.certification.services import certificates_in_review
from shop.clock import today_vn
from shop.extensions import db
from shop.producers.models import ProducerStatus
from shop.producers.services import producers_in_status
from shop.promotion import campaigns as campaign_services
from shop.promotion.forms import AddProductForm, CampaignEditForm, CampaignForm, FeatureForm
from shop.promotion.models import Campaign
from shop.uploads import UploadRejected, check_image, store_upload

bp = Blueprint("promotion_staff", __name__, url_prefix="/staff")


@dataclass(frozen=True)
class NavLink:
    label: str
    endpoint: str
    args: dict = field(default_factory=dict)
    # Endpoints (or prefixes ending in "." or "_") whose pages belong to this link;
    # with ``when``, only while the query string carries those values.
    covers: tuple[str, ...] = ()
    when: dict = field(default_factory=dict)
    admin_only: bool = False


STAFF_NAV = (
    NavLink(_l("Tổng quan"), "promotion_staff.dashboard", covers=("promotion_staff.dashboard",)),
    NavLink(_l("Chủ thể"), "producers_staff.producer_queue", covers=("producers_staff.",)),
    NavLink(
        _l("Chờ xác minh"),
        "certification_staff.certificate_queue",
        {"status": "pending"},
        covers=("certification_staff.certificate_queue",),
        when={"status": "pending"},
    ),
    NavLink(
        _l("Sổ chứng nhận"),
        "certification_staff.certificate_queue",
        covers=("certification_staff.",),
    ),
    NavLink(
        _l("Theo dõi hết hạn"), "certification_staff.expiry", covers=("certification_staff.expiry",)
    ),
    NavLink(_l("Phân hạng OCOP"), "rating_staff.index", covers=("rating_staff.",)),
    NavLink(
        _l("Chiến dịch"),
        "promotion_staff.campaigns",
        covers=("promotion_staff.campaigns", "promotion_staff.campaign_"),
    ),
    NavLink(_l("Đơn hàng"), "staff_orders.index", covers=("staff_orders.", "staff_payments.")),
    NavLink(_l("Khiếu nại"), "legal_staff.index", covers=("legal_staff.",)),
    NavLink(_l("Đánh giá"), "reviews_staff.queue", covers=("reviews_staff.",)),
    NavLink(_l("Báo cáo"), "reports.index", covers=("reports.",)),
    NavLink(_l("Điểm bán"), "centres_staff.index", covers=("centres_staff.",)),
    NavLink(_l("Mã GTIN"), "catalog_staff.gtins", covers=("catalog_staff.",)),
    NavLink(_l("Quyết toán"), "settlements.staff_index", covers=("settlements.staff_",)),
    NavLink(_l("Hàng đợi gửi"), "jobs_staff.outbox", covers=("jobs_staff.",)),
    NavLink(_l("Biểu trưng OCOP"), "labels_staff.artwork", covers=("labels_staff.",)),
    NavLink(_l("Nhật ký"), "audit_staff.audit_log", covers=("audit_staff.",), admin_only=True),
)


def _match(link: NavLink, endpoint: str, args) -> tuple[int, int] | None:
    """How closely the link covers the page: more query values, then a longer endpoint."""
    if any(args.get(k) != v for k, v in link.when.items()):
        return None
    lengths = [
        len(c)
        for c in link.covers
        if endpoint == c or (c.endswith((".", "_")) and endpoint.startswith(c))
    ]
    return (len(link.when), max(lengths)) if lengths else None


def current_link(endpoint: str | None, args) -> NavLink | None:
    """The link of the area the page belongs to; None outside the console."""
    scored = [(score, link) for link in STAFF_NAV if (score := _match(link, endpoint or "", args))]
    return max(scored, key=lambda pair: pair[0])[1] if scored else None


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    current: bool


@bp.app_template_global()
def staff_nav() -> list[NavItem]:
    """The console's links for the signed-in staff member, the current one marked."""
    here = current_link(request.endpoint, request.args)
    return [
        NavItem(link.label, url_for(link.endpoint, **link.args), link is here)
        for link in STAFF_NAV
        if current_user.is_admin or not link.admin_only
    ]


def _count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


@bp.get("/")
@staff_required
def dashboard():
    return render_template(
        "promotion/staff_dashboard.html",
        pending_producers=_count(producers_in_status(ProducerStatus.PENDING)),
        pending_certificates=_count(certificates_in_review(ReviewState.PENDING)),
    )


def _banner(form) -> str | None:
    """The uploaded banner stored as WebP, or None when none was sent; a rejected
    file becomes an error on the form's field (and None)."""
    upload = form.banner.data
    if not (upload and getattr(upload, "filename", "")):
        return None
    try:
        data = check_image(upload, current_app.config["PHOTO_MAX_BYTES"], 1600)
    except UploadRejected as exc:
        form.banner.errors = [*form.banner.errors, str(exc)]
        return None
    return store_upload(data, "photos", "image/webp").path


@bp.route("/campaigns", methods=["GET", "POST"])
@staff_required
def campaigns():
    form = CampaignForm()
    if form.validate_on_submit():
        banner = _banner(form)
        if not form.banner.errors:
            campaign = campaign_services.create_campaign(
                current_user,
                title=form.title.data.strip(),
                description=(form.description.data or "").strip(),
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
                banner_path=banner,
            )
            db.session.commit()
            flash(_("Đã tạo chiến dịch. Thêm sản phẩm vào chiến dịch."), "success")
            return redirect(url_for(".campaign_detail", campaign_id=campaign.id))
    items = db.session.scalars(select(Campaign).order_by(Campaign.starts_on.desc())).all()
    status = 400 if form.errors else 200
    return render_template(
        "promotion/staff_campaigns.html", form=form, campaigns=items, today=today_vn()
    ), status


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _feature(campaign: Campaign, product: Product, errors: list) -> bool:
    """Add the product, or put the reason it cannot be added into ``errors``."""
    try:
        item = campaign_services.feature_product(campaign, product, current_user, today_vn())
    except campaign_services.AdvertisingBanned:
        errors.append(
            _(
                "Không quảng cáo rượu từ 15 độ trở lên (Luật Phòng, chống tác hại của "
                "rượu, bia 44/2019): sản phẩm vẫn được bán trong danh mục, nhưng không "
                "được đưa vào chiến dịch."
            )
        )
        return False
    except campaign_services.NotFeaturable:
        errors.append(
            _("Chỉ thêm được sản phẩm đang bán, có chứng nhận OCOP từ 3 sao trở lên còn hiệu lực.")
        )
        return False
    db.session.commit()
    if item is None:
        flash(_("%(name)s đã có trong chiến dịch.", name=product.name), "info")
    else:
        flash(_("Đã thêm %(name)s vào chiến dịch.", name=product.name), "success")
    return True


def _builder(campaign: Campaign, form=None, add_errors=(), status: int = 200):
    """The campaign's page: its items in order, the search and the slug form."""
    today = today_vn()
    q = (request.values.get("q") or "").strip()[:100]
    results = campaign_services.find_featurable(q, today, _dialect()) if q else []
    products = {
        p.id: p
        for p in db.session.scalars(
            select(Product).where(Product.id.in_([i.product_id for i in campaign.items]))
        )
    }
    shown = {c.id for c in campaign_services.campaign_cards(campaign, today)}
    return render_template(
        "promotion/staff_campaign.html",
        campaign=campaign,
        form=form or FeatureForm(),
        products=products,
        shown=shown,
        today=today,
        q=q,
        results=results,
        added={i.product_id for i in campaign.items},
        add_errors=list(add_errors),
        min_query=campaign_services.MIN_QUERY,
    ), status


@bp.route("/campaigns/<int:campaign_id>", methods=["GET", "POST"])
@staff_required
def campaign_detail(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    form = FeatureForm()
    if form.validate_on_submit():
        product = db.session.scalar(select(Product).where(Product.slug == form.slug()))
        if product is None:
            form.product.errors.append(_("Không có sản phẩm với đường dẫn này."))
        elif _feature(campaign, product, form.product.errors):
            return redirect(url_for(".campaign_detail", campaign_id=campaign.id))
    return _builder(campaign, form, status=400 if form.errors else 200)


@bp.get("/campaigns/<int:campaign_id>/products.json")
@staff_required
def campaign_search(campaign_id: int):
    """The typeahead's answer: featurable products matching ``q`` (at most 20)."""
    campaign = db.get_or_404(Campaign, campaign_id)
    q = (request.args.get("q") or "").strip()[:100]
    added = {i.product_id for i in campaign.items}
    found = campaign_services.find_featurable(q, today_vn(), _dialect())
    return jsonify(
        [
            {
                "id": c.id,
                "name": c.name,
                "producer": c.producer_name,
                "province": c.province,
                "stars": c.stars,
                "added": c.id in added,
            }
            for c in found
        ]
    )


@bp.post("/campaigns/<int:campaign_id>/items")
@staff_required
def campaign_add(campaign_id: int):
    """A "Thêm" button of the search results (with or without JavaScript)."""
    campaign = db.get_or_404(Campaign, campaign_id)
    form = AddProductForm()
    if not form.validate_on_submit():
        abort(400)
    product = (
        db.session.get(Product, int(form.product_id.data))
        if form.product_id.data.isdigit()
        else None
    )
    errors: list[str] = []
    if product is None:
        errors.append(_("Không có sản phẩm này."))
    elif _feature(campaign, product, errors):
        return redirect(url_for(".campaign_detail", campaign_id=campaign.id, q=form.q.data or None))
    return _builder(campaign, add_errors=errors, status=400)


@bp.post("/campaigns/<int:campaign_id>/items/<int:product_id>/move")
@staff_required
def campaign_move(campaign_id: int, product_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    offset = {"up": -1, "down": 1}.get(request.form.get("direction", ""))
    if offset is None:
        abort(400)
    moved = campaign_services.move_product(campaign, product_id, offset, current_user)
    db.session.commit()
    if not moved:
        flash(_("Sản phẩm đã ở đầu hoặc cuối danh sách."), "info")
    return redirect(
        url_for(".campaign_detail", campaign_id=campaign.id, _anchor=f"item-{product_id}")
    )


@bp.route("/campaigns/<int:campaign_id>/edit", methods=["GET", "POST"])
@staff_required
def campaign_edit(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    form = CampaignEditForm(obj=campaign)
    if form.validate_on_submit():
        banner = _banner(form)
        if not form.banner.errors:
            campaign_services.update_campaign(
                campaign,
                current_user,
                title=form.title.data.strip(),
                description=(form.description.data or "").strip(),
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
                banner_path=banner,
                remove_banner=form.remove_banner.data,
            )
            db.session.commit()
            flash(_("Đã lưu chiến dịch."), "success")
            return redirect(url_for(".campaign_detail", campaign_id=campaign.id))
    status = 400 if form.errors else 200
    return render_template(
        "promotion/staff_campaign_edit.html", campaign=campaign, form=form
    ), status


@bp.post("/campaigns/<int:campaign_id>/items/<int:product_id>/remove")
@staff_required
def campaign_remove(campaign_id: int, product_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    campaign_services.unfeature_product(campaign, product_id, current_user)
    db.session.commit()
    flash(_("Đã bỏ sản phẩm khỏi chiến dịch."), "success")
    return redirect(url_for(".campaign_detail", campaign_id=campaign.id))
