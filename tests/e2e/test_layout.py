"""The storefront on a 375x812 phone and a 1366x900 desktop (issue 12): results first,
the header's search and menu everywhere, a gallery that stays in the shop, the buy bar
within reach, and the cart with and without JavaScript."""

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

SHOTS = Path("/work/helpers/shots/layout")
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1366, "height": 900}
PRODUCT = "/products/che-shan-tuyet-lung-phin"  # a demo product with two photos


@pytest.fixture
def demo(runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0


def _context(browser, viewport, **options):
    context = browser.new_context(viewport=viewport, locale="vi-VN", **options)
    page = context.new_page()
    page.set_default_timeout(15000)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.js_errors = errors
    return context, page


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)
    page.screenshot(path=str(SHOTS / f"{name}-full.png"), full_page=True)


def _top(page, selector: str) -> float:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return box["y"]


def _in_shop(live_server, url: str) -> None:
    assert url.startswith(live_server), url
    path = urlsplit(url).path
    assert path == PRODUCT, url  # the product page itself, never a bare image file


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375", "1366"])
def test_layout_facts_at_both_sizes(live_server, browser, demo, viewport):
    width, height = viewport["width"], viewport["height"]
    context, page = _context(browser, viewport)

    # Results first: the first card starts on the first screen, with and without a search.
    for path in ("/products?q=che+shan+tuyet", "/products"):
        response = page.goto(f"{live_server}{path}")
        assert response.status == 200
        assert _top(page, ".grid .card") < height, path
        # Sort is one tap away: its links are visible without opening the filters.
        newest = page.locator(".sort-links a", has_text="Mới nhất")
        assert newest.is_visible()
        # The filters: behind "Lọc" on a phone, open on a desktop.
        stars = page.locator(".filters input[name=stars]").first
        assert stars.is_visible() == (width > 760), path
        assert page.evaluate("document.documentElement.scrollWidth") <= width, path
    if width < 760:
        page.click("summary.filters-toggle")
        assert page.locator(".filters input[name=stars]").first.is_visible()
    newest.click()
    page.wait_for_url(re.compile(r"sort=newest"))
    assert page.locator(".sort-links a[aria-current]").inner_text() == "Mới nhất"

    # The header's search on every page; breadcrumbs on the listing, product and producer pages.
    for path in ("/", "/products", PRODUCT, "/cart", "/legal/rules"):
        response = page.goto(f"{live_server}{path}")
        assert response.status == 200, path
        search = page.locator("header form.header-search[role=search] input[name=q]")
        assert search.is_visible(), path
        assert page.locator("header details.site-menu > summary").is_visible(), path
    page.goto(f"{live_server}/products?q=mat+ong")
    crumbs = page.locator("nav.breadcrumbs[aria-label] ol > li")
    assert crumbs.last.locator("[aria-current=page]").inner_text() == "Tìm “mat ong”"
    assert page.locator("#site-q").input_value() == "mat ong"

    # The header's menu: six industries with their product sets, no script needed.
    page.goto(f"{live_server}/")
    page.click("header details.site-menu > summary")
    industries = page.locator(".site-menu-panel .site-menu-industry")
    assert industries.count() == 6
    page.locator(".site-menu-panel").get_by_role("link", name="Chè", exact=True).click()
    page.wait_for_url(re.compile(r"/products\?set=\d+"))
    trail = page.locator("nav.breadcrumbs ol > li").all_inner_texts()
    assert [t.strip(" ›") for t in trail][-2:] == ["Thực phẩm", "Chè"]

    # The product page: breadcrumbs, the first photo eager, srcset, the gallery in the shop.
    page.goto(f"{live_server}{PRODUCT}")
    trail = page.locator("nav.breadcrumbs ol > li")
    assert trail.last.locator("[aria-current=page]").inner_text() == "Chè Shan Tuyết Lũng Phìn"
    first = page.locator(".gallery-main img").first
    assert first.get_attribute("loading") == "eager"
    assert first.get_attribute("fetchpriority") == "high"
    assert re.search(r" 400w, .+ \d+w$", first.get_attribute("srcset"))
    assert first.get_attribute("sizes")
    thumbs = page.locator(".thumbs a")
    assert thumbs.count() == 2
    for i in range(thumbs.count()):
        href = thumbs.nth(i).get_attribute("href")
        assert href.startswith("#photo-"), href  # an anchor in the page, never the file
    thumbs.nth(1).click()
    expect(thumbs.nth(1)).to_have_attribute("aria-current", "true")
    expect(thumbs.nth(0)).not_to_have_attribute("aria-current", "true")
    # The strip slid to the second photo (polled: the slide is smooth).
    for _ in range(50):
        if page.locator("[data-gallery]").evaluate("el => el.scrollLeft") > 0:
            break
        page.wait_for_timeout(100)
    assert page.locator("[data-gallery]").evaluate("el => el.scrollLeft") > 0
    _in_shop(live_server, page.url)
    # Star rank: one image named "4 trên 5 sao".
    star = page.locator(".ocop-badge .stars")
    assert star.get_attribute("role") == "img"
    assert star.get_attribute("aria-label") == "4 trên 5 sao"
    # The buy bar: within the first screen, its button visible without scrolling.
    button = page.locator("form.add-to-cart button[type=submit]")
    box = button.bounding_box()
    assert box is not None
    assert box["y"] >= 0, box
    assert box["y"] + box["height"] <= height, box
    if width < 760:
        # Fixed at the bottom, and the body keeps room for it: the end of the page shows.
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        bar = page.locator(".buy-bar").bounding_box()
        footer_end = page.evaluate(
            "document.querySelector('.footer-operator').getBoundingClientRect().bottom"
        )
        assert footer_end <= bar["y"], (footer_end, bar)
    assert page.js_errors == []

    # Screenshots: home, listing, product, cart (with one line in it).
    size = str(width)
    page.goto(f"{live_server}/")
    _shot(page, f"home-{size}")
    page.goto(f"{live_server}/products?q=che+shan+tuyet")
    _shot(page, f"listing-{size}")
    page.goto(f"{live_server}{PRODUCT}")
    _shot(page, f"product-{size}")
    page.locator("form.add-to-cart button[type=submit]").click()
    page.locator("[data-cart-status]").filter(has_text="Đã thêm").wait_for()
    page.goto(f"{live_server}/cart")
    _shot(page, f"cart-{size}")
    if width < 760:
        page.goto(f"{live_server}/")
        page.click("header details.site-menu > summary")
        _shot(page, f"menu-{size}")
    context.close()


