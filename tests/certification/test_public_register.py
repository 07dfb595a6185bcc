"""The public register /certificates and its CSV: every certificate valid today."""

import csv
import io
from datetime import timedelta

import pytest
from werkzeug.datastructures import MultiDict

from shop.certification.register import (
    PUBLIC_CSV_COLUMNS,
    PublicFilter,
    all_entries,
    public_csv,
    register_page,
)
from shop.certification.services import revoke_certificate
from shop.clock import today_vn
from shop.extensions import db
from tests.factories import OTHER_PROVINCE, OTHER_WARD, PROVINCE, product_set

# Tuyên Quang (8): Lũng Phìn (763, the factories' ward) was in Hà Giang province;
# Minh Xuân (2215) in the former Tuyên Quang province.
MINH_XUAN = 2215


def _f(today=None, **args):
    today = today or today_vn()
    return PublicFilter.from_args(MultiDict({k: str(v) for k, v in args.items()}), today)


@pytest.fixture
def today():
    return today_vn()


@pytest.fixture
def register(make_certificate, make_product, make_producer, staff, today):
    tuyen_quang = make_producer(ward_code=MINH_XUAN, legal_name="HTX Chè Mỹ Bằng")
    lao_cai = make_producer(
        province_code=OTHER_PROVINCE, ward_code=OTHER_WARD, legal_name="=HYPERLINK(1)"
    )
    certs = {
        "ha_giang": make_certificate(
            make_product(name="Chè Shan Tuyết"), decision_date=today - timedelta(days=400)
        ),
        "expiring": make_certificate(
            make_product(name="Mật ong bạc hà", set_code="I.04"),
            stars=3,
            decision_date=today - timedelta(days=365 * 3 - 20),
        ),
        "tuyen_quang": make_certificate(
            make_product(tuyen_quang, name="Chè xanh"), decision_date=today - timedelta(days=30)
        ),
        "lao_cai": make_certificate(
            make_product(lao_cai, name="Rượu ngô", set_code="II.01"),
            stars=5,
            decision_date=today - timedelta(days=10),
        ),
        "expired": make_certificate(
            make_product(name="Chè cũ"), decision_date=today - timedelta(days=365 * 3 + 5)
        ),
        "revoked": make_certificate(make_product(name="Chè thu hồi")),
        "pending": make_certificate(make_product(name="Chè chờ"), verified=False),
    }
    revoke_certificate(certs["revoked"], staff, "Không đạt")
    db.session.commit()
    return certs


def ids(f, today):
    return {e.certificate.id for e in all_entries(f, today)}


def test_lists_every_certificate_valid_today_and_nothing_else(register, today):
    valid = {register[k].id for k in ("ha_giang", "expiring", "tuyen_quang", "lao_cai")}
    assert ids(_f(), today) == valid
    # The rule is the certificates' own: the same set as Certificate.status says.
    from sqlalchemy import select

    from shop.certification.models import Certificate

    by_rule = {c.id for c in db.session.scalars(select(Certificate)) if c.status(today).is_valid}
    assert by_rule == valid


def test_a_certificate_leaves_the_register_the_day_it_expires(register, today):
    expiring = register["expiring"]
    last_day = expiring.valid_until
    assert expiring.id in ids(_f(), last_day)
    assert expiring.id not in ids(_f(), last_day + timedelta(days=1))


def test_filters(register, today):
    assert ids(_f(province=OTHER_PROVINCE), today) == {register["lao_cai"].id}
    assert ids(_f(province="ha-giang"), today) == {
        register["ha_giang"].id,
        register["expiring"].id,
    }
    assert ids(_f(province="tuyen-quang"), today) == {register["tuyen_quang"].id}
    assert ids(_f(province=PROVINCE, ward=MINH_XUAN), today) == {register["tuyen_quang"].id}
    assert ids(_f(stars=3), today) == {register["expiring"].id}
    assert ids(_f(set=product_set("II.01").id), today) == {register["lao_cai"].id}
    year = register["ha_giang"].decision_date.year
    assert register["ha_giang"].id in ids(_f(year=year), today)
    assert register["ha_giang"].id not in ids(_f(year=year + 1), today) or year == today.year


@pytest.mark.parametrize(
    "args",
    [
        {"province": "atlantis"},
        {"ward": "763"},  # a ward without its province
        {"stars": "2"},
        {"year": "1999"},
        {"year": "abc"},
        {"page": "-1"},
    ],
)
def test_bad_filters_are_dropped(args, today):
    f = _f(**args)
    assert f.args() == {}


def test_filter_args_round_trip(today):
    f = _f(province="ha-giang", ward=763, stars=4, year=today.year, page=2)
    assert f.args() == {
        "province": "ha-giang",
        "ward": 763,
        "stars": 4,
        "year": today.year,
        "page": 2,
    }
    assert _f(**f.args()) == f


