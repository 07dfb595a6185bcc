"""Pages of a long list (staff orders, the register, the audit log, ...).

``paginate(query, per_page)`` reads ``?page=`` from the request: anything that is
not a positive whole number is page 1; a page after the last one is a 404 (a
readable page, never a 500). The query keeps its own ordering; exports (CSV) run
the query without this, so they still hold every row. The pages are shown with
the ``pager`` macro of templates/_pager.html, whose links keep the other query
arguments (the filters).
"""

from dataclasses import dataclass
from typing import Any

from flask import abort, request, url_for
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

from shop.extensions import db


def page_number(param: str = "page") -> int:
    raw = (request.args.get(param) or "").strip()
    if not raw.isdigit() or len(raw) > 9:
        return 1
    return max(1, int(raw))


@dataclass
class Pager:
    """One page of rows and what the ``pager`` macro needs to link the others."""

    pagination: Pagination
    param: str = "page"

    @property
    def items(self) -> list:
        return list(self.pagination.items)

    @property
    def page(self) -> int:
        return self.pagination.page

    @property
    def pages(self) -> int:
        return max(1, self.pagination.pages)

    @property
    def total(self) -> int:
        return self.pagination.total or 0

    def url(self, page: int) -> str:
        """This page's address at another page, every other query argument kept."""
        args = request.args.to_dict(flat=False)
        args.pop(self.param, None)
        if page > 1:
            args[self.param] = [str(page)]
        assert request.endpoint is not None  # a routed request
        values: dict[str, Any] = {**(request.view_args or {}), **args}
        return url_for(request.endpoint, **values)


def paginate(query: Select, per_page: int, param: str = "page") -> Pager:
    page = page_number(param)
    pagination = db.paginate(query, page=page, per_page=per_page, error_out=False, count=True)
    if page > max(1, pagination.pages):
        abort(404)
    return Pager(pagination, param)