def test_add_to_cart_without_leaving_the_page(live_server, browser, demo):
    context, page = _context(browser, PHONE)
    page.goto(f"{live_server}{PRODUCT}")
    navigations = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    page.fill("#quantity", "2")
    page.locator("form.add-to-cart button[type=submit]").click()
    status = page.locator("[data-cart-status][role=status]")
    status.filter(has_text="Đã thêm “Chè Shan Tuyết Lũng Phìn” vào giỏ hàng.").wait_for()
    assert status.is_visible()
    assert page.locator(".cart-link .badge").inner_text() == "2"
    assert navigations == []
    assert page.url == f"{live_server}{PRODUCT}"

    # The cart: a thumbnail per line, and + / − change the quantity in place.
    page.goto(f"{live_server}/cart")
    line = page.locator("tr[data-product-id]")
    assert line.locator("img.cart-thumb").count() == 1
    navigations.clear()
    page.locator("button.step", has_text="+").click()
    page.locator("input.qty[value='3']").wait_for()
    assert page.locator(".cart-link .badge").inner_text() == "3"
    page.locator("button.step", has_text="−").click()
    page.locator("input.qty[value='2']").wait_for()
    assert page.locator(".cart-link .badge").inner_text() == "2"
    assert page.evaluate("document.activeElement.id").startswith("dec-")  # focus stays put
    assert navigations == []
    assert page.js_errors == []
    context.close()


def test_without_javascript_the_forms_post(live_server, browser, demo):
    context, page = _context(browser, PHONE, java_script_enabled=False)
    page.goto(f"{live_server}{PRODUCT}")
    with page.expect_navigation():
        page.locator("form.add-to-cart button[type=submit]").click()
    assert urlsplit(page.url).path == "/cart"
    assert "Đã thêm “Chè Shan Tuyết Lũng Phìn” vào giỏ hàng." in page.locator("main").inner_text()
    assert page.locator("input.qty").input_value() == "1"
    with page.expect_navigation():
        page.locator("button.step", has_text="+").click()
    assert urlsplit(page.url).path == "/cart"
    assert page.locator("input.qty").input_value() == "2"
    # The gallery's thumbnails are in-page links: the address stays the product's.
    page.goto(f"{live_server}{PRODUCT}")
    page.locator(".thumbs a").nth(1).click()
    assert page.url == f"{live_server}{PRODUCT}#photo-2"
    # The header's menu is a <details>: it opens without a script.
    page.click("header details.site-menu > summary")
    assert page.locator(".site-menu-panel .site-menu-industry").first.is_visible()
    context.close()
