"""The API's documentation page: a small page of the shop that reads
/api/v1/openapi.json and lists every operation (static/api/docs.js). No outside
script or stylesheet: Swagger UI and ReDoc load theirs from CDNs by default and
weigh a megabyte; the document itself is the reference."""

from flask import Blueprint, Flask, render_template

from shop.core.edge import cacheable

bp = Blueprint("api_docs", __name__, url_prefix="/api/v1")


@bp.get("/docs")
@cacheable
def docs():
    return render_template("api/docs.html")


def register(app: Flask) -> None:
    app.register_blueprint(bp)