def test_pagination(register, today):
    first = register_page(_f(), today, page_size=3)
    second = register_page(_f(page=2), today, page_size=3)
    assert (first.total, first.pages, len(first.entries), len(second.entries)) == (4, 2, 3, 1)
    assert not {e.certificate.id for e in first.entries} & {
        e.certificate.id for e in second.entries
    }


def test_csv_columns_and_rows(register, today):
    data = public_csv(all_entries(_f(), today))
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == PUBLIC_CSV_COLUMNS
    by_code = {r[1]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert len(by_code) == 4
    ha_giang = by_code[register["ha_giang"].verification_code]
    assert ha_giang["Xã/phường"] == "Xã Lũng Phìn"
    assert ha_giang["Tỉnh/thành phố"] == "Tuyên Quang"
    assert ha_giang["Tỉnh/thành phố cũ"] == "Tỉnh Hà Giang"
    assert ha_giang["Hiệu lực đến hết ngày"] == register["ha_giang"].valid_until.strftime(
        "%d/%m/%Y"
    )
    assert ha_giang["Tình trạng"] == "Còn hiệu lực"
    expiring = by_code[register["expiring"].verification_code]
    assert expiring["Tình trạng"] == "Còn hiệu lực, sắp hết hạn"
    lao_cai = by_code[register["lao_cai"].verification_code]
    assert lao_cai["Chủ thể"] == "'=HYPERLINK(1)"  # through csvsafe
    assert lao_cai["Tỉnh/thành phố cũ"] == "Tỉnh Lào Cai"


def test_page(client, register):
    response = client.get("/certificates")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    code = register["ha_giang"].verification_code
    assert f'href="/verify/{code}"' in html
    assert "Chè Shan Tuyết" in html
    assert "trước đây: Tỉnh Hà Giang" in html
    assert "Chè cũ" not in html
    assert "Chè thu hồi" not in html
    assert "Chè chờ" not in html
    assert 'value="ha-giang"' in html


def test_page_is_cacheable_and_revalidated(client, register):
    response = client.get("/certificates?province=ha-giang")
    assert response.status_code == 200
    cache_control = response.headers["Cache-Control"]
    assert "public" in cache_control
    assert "no-cache" in cache_control
    assert "Set-Cookie" not in response.headers
    again = client.get(
        "/certificates?province=ha-giang", headers={"If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304


def test_revoking_removes_it_at_once(client, register, staff):
    code = register["ha_giang"].verification_code
    assert code in client.get("/certificates").get_data(as_text=True)
    revoke_certificate(register["ha_giang"], staff, "Không đạt")
    db.session.commit()
    response = client.get("/certificates")
    assert response.status_code == 200
    assert code not in response.get_data(as_text=True)


def test_page_past_the_end_is_a_404(client, register):
    assert client.get("/certificates?page=9").status_code == 404


def test_csv_download(client, register):
    response = client.get("/certificates.csv?province=ha-giang")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert {r[1] for r in rows[1:]} == {
        register["ha_giang"].verification_code,
        register["expiring"].verification_code,
    }
    assert [r[0] for r in rows[1:]] == ["1", "2"]


def test_staff_register_gains_the_public_columns(register, today):
    from sqlalchemy import select

    from shop.certification.models import Certificate
    from shop.certification.register import RegisterFilter, register_csv, register_query

    f = RegisterFilter.from_args({"province": "ha-giang"})
    assert (f.province, f.former, f.args()) == (PROVINCE, "ha-giang", {"province": "ha-giang"})
    found = set(db.session.scalars(register_query(f, today).with_only_columns(Certificate.id)))
    assert register["tuyen_quang"].id not in found
    assert register["lao_cai"].id not in found
    assert {register["ha_giang"].id, register["revoked"].id} <= found

    data = register_csv(db.session.scalars(select(Certificate)).all(), today)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    for column in ("Địa chỉ", "Xã/phường", "Tỉnh/thành phố cũ", "Tình trạng"):
        assert column in rows[0]
    by_code = {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    revoked = by_code[register["revoked"].verification_code]
    assert (revoked["Trạng thái"], revoked["Tình trạng"]) == ("revoked", "Đã thu hồi")
    assert revoked["Tỉnh/thành phố cũ"] == "Tỉnh Hà Giang"
    assert by_code[register["tuyen_quang"].verification_code]["Tỉnh/thành phố cũ"] == (
        "Tỉnh Tuyên Quang"
    )


def test_every_visitor_gets_the_same_bytes(app, client, register, make_user):
    from tests.conftest import PASSWORD
    from tests.helpers_http import assert_redirect

    signed_in = app.test_client()
    make_user(email="an@example.vn")
    response = signed_in.post("/login", data={"email": "an@example.vn", "password": PASSWORD})
    assert_redirect(response, "/")
    for url in ("/certificates?province=ha-giang", "/en/certificates"):
        answers = [c.get(url) for c in (client, signed_in)]
        assert [a.status_code for a in answers] == [200, 200], url
        assert answers[0].data == answers[1].data, url
        assert answers[1].headers["Cache-Control"] == "public, no-cache", url
