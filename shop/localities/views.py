from flask import Blueprint, abort, jsonify

from shop.extensions import db
from shop.localities.former import former_ward_names
from shop.localities.models import Province
from shop.localities.services import wards_of

bp = Blueprint("localities", __name__)


@bp.get("/localities/<int:province_code>/wards.json")
def wards_json(province_code: int):
    if db.session.get(Province, province_code) is None:
        abort(404)
    # "former": the wards it was made from before 1 July 2025, so that the ward
    # search (static/js/wards.js) finds "Phường Sài Gòn" by "Bến Nghé".
    response = jsonify(
        [
            {"code": w.code, "name": w.name, "former": list(former_ward_names(w.code))}
            for w in wards_of(province_code)
        ]
    )
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response
