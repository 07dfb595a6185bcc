"""Through a real nginx ``proxy_cache``: a signed-in customer with a full cart is the
first to ask for the public pages, so her requests fill the cache; an anonymous
visitor then gets those cached pages, and nothing of hers is in them."""

import re

import pytest
import requests

from bench.edge.proxy import NGINX, CachingProxy, available
from tests.conftest import PASSWORD

pytestmark = pytest.mark.skipif(
    not available(), reason=f"nginx not found at {NGINX} (apt-get install -y nginx)"
)


def sign_in(proxy, email) -> requests.Session:
    visitor = requests.Session()
    page = visitor.get(f"{proxy.url}/login", timeout=10)
    assert page.status_code == 200
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
    response = visitor.post(
        f"{proxy.url}/login",
        data={"email": email, "password": PASSWORD, "csrf_token": token},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    return visitor


def test_the_cached_page_holds_nothing_of_the_visitor_who_filled_it(
    live_server, storefront, make_user
):
    make_user(email="an@example.vn", full_name="Trần Thị An")
    make_user(email="binh@example.vn", full_name="Lê Văn Bình")
    product = storefront.product
    with CachingProxy(int(live_server.rsplit(":", 1)[1])) as proxy:
        an = sign_in(proxy, "an@example.vn")
        added = an.post(
            f"{proxy.url}/cart/add",
            data={"product_id": product.id, "quantity": 3},
            headers={"Origin": proxy.url},  # the browser's header; the page has no token
            allow_redirects=False,
            timeout=10,
        )
        assert added.status_code == 303
        assert added.headers["Location"] == "/cart"
        state = an.get(f"{proxy.url}/session.json", timeout=10)
        assert state.status_code == 200
        assert state.headers["Cache-Control"] == "private, no-store"
        mine = state.json()
        assert (mine["name"], mine["cart_count"]) == ("Trần Thị An", 3)
        secrets = ["Trần Thị An", "an@example.vn", mine["csrf_token"], *an.cookies.values()]

        binh = sign_in(proxy, "binh@example.vn")
        assert binh.get(f"{proxy.url}/session.json", timeout=10).json()["name"] == "Lê Văn Bình"
        anonymous = requests.Session()
        assert anonymous.get(f"{proxy.url}/session.json", timeout=10).json()["signed_in"] is False

        for path in storefront.urls:
            # The verification page is asked again each time (never a stale "valid").
            revalidated = path.startswith(("/verify/", "/en/verify/"))
            first = an.get(proxy.url + path, timeout=10)
            assert first.status_code == 200, path
            assert first.headers["X-Cache"] == "MISS", path  # An's request filled the cache
            for other in (anonymous, binh):
                cached = other.get(proxy.url + path, timeout=10)
                assert cached.status_code == 200, path
                assert cached.headers["X-Cache"] == ("MISS" if revalidated else "HIT"), path
                assert cached.headers["Cache-Control"].startswith("public, "), path
                assert "Set-Cookie" not in cached.headers, path
                assert cached.content == first.content, path
                for secret in secrets:
                    assert secret not in cached.text, (path, secret)
                assert set(re.findall(r'name="csrf_token" value="([^"]*)"', cached.text)) <= {""}
        # The personal request is never served from the cache.
        again = anonymous.get(f"{proxy.url}/session.json", timeout=10)
        assert again.headers["X-Cache"] != "HIT"
        assert again.json()["cart_count"] == 0
