"""Where a browser lands after signing in (shop.accounts.views.home_for): the shop
for buyers, /staff/ for staff, /producer/ for producers."""

from tests.helpers_http import LANDINGS


def signed_in_landing(live_server: str):
    """A predicate for ``page.wait_for_url``: one of the landing pages."""
    pages = {live_server + path for path in LANDINGS}
    return lambda url: url in pages
