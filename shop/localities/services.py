import json

import vietnam_provinces
from sqlalchemy import select

from shop.extensions import db
from shop.localities.models import Province, Ward


def load_localities() -> tuple[int, int]:
    """Insert or update the provinces and wards of the vietnam-provinces package.

    Idempotent: a second run changes nothing. Returns (provinces, wards) in the data.
    """
    version = vietnam_provinces.__data_version__
    data = json.loads(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH.read_text(encoding="utf-8"))
    provinces = {p.code: p for p in db.session.scalars(select(Province))}
    wards = {w.code: w for w in db.session.scalars(select(Ward))}
    ward_count = 0
    for p in data:
        province = provinces.get(p["code"]) or Province(code=p["code"])
        province.name = p["name"]
        province.codename = p["codename"]
        province.division_type = p["division_type"]
        province.data_version = version
        db.session.add(province)
        for w in p["wards"]:
            ward = wards.get(w["code"]) or Ward(code=w["code"])
            ward.province_code = p["code"]
            ward.name = w["name"]
            ward.codename = w["codename"]
            ward.division_type = w["division_type"]
            db.session.add(ward)
            ward_count += 1
    db.session.flush()
    return len(data), ward_count


def list_provinces() -> list[Province]:
    return list(db.session.scalars(select(Province).order_by(Province.codename)))


def wards_of(province_code: int) -> list[Ward]:
    return list(
        db.session.scalars(
            select(Ward).where(Ward.province_code == province_code).order_by(Ward.codename)
        )
    )


def ward_in_province(ward_code: int, province_code: int) -> Ward | None:
    ward = db.session.get(Ward, ward_code)
    if ward is None or ward.province_code != province_code:
        return None
    return ward
