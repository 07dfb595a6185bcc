import json

import vietnam_provinces
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from shop.extensions import db
from shop.localities.collation import collation_key
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
    """The 34 provinces in Vietnamese alphabetical order of their short names
    ("Đà Nẵng" after "Cao Bằng" and before "Điện Biên", "Hà Nội" before "Hải Phòng")."""
    provinces = db.session.scalars(select(Province))
    return sorted(provinces, key=lambda p: collation_key(p.short_name))


def province_options() -> list[tuple[int, str]]:
    """(code, label) for every province select: "Hà Nội (thành phố)", sorted as
    ``list_provinces``. The value stays the code; orders copy the official name."""
    return [(p.code, p.label) for p in list_provinces()]


def province_exists(code: int) -> bool:
    return db.session.get(Province, code) is not None


def wards_of(province_code: int) -> list[Ward]:
    """A province's wards in Vietnamese alphabetical order of their names: the
    "Đặc khu", then the "Phường", then the "Xã", each group in the order of the
    alphabet ("Xã Ân Thi" after "Xã An Viên", "Xã Đông Anh" after "Xã Dương Hà").
    Neither the stored name's binary order nor the ASCII ``codename`` knows it."""
    wards = db.session.scalars(select(Ward).where(Ward.province_code == province_code))
    return sorted(wards, key=lambda w: collation_key(w.name))


def wards_named(codes: list[int]) -> dict[int, Ward]:
    """Wards by code, with their provinces, in one query."""
    from sqlalchemy.orm import joinedload

    if not codes:
        return {}
    query = select(Ward).where(Ward.code.in_(codes)).options(joinedload(Ward.province))
    return {w.code: w for w in db.session.scalars(query)}


def ward_in_province(ward_code: int, province_code: int) -> Ward | None:
    # The province comes in the same query: the order keeps both names.
    ward = db.session.get(Ward, ward_code, options=[joinedload(Ward.province)])
    if ward is None or ward.province_code != province_code:
        return None
    return ward


def locality_snapshot(province_code: int, ward_code: int) -> dict:
    """The names and data version an order keeps beside the codes (``Order`` columns
    ``province_name``, ``ward_name``, ``locality_version``). Both rows are usually in
    the session already (the form validated them), so this costs no query."""
    province = db.session.get(Province, province_code)
    ward = db.session.get(Ward, ward_code)
    return {
        "province_name": province.name if province else None,
        "ward_name": ward.name if ward else None,
        "locality_version": province.data_version if province else None,
    }
