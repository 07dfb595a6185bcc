"""A shopper searches without diacritics, filters by 5 stars and opens a product."""

import pytest

from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e


@pytest.fixture
def demo(runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0


def test_search_filter_and_open_a_product(live_server, page, demo):
    page.goto(f"{live_server}/")
    page.fill("#q", "che shan tuyet")
    page.click("form.search button")
    page.wait_for_url("**/products?q=che+shan+tuyet")
    cards = page.locator(".card-name")
    assert cards.first.inner_text() == "Chè Shan Tuyết Lũng Phìn"

    # Only 5-star products (works without JavaScript: a plain GET form).
    page.check("input[name=stars][value='5']")
    page.click(".filters button[type=submit]")
    page.wait_for_url("**stars=5**")
    assert page.locator(".card-name").all_inner_texts() == ["Hồng trà Shan Tuyết cổ thụ"]
    assert page.locator(".card-stars").first.inner_text().startswith("★★★★★")

    page.click("text=Hồng trà Shan Tuyết cổ thụ")
    page.wait_for_url("**/products/hong-tra-shan-tuyet-co-thu")
    body = page.locator("main").inner_text()
    assert "OCOP 5 sao" in body
    assert "Còn hiệu lực" in body
    assert "Bộ Nông nghiệp và Môi trường" in body
    assert page.js_errors == []


def test_an_expired_product_is_not_listed_but_says_why(live_server, page, demo):
    page.goto(f"{live_server}/products?q=mat+ong+bac+ha")
    names = page.locator(".card-name").all_inner_texts()
    assert "Mật ong Bắc Hà" not in names  # its certificate has expired
    page.goto(f"{live_server}/products/mat-ong-bac-ha")
    assert "đã hết hiệu lực từ ngày" in page.locator("main").inner_text()


@pytest.mark.parametrize("width", [375, 1280])
def test_screenshots(live_server, browser, demo, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    for name, path in [
        ("home", "/"),
        ("listing", "/products?q=che+shan+tuyet"),
        ("product", "/products/che-shan-tuyet-lung-phin"),
    ]:
        page.goto(f"{live_server}{path}")
        # Nothing wider than the screen: no sideways scrolling.
        assert page.evaluate("document.documentElement.scrollWidth") <= width, (name, width)
        screenshot(page, f"{name}-{width}")
    context.close()
