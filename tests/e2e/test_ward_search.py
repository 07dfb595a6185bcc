"""Finding the province and ward at checkout on a phone (375 × 812): type-to-select
in the native province select finds a city by its name, and the ward search finds
a ward without diacritics, even by the name it had before 1 July 2025."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, screenshot
from tests.e2e.test_checkout import add_to_cart, new_page, order_by_number, place_order

pytestmark = pytest.mark.e2e

HA_NOI, HUE, HO_CHI_MINH = 1, 46, 79
SAI_GON = 26740  # Phường Sài Gòn, which Phường Bến Nghé (Quận 1) became


def phone_page(browser, **options):
    page = new_page(browser, width=375)
    page.set_viewport_size({"width": 375, "height": 812})
    return page


def test_type_the_city_then_search_the_ward_by_keyboard(app, live_server, browser, make_listed):
    product = make_listed(name="Cà phê Buôn Ma Thuột", price=150_000, stock=5)
    page = phone_page(browser)
    add_to_cart(page, live_server, product, 1)
    page.goto(f"{live_server}/checkout")
    page.fill("#customer_name", "Nguyễn Văn An")
    page.fill("#phone", "0912345678")

    # A Vietnamese keyboard (Telex, VNI) sends composed characters such as "ồ" as
    # character events; Chromium's DevTools protocol sends the same, one by one.
    cdp = page.context.new_cdp_session(page)

    def type_into_select(text):
        page.wait_for_timeout(1100)  # the select's type-ahead forgets after a second
        for char in text:
            cdp.send("Input.dispatchKeyEvent", {"type": "char", "text": char})

    province = page.locator("#province_code")
    province.focus()
    for typed, code in (("Hải", 31), ("Đà", 48), ("Huế", HUE), ("Hà", HA_NOI), ("Hồ", HO_CHI_MINH)):
        type_into_select(typed)
        expect(province, f"typing {typed!r}").to_have_value(str(code))

    # The ward select became a search box with a list (the select is kept, hidden).
    ward = page.get_by_role("combobox", name="Xã/phường")
    expect(ward).to_be_visible()
    expect(page.locator("#ward_code")).to_have_attribute("aria-hidden", "true")
    expect(page.locator(f"#ward_code option[value='{SAI_GON}']")).to_be_attached()
    ward.click()
    ward.type("ben")
    listbox = page.get_by_role("listbox")
    expect(ward).to_have_attribute("aria-expanded", "true")
    # Current names first ("Phường Bến Thành"), then wards that were once "Bến …".
    expect(listbox.get_by_role("option").first).to_have_text("Phường Bến Cát")
    expect(listbox).to_contain_text("Phường Bến Thành")
    expect(listbox).to_contain_text("Phường Bến Nghé")
    page.locator("h2", has_text="Địa chỉ giao hàng").evaluate("h => h.scrollIntoView()")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "checkout-ward-search-375.png"))
    ward.type(" nghe")
    expect(listbox.get_by_role("option")).to_have_count(1)
    expect(listbox.get_by_role("option").first).to_contain_text("Phường Sài Gòn")
    expect(listbox.get_by_role("option").first).to_contain_text("trước đây: Phường Bến Nghé")

    # Escape closes, the arrow keys reopen and move, Enter chooses.
    page.keyboard.press("Escape")
    expect(ward).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("ArrowDown")
    expect(ward).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    active = ward.get_attribute("aria-activedescendant")
    assert active == f"ward_code-option-{SAI_GON}"
    page.keyboard.press("Enter")
    expect(ward).to_have_attribute("aria-expanded", "false")
    expect(ward).to_have_value("Phường Sài Gòn")
    expect(page.locator("#ward_code")).to_have_value(str(SAI_GON))

    # Diacritics are optional in the search for a current name too.
    ward.fill("")
    ward.type("sai gon")
    expect(listbox.get_by_role("option").first).to_have_text("Phường Sài Gòn")
    page.keyboard.press("Enter")
    expect(page.locator("#ward_code")).to_have_value(str(SAI_GON))

    page.fill("#street", "12 Đường Lê Lợi")
    page.check("input[name=payment_method][value=cod]")
    screenshot(page, "checkout-ward-chosen-375")
    number = place_order(page)
    assert page.js_errors == []

    order = order_by_number(number)
    assert (order.province_code, order.ward_code) == (HO_CHI_MINH, SAI_GON)
    # The order keeps the official names, not the labels of the list.
    assert (order.province_name, order.ward_name) == ("Thành phố Hồ Chí Minh", "Phường Sài Gòn")


def test_without_javascript_the_plain_ward_select_stays(app, live_server, browser, make_listed):
    context = browser.new_context(
        viewport={"width": 375, "height": 812}, locale="vi-VN", java_script_enabled=False
    )
    page = context.new_page()
    product = make_listed(price=150_000, stock=5)
    page.goto(f"{live_server}/products/{product.slug}")
    page.locator("form.add-to-cart button[type=submit]").click()
    page.goto(f"{live_server}/checkout")
    expect(page.get_by_role("combobox", name="Xã/phường")).to_have_count(1)
    expect(page.locator("#ward_code")).to_be_visible()
    expect(page.locator("#ward_code-search")).to_have_count(0)
    page.select_option("#province_code", str(HO_CHI_MINH))
    page.get_by_role("button", name="Tải danh sách xã/phường").click()
    expect(page.locator(f"#ward_code option[value='{SAI_GON}']")).to_be_attached()
    expect(page.locator("#province_code")).to_have_value(str(HO_CHI_MINH))
    context.close()
