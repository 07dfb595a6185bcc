"""One GTIN, one brand owner: the service refuses a second producer, staff may grant
it with a reason (audited), and /01/<GTIN-14> answers the same way every time."""

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from shop.audit.models import AuditEntry
from shop.catalog import services
from shop.catalog.exceptions import GtinGrantError, GtinTaken
from shop.catalog.gtin import InvalidGtin
from shop.catalog.models import GtinGrant, GtinOwner, Product
from shop.certification.queries import current_certificate
from shop.extensions import db
from tests.factories import make_certificate, make_product, product_set
from tests.helpers_http import assert_redirect

GTIN = "8936045900000"
OTHER_GTIN = "8936045900017"


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_first_producer_to_list_a_number_owns_it(make_producer):
    a = make_producer()
    make_product(a, gtin=GTIN)
    assert db.session.get(GtinOwner, GTIN).producer_id == a.id
    make_product(a, gtin=GTIN)  # the owner may carry it on several listings
    assert _count(GtinOwner) == 1


def test_second_producer_is_refused_in_the_service(make_producer):
    a, b = make_producer(), make_producer()
    make_product(a, gtin=GTIN)
    with pytest.raises(GtinTaken) as caught:
        make_product(b, gtin=GTIN)
    db.session.rollback()
    assert caught.value.owner_id == a.id
    assert (
        db.session.scalar(select(func.count()).select_from(Product).where(Product.gtin == GTIN))
        == 1
    )


def test_second_producer_cannot_switch_a_listing_to_the_number(make_producer):
    a, b = make_producer(), make_producer()
    make_product(a, gtin=GTIN)
    mine = make_product(b, gtin=OTHER_GTIN)
    with pytest.raises(GtinTaken):
        services.update_product(mine, gtin=GTIN)
    db.session.rollback()
    db.session.refresh(mine)
    assert mine.gtin == OTHER_GTIN


def test_service_refuses_numbers_no_ocop_product_may_carry(make_producer):
    with pytest.raises(InvalidGtin, match="restricted"):
        make_product(make_producer(), gtin="2000000000008")
    db.session.rollback()
    assert _count(GtinOwner) == 0


def test_one_owner_per_number_in_the_database(make_producer):
    """The guard that holds when two producers claim a new number at once."""
    a, b = make_producer(), make_producer()
    db.session.add(GtinOwner(gtin=GTIN, producer_id=a.id))
    db.session.commit()
    db.session.add(GtinOwner(gtin=GTIN, producer_id=b.id))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_a_claim_that_loses_the_race_is_refused(make_producer, monkeypatch):
    """The owner row appears between our look-up and our insert: the insert meets
    the primary key in its savepoint and the producer is refused, not a 500."""
    a, b = make_producer(), make_producer()
    original = services.gtin_owner_id
    calls = []

    def late_owner(gtin13):
        calls.append(gtin13)
        if len(calls) == 1:  # our first look-up finds nothing; then a wins
            with db.engine.begin() as conn:
                conn.execute(
                    GtinOwner.__table__.insert().values(
                        gtin=gtin13, producer_id=a.id, created_at=func.now()
                    )
                )
            return None
        return original(gtin13)

    monkeypatch.setattr(services, "gtin_owner_id", late_owner)
    with pytest.raises(GtinTaken):
        services.claim_gtin(b.id, GTIN)
    db.session.rollback()
    assert db.session.get(GtinOwner, GTIN).producer_id == a.id


def test_legacy_shared_listing_keeps_its_number(make_producer):
    """A listing that had the number before the rule can still be edited."""
    a, b = make_producer(), make_producer()
    make_product(a, gtin=GTIN)
    legacy = make_product(b)
    legacy.gtin = GTIN  # as the migration finds it
    db.session.commit()
    services.update_product(legacy, name="Tên mới", gtin=GTIN)
    db.session.commit()
    assert legacy.name == "Tên mới"


def test_staff_grant_lets_a_second_producer_carry_the_number(make_producer, staff):
    a, b = make_producer(), make_producer()
    make_product(a, gtin=GTIN)
    grant = services.grant_gtin(GTIN, b, staff, "  Nhà phân phối được uỷ quyền (văn bản 12/UQ) ")
    db.session.commit()
    make_product(b, gtin=GTIN)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "gtin.grant"))
    assert (entry.actor_id, entry.target_id, entry.reason) == (
        staff.id,
        grant.id,
        "Nhà phân phối được uỷ quyền (văn bản 12/UQ)",
    )
    assert entry.data == {"gtin": GTIN, "producer": str(b.id), "owner": str(a.id)}


@pytest.mark.parametrize(
    ("gtin", "reason", "message"),
    [
        (GTIN, "", "lý do"),
        ("8936045900004", "x", "không hợp lệ"),
        ("9780000000002", "x", "không hợp lệ"),  # a book number is never granted
        (OTHER_GTIN, "x", "chưa thuộc chủ thể nào"),
    ],
)
def test_grants_staff_cannot_make(make_producer, staff, gtin, reason, message):
    a, b = make_producer(), make_producer()
    make_product(a, gtin=GTIN)
    with pytest.raises(GtinGrantError, match=message):
        services.grant_gtin(gtin, b, staff, reason)
    assert _count(GtinGrant) == 0


