"""The campaign builder: find products by name, add, reorder, edit after creation
(shop/promotion/staff.py, shop/promotion/campaigns.py)."""

import io
from datetime import date, timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from shop.audit.models import AuditEntry
from shop.certification.queries import current_certificate
from shop.certification.services import revoke_certificate
from shop.clock import today_vn
from shop.extensions import db
from shop.promotion.campaigns import (
    NotFeaturable,
    create_campaign,
    feature_product,
    find_featurable,
    move_product,
)
from shop.promotion.models import Campaign, CampaignItem
from tests.helpers_http import assert_redirect, follow


@pytest.fixture
def campaign(staff):
    today = today_vn()
    item = create_campaign(
        staff,
        title="Đặc sản vùng cao",
        description="",
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=30),
    )
    db.session.commit()
    return item


@pytest.fixture
def signed_in(client, auth, staff):
    assert_redirect(auth.login(staff.email), "/staff/")
    return client


def _dialect():
    return db.session.get_bind().dialect.name


def _order(campaign):
    return list(
        db.session.scalars(
            select(CampaignItem.product_id)
            .where(CampaignItem.campaign_id == campaign.id)
            .order_by(CampaignItem.position)
        )
    )


def _positions(campaign):
    return list(
        db.session.scalars(
            select(CampaignItem.position)
            .where(CampaignItem.campaign_id == campaign.id)
            .order_by(CampaignItem.position)
        )
    )


def test_search_ignores_diacritics_and_finds_only_featurable_products(app, make_listed, staff):
    today = today_vn()
    tea = make_listed("Chè Shan Tuyết Lũng Phìn", stars=3)
    make_listed("Chè Shan Tuyết hết hạn", decision_date=date(2022, 1, 1))
    draft = make_listed("Chè Shan Tuyết nháp")
    draft.status = draft.status.DRAFT
    revoked = make_listed("Chè Shan Tuyết thu hồi")
    make_listed("Rượu chè Shan", set_code="II.01", abv_tenths=295)  # never advertised
    db.session.commit()
    revoke_certificate(current_certificate(revoked), staff, "Không đạt")
    db.session.commit()

    for q in ("che shan", "Chè Shan", "CHE SHAN TUYET", "shan tuy"):
        assert [c.name for c in find_featurable(q, today, _dialect())] == [tea.name], q
    assert find_featurable("", today, _dialect()) == []
    assert find_featurable("c", today, _dialect()) == []


def test_the_typeahead_answers_json_and_marks_what_is_added(
    signed_in, campaign, make_listed, staff
):
    tea, honey = make_listed("Chè Shan Tuyết"), make_listed("Mật ong bạc hà")
    feature_product(campaign, honey, staff, today_vn())
    db.session.commit()
    response = signed_in.get(f"/staff/campaigns/{campaign.id}/products.json?q=mat ong")
    assert response.status_code == 200
    assert response.json == [
        {
            "id": honey.id,
            "name": "Mật ong bạc hà",
            "producer": honey.producer.legal_name,
            "province": response.json[0]["province"],
            "stars": 4,
            "added": True,
        }
    ]
    response = signed_in.get(f"/staff/campaigns/{campaign.id}/products.json?q=shan tuyet")
    assert response.status_code == 200
    assert [(r["id"], r["added"]) for r in response.json] == [(tea.id, False)]


