"""Centres, centre staff and consigned products for the tests."""

from shop.auth.models import Role
from shop.centres import services
from shop.extensions import db
from tests import factories

CENTRE = {
    "name": "Điểm giới thiệu sản phẩm OCOP Hà Giang",
    "operator": "Trung tâm Xúc tiến Thương mại tỉnh Tuyên Quang",
    "province_code": factories.PROVINCE,
    "ward_code": factories.WARD,
    "street": "Số 2 đường Nguyễn Trãi",
    "opening_hours": "Thứ 2 – Chủ nhật, 7:30–21:00",
    "phone": "02193868686",
    "email": "ocop@example.vn",
    "latitude_e6": 22_823_300,
    "longitude_e6": 104_983_600,
    "pickup_fee_vnd": 0,
    "is_active": True,
}


def make_centre(staff=None, **overrides):
    staff = staff or factories.make_user(role=Role.STAFF)
    centre = services.create_centre({**CENTRE, **overrides}, staff)
    db.session.commit()
    return centre


def make_cashier(centre, email=None, staff=None):
    user = factories.make_user(email=email)
    services.assign_staff(centre, user.email, staff or factories.make_user(role=Role.STAFF))
    db.session.commit()
    return user


def consign(centre, product, quantity, from_online=False):
    producer = product.producer
    movement = services.consign(
        producer, centre, product, quantity, producer.members[0].user, from_online=from_online
    )
    db.session.commit()
    return movement
