from flask import Blueprint, abort, jsonify

from shop.extensions import db
from shop.localities.models import Province
from shop.localities.services import wards_of

bp = Blueprint("localities", __name__)


@bp.get("/localities/<int:province_code>/wards.json")
def wards_json(province_code: int):
    if db.session.get(Province, province_code) is None:
        abort(404)
    response = jsonify([{"code": w.code, "name": w.name} for w in wards_of(province_code)])
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response