def test_without_javascript_the_search_form_lists_matches_with_add_buttons(
    signed_in, campaign, make_listed
):
    tea = make_listed("Chè Shan Tuyết")
    path = f"/staff/campaigns/{campaign.id}"
    page = signed_in.get(path, query_string={"q": "che shan"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'name="q" value="che shan"' in html
    assert f'name="product_id" value="{tea.id}"' in html
    assert "Thêm Chè Shan Tuyết" in html

    added = signed_in.post(f"{path}/items", data={"product_id": tea.id, "q": "che shan"})
    page = follow(signed_in, added, path, query={"q": "che shan"})
    assert "Đã thêm Chè Shan Tuyết vào chiến dịch." in page.get_data(as_text=True)
    assert _order(campaign) == [tea.id]


def test_only_a_valid_three_star_or_better_certificate_can_be_added(
    signed_in, campaign, make_listed, make_product, make_certificate, staff
):
    path = f"/staff/campaigns/{campaign.id}"
    three = make_listed("Miến dong ba sao", stars=3)
    expired = make_listed("Hết hạn", decision_date=date(2022, 1, 1))
    pending = make_product(name="Chờ xác minh", published=True)
    make_certificate(pending, stars=5, verified=False)
    uncertified = make_product(name="Không chứng nhận", published=True)
    revoked = make_listed("Bị thu hồi", stars=5)
    revoke_certificate(current_certificate(revoked), staff, "Không đạt")
    db.session.commit()

    for product in (expired, pending, uncertified, revoked):
        refused = signed_in.post(f"{path}/items", data={"product_id": product.id})
        assert refused.status_code == 400, product.name
        assert "có chứng nhận OCOP từ 3 sao trở lên" in refused.get_data(as_text=True)
        with pytest.raises(NotFeaturable):
            feature_product(campaign, product, staff, today_vn())
    missing = signed_in.post(f"{path}/items", data={"product_id": 999999})
    assert missing.status_code == 400
    assert signed_in.post(f"{path}/items", data={}).status_code == 400

    assert_redirect(signed_in.post(f"{path}/items", data={"product_id": three.id}), path)
    assert _order(campaign) == [three.id]


def test_items_move_up_and_down_and_stay_numbered(signed_in, campaign, make_listed, staff):
    a, b, c = (make_listed(n) for n in ("Chè", "Mật ong", "Thịt bò khô"))
    for p in (a, b, c):
        feature_product(campaign, p, staff, today_vn())
    db.session.commit()
    path = f"/staff/campaigns/{campaign.id}"

    moved = signed_in.post(f"{path}/items/{c.id}/move", data={"direction": "up"})
    assert_redirect(moved, path)
    assert _order(campaign) == [a.id, c.id, b.id]
    assert_redirect(signed_in.post(f"{path}/items/{a.id}/move", data={"direction": "down"}), path)
    assert _order(campaign) == [c.id, a.id, b.id]
    # Already first: nothing moves, and the page says so.
    top = signed_in.post(f"{path}/items/{c.id}/move", data={"direction": "up"})
    assert "Sản phẩm đã ở đầu hoặc cuối danh sách." in follow(signed_in, top, path).get_data(
        as_text=True
    )
    assert _order(campaign) == [c.id, a.id, b.id]
    assert signed_in.post(f"{path}/items/{c.id}/move", data={"direction": "x"}).status_code == 400
    # Removing renumbers; the public page follows the order.
    assert_redirect(signed_in.post(f"{path}/items/{a.id}/remove"), path)
    assert _positions(campaign) == [0, 1]
    public = signed_in.get(f"/campaigns/{campaign.slug}").get_data(as_text=True)
    public = public[public.index("<main") :]  # the header's menu names product sets too
    assert public.index("Thịt bò khô") < public.index("Mật ong")
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert actions.count("campaign.move") == 2


def test_a_stale_campaign_object_does_not_twin_positions(campaign, make_listed, staff):
    """What a second staff member's request sees: items read before another
    request changed them. The move reads them afresh under the lock."""
    a, b, c = (make_listed(n) for n in ("Chè", "Mật ong", "Thịt bò khô"))
    for p in (a, b):
        feature_product(campaign, p, staff, today_vn())
    db.session.commit()
    stale = list(campaign.items)  # loaded now
    db.session.add(CampaignItem(campaign_id=campaign.id, product_id=c.id, position=2))
    db.session.flush()
    assert len(stale) == 2
    assert move_product(campaign, c.id, -1, staff)
    db.session.commit()
    assert _order(campaign) == [a.id, c.id, b.id]
    assert _positions(campaign) == [0, 1, 2]


def _png():
    out = io.BytesIO()
    Image.new("RGB", (800, 300), (200, 40, 40)).save(out, format="PNG")
    return out.getvalue()


def test_title_dates_and_banner_can_be_edited_after_creation(signed_in, campaign):
    path = f"/staff/campaigns/{campaign.id}"
    slug = campaign.slug
    form = signed_in.get(f"{path}/edit")
    assert form.status_code == 200
    assert 'value="Đặc sản vùng cao"' in form.get_data(as_text=True)

    bad = signed_in.post(
        f"{path}/edit",
        data={"title": "Tết", "starts_on": "2027-01-20", "ends_on": "2027-01-10"},
    )
    assert bad.status_code == 400
    assert "Ngày kết thúc phải sau ngày bắt đầu." in bad.get_data(as_text=True)
    db.session.refresh(campaign)
    assert campaign.title == "Đặc sản vùng cao"

    saved = signed_in.post(
        f"{path}/edit",
        data={
            "title": "Tết vùng cao 2027",
            "description": "Quà Tết",
            "starts_on": "2027-01-10",
            "ends_on": "2027-02-20",
            "banner": (io.BytesIO(_png()), "bia.png"),
        },
        content_type="multipart/form-data",
    )
    assert_redirect(saved, path)
    db.session.refresh(campaign)
    assert (campaign.title, campaign.starts_on, campaign.ends_on) == (
        "Tết vùng cao 2027",
        date(2027, 1, 10),
        date(2027, 2, 20),
    )
    assert campaign.slug == slug  # the shared address stays
    assert campaign.banner_path
    assert campaign.banner_path.endswith(".webp")
    with signed_in.get(f"/media/{campaign.banner_path}") as banner:
        assert banner.status_code == 200

    not_image = signed_in.post(
        f"{path}/edit",
        data={
            "title": "Tết",
            "starts_on": "2027-01-10",
            "ends_on": "2027-02-20",
            "banner": (io.BytesIO(b"not an image"), "bia.png"),
        },
        content_type="multipart/form-data",
    )
    assert not_image.status_code == 400
    db.session.refresh(campaign)
    assert campaign.title == "Tết vùng cao 2027"

    removed = signed_in.post(
        f"{path}/edit",
        data={
            "title": "Tết vùng cao 2027",
            "description": "Quà Tết",
            "starts_on": "2027-01-10",
            "ends_on": "2027-02-20",
            "remove_banner": "y",
        },
    )
    assert_redirect(removed, path)
    db.session.refresh(campaign)
    assert campaign.banner_path is None
    updates = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "campaign.update")
    ).all()
    assert len(updates) == 2
    assert db.session.get(Campaign, campaign.id).slug == slug
