from sqlalchemy import func, select

from shop.extensions import db
from shop.localities.models import Province, Ward
from shop.localities.services import load_localities


def test_34_provinces_and_3321_wards(app):
    assert db.session.scalar(select(func.count()).select_from(Province)) == 34
    assert db.session.scalar(select(func.count()).select_from(Ward)) == 3321
    tuyen_quang = db.session.get(Province, 8)
    assert tuyen_quang.name == "Tuyên Quang"
    assert tuyen_quang.data_version


def test_loading_twice_adds_nothing(app):
    assert load_localities() == (34, 3321)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Ward)) == 3321


def test_load_localities_command(runner):
    result = runner.invoke(args=["load-localities"])
    assert result.exit_code == 0
    assert "34 provinces, 3321 wards" in result.output


def test_wards_json(client):
    response = client.get("/localities/8/wards.json")
    assert response.status_code == 200
    names = {w["name"] for w in response.get_json()}
    assert "Xã Lũng Phìn" in names
    assert "Xã Bắc Hà" not in names


def test_wards_json_unknown_province(client):
    response = client.get("/localities/999/wards.json")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == 404