def test_no_grant_to_the_owner_nor_twice(make_producer, staff):
    a, b = make_producer(), make_producer()
    make_product(a, gtin=GTIN)
    with pytest.raises(GtinGrantError, match="đã là chủ sở hữu"):
        services.grant_gtin(GTIN, a, staff, "x")
    services.grant_gtin(GTIN, b, staff, "x")
    db.session.commit()
    with pytest.raises(GtinGrantError, match="đã được cho phép"):
        services.grant_gtin(GTIN, b, staff, "again")
    db.session.rollback()
    assert _count(GtinGrant) == 1


# --- The forms and pages -------------------------------------------------------------


def _form(gtin):
    return {
        "name": "Mật ong bạc hà",
        "product_set_id": str(product_set("I.11").id),
        "price_vnd": "350.000",
        "stock": "12",
        "unit": "Hộp",
        "net_quantity": "200 g",
        "gtin": gtin,
        "description": "",
    }


def test_form_says_the_number_belongs_to_another_producer(client, auth, make_user, make_producer):
    make_product(make_producer(), gtin=GTIN)
    make_producer(owner=make_user(email="b@example.vn"))
    assert_redirect(auth.login("b@example.vn"), "/producer/")
    response = client.post("/producer/products/new", data=_form(GTIN))
    assert response.status_code == 400
    assert "đã thuộc sản phẩm của một chủ thể khác" in response.get_data(as_text=True)
    assert _count(Product) == 1


def test_edit_form_refuses_another_producers_number(client, auth, make_user, make_producer):
    make_product(make_producer(), gtin=GTIN)
    mine = make_product(make_producer(owner=make_user(email="b@example.vn")))
    assert_redirect(auth.login("b@example.vn"), "/producer/")
    response = client.post(f"/producer/products/{mine.id}", data=_form(GTIN))
    assert response.status_code == 400
    assert "đã thuộc sản phẩm của một chủ thể khác" in response.get_data(as_text=True)
    db.session.refresh(mine)
    assert mine.gtin is None


@pytest.mark.parametrize(
    ("gtin", "message"),
    [
        ("2000000000008", "mã lưu hành nội bộ"),
        ("0400000000015", "mã lưu hành nội bộ"),
        ("9771234567003", "sách và ấn phẩm định kỳ"),
        ("9900000000004", "phiếu giảm giá"),
        ("0000000000000", "toàn số 0"),
    ],
)
def test_form_refuses_numbers_not_for_ocop_products(
    client, auth, make_user, make_producer, gtin, message
):
    make_producer(owner=make_user(email="b@example.vn"))
    assert_redirect(auth.login("b@example.vn"), "/producer/")
    response = client.post("/producer/products/new", data=_form(gtin))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _count(Product) == 0


def test_staff_grant_through_the_page(client, auth, make_user, make_producer, staff):
    a = make_producer()
    make_product(a, gtin=GTIN, name="Chè của chủ sở hữu")
    b = make_producer(legal_name="Hộ phân phối Bắc Hà")
    assert_redirect(auth.login(staff.email), "/staff/")
    page = client.get(f"/staff/gtins?gtin={GTIN}")
    assert page.status_code == 200
    assert a.legal_name in page.get_data(as_text=True)
    assert client.get("/staff/gtins?gtin=123").status_code == 400
    refused = client.post(
        "/staff/gtins/grant", data={"gtin": GTIN, "producer_id": str(b.id), "reason": ""}
    )
    assert refused.status_code == 400
    assert "Vui lòng nêu lý do." in refused.get_data(as_text=True)
    response = client.post(
        "/staff/gtins/grant",
        data={"gtin": GTIN, "producer_id": str(b.id), "reason": "Uỷ quyền phân phối"},
    )
    assert_redirect(response, "/staff/gtins", status=303, query={"gtin": GTIN})
    assert db.session.scalar(select(GtinGrant)).producer_id == b.id
    own = client.post(
        "/staff/gtins/grant",
        data={"gtin": GTIN, "producer_id": str(a.id), "reason": "x"},
    )
    assert own.status_code == 400
    assert "đã là chủ sở hữu" in own.get_data(as_text=True)


# --- /01/<GTIN-14>: the same answer every time ---------------------------------------


def test_digital_link_prefers_the_owners_product_then_the_oldest(client, make_producer, staff):
    a, b = make_producer(), make_producer()
    first = make_product(a, gtin=GTIN, published=True)  # a owns the number
    services.update_product(first, gtin=None)  # ... and drops it from this listing
    db.session.commit()
    services.grant_gtin(GTIN, b, staff, "Uỷ quyền")
    db.session.commit()
    granted = make_product(b, gtin=GTIN, published=True)  # older than the owner's next
    owners = make_product(a, gtin=GTIN, published=True)
    later = make_product(a, gtin=GTIN, published=True)
    for product in (granted, owners, later):
        make_certificate(product)
    assert [p.id for p in db.session.scalars(services.products_with_gtin(GTIN))] == [
        owners.id,
        later.id,
        granted.id,
    ]
    for _ in range(3):
        response = client.get(f"/01/0{GTIN}")
        assert response.status_code == 302
        assert response.headers["Location"].endswith(
            f"/verify/{current_certificate(owners).verification_code}"
        )


def test_digital_link_falls_back_to_the_oldest_certified_product(client, make_producer, staff):
    a, b = make_producer(), make_producer()
    make_product(a, gtin=GTIN)  # the owner's product has no certificate
    services.grant_gtin(GTIN, b, staff, "Uỷ quyền")
    db.session.commit()
    older = make_product(b, gtin=GTIN)
    newer = make_product(b, gtin=GTIN)
    make_certificate(newer)
    make_certificate(older)
    response = client.get(f"/01/0{GTIN}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"/verify/{current_certificate(older).verification_code}"
    )
