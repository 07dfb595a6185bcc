"""The language is in the address: Vietnamese at /, English under /en/. Links on
an English page stay English, old ``?lang=`` links and the old switch redirect, and
static files, media and printed QR codes keep one address."""

import re

from flask import url_for

from shop.core.views import media_url
from shop.i18n import LANGUAGE_KEY, SITE_ROOT_KEY
from tests.helpers_http import assert_redirect


def test_english_pages_live_under_en_and_link_in_english(client, storefront):
    slug = storefront.product.slug
    page = client.get("/en/products").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert f'href="/en/products/{slug}"' in page
    assert 'href="/en/cart"' in page
    assert 'data-session-url="/en/session.json"' in page
    assert re.search(r'href="/static/css/shop\.css', page)  # one address in both languages
    product = client.get(f"/en/products/{slug}").get_data(as_text=True)
    assert 'action="/en/cart/add"' in product
    assert "Add to cart" in product
    vietnamese = client.get("/products").get_data(as_text=True)
    assert '<html lang="vi">' in vietnamese
    assert f'href="/products/{slug}"' in vietnamese
    assert "/en/cart" not in vietnamese


def test_the_switch_is_a_plain_link_to_the_same_page(client, storefront):
    page = client.get("/products?q=che+shan+tuyet&stars=4").get_data(as_text=True)
    assert (
        '<a href="/en/products?q=che+shan+tuyet&amp;stars=4" class="lang-switch" lang="en"'
        ' hreflang="en">English</a>'
    ) in page
    english = client.get("/en/products?q=che+shan+tuyet").get_data(as_text=True)
    assert (
        '<a href="/products?q=che+shan+tuyet" class="lang-switch" lang="vi" hreflang="vi">'
        "Tiếng Việt</a>"
    ) in english


def test_every_page_names_its_other_languages(app, client, storefront):
    base = app.config["PUBLIC_BASE_URL"].rstrip("/")
    slug = storefront.product.slug
    for url in (f"/products/{slug}", f"/en/products/{slug}"):
        page = client.get(url).get_data(as_text=True)
        assert f'<link rel="alternate" hreflang="vi" href="{base}/products/{slug}">' in page
        assert f'<link rel="alternate" hreflang="en" href="{base}/en/products/{slug}">' in page
        assert f'<link rel="alternate" hreflang="x-default" href="{base}/products/{slug}">' in page


def test_old_lang_links_redirect_to_the_address(client):
    assert_redirect(client.get("/products?lang=en&q=che"), "/en/products", 301, {"q": "che"})
    assert_redirect(client.get("/en/products?lang=vi"), "/products", 301, {})
    assert_redirect(client.get("/?lang=en"), "/en/", 301, {})
    # Already in that language, or no language at all: the page itself.
    assert client.get("/products?lang=vi").status_code == 200
    assert client.get("/en/products?lang=en").status_code == 200
    assert client.get("/products?lang=fr").status_code == 200


def test_en_alone_is_the_english_home(client):
    assert_redirect(client.get("/en"), "/en/", 301)
    home = client.get("/en/")
    assert home.status_code == 200
    assert '<html lang="en">' in home.get_data(as_text=True)


def test_the_session_no_longer_chooses(client):
    with client.session_transaction() as session:
        session["lang"] = "en"  # set by the switch before the language was in the address
    assert '<html lang="vi">' in client.get("/products").get_data(as_text=True)


def test_the_old_switch_works_without_a_token(app, client):
    app.config["WTF_CSRF_ENABLED"] = True  # the old form's token may be long gone
    response = client.post("/language", data={"lang": "en", "next": "/products?q=che"})
    assert_redirect(response, "/en/products", 303, {"q": "che"})
    response = client.post("/language", data={"lang": "vi", "next": "/en/cart"})
    assert_redirect(response, "/cart", 303)
    response = client.post("/language", data={"lang": "xx", "next": "/en/cart"})
    assert_redirect(response, "/cart", 303)


def test_redirects_stay_in_the_language(client, storefront):
    response = client.post("/en/cart/add", data={"product_id": storefront.product.id})
    assert_redirect(response, "/en/cart", 303)
    assert "<h1>Cart</h1>" in client.get("/en/cart").get_data(as_text=True)
    assert_redirect(
        client.get("/en/account/orders"), "/en/login", 302, {"next": "/en/account/orders"}
    )


def test_media_and_printed_qr_codes_keep_one_address(app):
    from shop.labels.views import _verify_url

    base = app.config["PUBLIC_BASE_URL"].rstrip("/")
    english = {LANGUAGE_KEY: "en", SITE_ROOT_KEY: ""}
    with app.test_request_context("/", base_url="http://localhost/en", environ_overrides=english):
        assert url_for("verify.verify_page", code="AB12") == "/en/verify/AB12"
        assert _verify_url("AB12") == f"{base}/verify/AB12"  # printed on a Vietnamese label
        assert media_url("photos/ab.webp") == "/media/photos/ab.webp"
