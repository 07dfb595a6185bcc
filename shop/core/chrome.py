"""The page chrome every visitor shares, rendered once per process and language.

The header's guest links, the catalogue menu and the footer are the same bytes on
every page a visitor without a session sees (``templates/_chrome/``): some forty
links and as many translated strings, most of the cost of a cached listing page.
``chrome(name)`` renders such a fragment once per (app, language, script root) and
then reuses it: what it shows changes only with a deploy (templates, translations,
the operator's identity in the configuration) or a migration (the taxonomy).

In debug mode nothing is kept, so an edited template shows at once.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app, g, render_template, request
from markupsafe import Markup

from shop.i18n import current_language

OPERATOR_KEYS = (
    "OPERATOR_NAME",
    "OPERATOR_ADDRESS",
    "OPERATOR_REGISTRATION",
    "OPERATOR_PHONE",
    "OPERATOR_EMAIL",
    "OPERATOR_MOIT_NOTICE",
)


def _menu_kept() -> bool:
    # catalog_menu() answers () when the database is away: keep no empty menu. The
    # tests keep none either (MENU_PROCESS_SECONDS = 0), so that a page's statements
    # do not depend on the pages before it.
    return bool(g.get("catalog_menu")) and current_app.config["MENU_PROCESS_SECONDS"] > 0


def _operator() -> tuple:
    # The footer shows the operator's identity from the configuration.
    return tuple(current_app.config.get(name) for name in OPERATOR_KEYS)


@dataclass(frozen=True)
class Fragment:
    keep_if: Callable[[], bool] | None = None  # kept only when this says so, after rendering
    varies_with: Callable[[], tuple] | None = None  # what else the fragment shows


FRAGMENTS = {
    "guest_nav": Fragment(),
    "menu": Fragment(keep_if=_menu_kept),
    "footer": Fragment(varies_with=_operator),
}


def chrome(name: str) -> Markup:
    fragment = FRAGMENTS[name]
    kept: dict = current_app.extensions["chrome"]
    key = (name, current_language(), request.script_root)
    if fragment.varies_with is not None:
        key += fragment.varies_with()
    html = kept.get(key)
    if html is None:
        html = Markup(render_template(f"_chrome/{name}.html"))  # noqa: S704 (our template)
        if not current_app.debug and (fragment.keep_if is None or fragment.keep_if()):
            kept[key] = html
    return html


def register(app: Flask) -> None:
    app.extensions["chrome"] = {}
    app.jinja_env.globals["chrome"] = chrome
