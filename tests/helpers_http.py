"""What a test checks about an answer before it reads any text: the status code,
and for a redirect, where it goes. A page that says the right words over the
wrong status (a 500, a 200 where the form should have gone on) must fail."""

from urllib.parse import parse_qs, urlsplit


def assert_redirect(response, path: str, status: int = 302, query: dict | None = None):
    """Assert that ``response`` is a ``status`` redirect to ``path`` (and exactly
    ``query``, when given); return the response."""
    assert response.status_code == status, (
        f"expected a {status} to {path}, got {response.status_code}"
    )
    target = urlsplit(response.location)
    assert target.path == path, f"redirected to {response.location}, expected {path}"
    if query is not None:
        wanted = {key: [str(value)] for key, value in query.items()}
        assert parse_qs(target.query) == wanted, f"redirected to {response.location}"
    return response


def follow(client, response, path: str, status: int = 302, query: dict | None = None):
    """Assert the redirect as ``assert_redirect`` does, then get its target and
    return that page, which must answer 200."""
    assert_redirect(response, path, status, query)
    page = client.get(response.location)
    assert page.status_code == 200, f"GET {response.location} -> {page.status_code}"
    return page


LANDINGS = {"/", "/staff/", "/producer/", "/centre/"}  # shop.accounts.views.home_for


def assert_signed_in(response):
    """A sign-in that went through: a 302 to the landing page of the user's role
    (buyers on the shop, staff on the console, producers on their dashboard;
    tests/auth/test_auth.py pins which is whose)."""
    assert response.status_code == 302, f"sign-in answered {response.status_code}"
    target = urlsplit(response.location)
    assert target.path in LANDINGS, f"signed in to {response.location}"
    return response
