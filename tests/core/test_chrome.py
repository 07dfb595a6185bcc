"""The chrome every visitor shares (shop/core/chrome.py): rendered once per process
and language, and never a fragment of another language or another operator."""

from flask import template_rendered
from lxml import html


def chrome_renders(app, client, path):
    rendered = []

    def record(sender, template, context, **extra):
        if template.name.startswith("_chrome/"):
            rendered.append(template.name)

    template_rendered.connect(record, app)
    try:
        response = client.get(path)
    finally:
        template_rendered.disconnect(record, app)
    assert response.status_code == 200
    return response, rendered


def test_the_chrome_is_rendered_once_then_reused(app, client):
    app.config["MENU_PROCESS_SECONDS"] = 300  # as in production (the tests keep no menu)
    first, rendered = chrome_renders(app, client, "/products")
    assert sorted(rendered) == [
        "_chrome/footer.html",
        "_chrome/guest_nav.html",
        "_chrome/menu.html",
    ]
    again, rendered = chrome_renders(app, client, "/products")
    assert rendered == []
    assert again.data == first.data
    page = html.fromstring(again.data)
    assert page.xpath("//details[@class='site-menu']//a[@class='site-menu-industry']")
    assert page.xpath("//footer//address")


def test_each_language_has_its_own_chrome(app, client):
    chrome_renders(app, client, "/products")
    english, rendered = chrome_renders(app, client, "/en/products")
    assert "_chrome/footer.html" in rendered
    footer = html.fromstring(english.data).find(".//footer")
    assert 'href="/en/legal/rules"' in html.tostring(footer, encoding="unicode")
    again, _ = chrome_renders(app, client, "/products")
    footer = html.fromstring(again.data).find(".//footer")
    assert "Quy chế hoạt động" in footer.text_content()
    assert 'href="/legal/rules"' in html.tostring(footer, encoding="unicode")


def test_the_footer_follows_the_operators_identity(app, client):
    client.get("/products")
    app.config["OPERATOR_NAME"] = "Hợp tác xã Vận Hành Mới"
    response, rendered = chrome_renders(app, client, "/products")
    assert "_chrome/footer.html" in rendered
    footer = html.fromstring(response.data).find(".//footer")
    assert "Hợp tác xã Vận Hành Mới" in footer.text_content()


def test_the_taxonomy_is_kept_in_the_process_when_configured(app, client, count_queries):
    app.config["MENU_PROCESS_SECONDS"] = 300
    app.extensions.pop("catalog_menu", None)
    client.get("/products")
    count_queries.clear()
    assert client.get("/products").status_code == 200
    assert not [s for s in count_queries if "FROM industries" in s]
    app.config["MENU_PROCESS_SECONDS"] = 0
    app.extensions.pop("catalog_menu", None)
    count_queries.clear()
    assert client.get("/products").status_code == 200
    assert [s for s in count_queries if "FROM industries" in s]
