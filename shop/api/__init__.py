"""The JSON API under /api/v1/ (issue 15): an OpenAPI 3.1 document made from the
code by flask-smorest, problem details for every error, cursor pagination.

``register(app)`` is called by create_app; it sets the document's defaults (an app
config may override each) and registers the blueprints.
"""

import http

from flask import Flask
from flask_smorest import Api as SmorestApi
from flask_smorest.utils import prepare_response

from shop.api import problems

API_VERSION = "1.1.0"


class Api(SmorestApi):
    """flask-smorest, with our error handling and error documents.

    flask-smorest would register an app-wide HTTPException handler answering JSON
    for every page of the shop; errors of the API are handled by the API blueprints
    and the /api/ prefix instead (shop/api/problems.py), HTML pages by
    shop/core/errors.py. Every documented error answer is a problem (RFC 9457)."""

    def _register_error_handlers(self):
        pass

    def _register_responses(self):
        from shop.api.schemas import Problem

        for status in http.HTTPStatus:
            response: dict = {"description": status.phrase}
            if status >= 400:
                response["schema"] = Problem
            prepare_response(response, self.spec, problems.PROBLEM_JSON)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "A problem (RFC 9457).", "schema": Problem}
        prepare_response(response, self.spec, problems.PROBLEM_JSON)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


def register(app: Flask) -> None:
    from shop.api import docs, producer, views

    for key, value in {
        "API_TITLE": "Chợ OCOP API",
        "API_VERSION": API_VERSION,
        "OPENAPI_VERSION": "3.1.0",
        "OPENAPI_URL_PREFIX": views.URL_PREFIX,
        "OPENAPI_JSON_PATH": "openapi.json",
        "API_SPEC_OPTIONS": {
            "info": {
                "description": (
                    "The certified OCOP catalogue of Chợ OCOP. Money is whole đồng "
                    "(integers); dates are ISO 8601, times in Asia/Ho_Chi_Minh. Lists "
                    "are paged by an opaque `cursor` (`next_cursor`, null on the last "
                    "page). Answers carry an ETag: send If-None-Match for a 304. Every "
                    "error is application/problem+json (RFC 9457)."
                ),
                "license": {"name": "GPL-3.0-or-later", "identifier": "GPL-3.0-or-later"},
            },
            "servers": [{"url": "/"}],
        },
    }.items():
        app.config.setdefault(key, value)
    api = Api(app)  # one per app: the document is the app's (tests build many)
    for bp in views.BLUEPRINTS:
        api.register_blueprint(bp)
    producer.register(api)  # the producer API: tokens, stock, orders (shop/api/producer.py)
    docs.register(app)
    problems.register(app)
