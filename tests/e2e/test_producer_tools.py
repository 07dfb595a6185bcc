"""The producer's tools in a browser at a phone's and a desktop's size: the Markdown
toolbar and its server-rendered preview, the photo order, the archive dialog, the
upload progress and the label sheet form. Screenshots go to test-artifacts/."""

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.factories import PASSWORD

SIZES = {"phone": (375, 812), "desktop": (1366, 900)}


def _png(color, size=(300, 300)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def _log_in(page, live_server, email):
    page.goto(f"{live_server}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_url(f"{live_server}/producer/")


@pytest.mark.parametrize("size", sorted(SIZES))
def test_producer_tools(live_server, page, make_user, make_producer, make_listed, size, tmp_path):
    owner = make_user(email=f"owner-{size}@example.vn")
    product = make_listed("Chè Shan Tuyết Lũng Phìn", producer=make_producer(owner=owner))
    page.set_viewport_size(dict(zip(("width", "height"), SIZES[size], strict=True)))
    _log_in(page, live_server, owner.email)
    edit = f"{live_server}/producer/products/{product.id}"
    page.goto(edit)

    # The toolbar writes Markdown; the preview is what the server will save.
    source = page.locator("#description")
    source.fill("Chè cổ thụ vùng cao\n")
    source.press("End")
    page.get_by_role("button", name="Tiêu đề").click()
    page.keyboard.type("Cách pha")
    source.press("End")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Danh sách dấu chấm").click()
    page.keyboard.type("Nước 90 độ")
    source.press("End")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")  # a blank line ends the list
    page.get_by_role("button", name="Chữ đậm (Ctrl+B)").click()
    page.keyboard.type("ngon")
    preview = page.locator("[data-md-preview]")
    expect(preview.locator("h3")).to_have_text("Cách pha")
    expect(preview.locator("li").first).to_have_text("Nước 90 độ")
    expect(preview.locator("strong")).to_have_text("ngon")
    page.locator(".md-editor").scroll_into_view_if_needed()
    screenshot(page, f"producer-editor-{size}")

    # Photos: upload three with the progress bar, then make the third the main one.
    files = []
    for n, color in enumerate([(200, 40, 40), (40, 160, 60), (40, 60, 200)]):
        path = tmp_path / f"{n}.png"
        path.write_bytes(_png(color))
        files.append(str(path))
    page.set_input_files("#photos", files)
    page.get_by_role("button", name="Tải ảnh lên").click()
    page.wait_for_url(f"{edit}#product-photos")
    expect(page.locator(".photo-item")).to_have_count(3)
    expect(page.get_by_text("Đã thêm 3 ảnh.")).to_be_visible()
    page.get_by_role("button", name="Đặt ảnh 3 làm ảnh chính").click()
    expect(page.get_by_text("Đã đặt làm ảnh chính.")).to_be_visible()
    page.locator("#product-photos").scroll_into_view_if_needed()
    screenshot(page, f"producer-photos-{size}")

    # Archiving asks first, in a dialog; "no" changes nothing.
    page.get_by_role("link", name="Lưu trữ…").click()
    dialog = page.locator("#archive-dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_role("link", name="Không, quay lại").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("p .badge").first).to_have_text("Đang đăng bán")

    assert page.js_errors == []

    # The label sheet form, refused (a 400 with the form): quantity 0, start at cell 5
    # of a partly used sheet, drawn on the sheet map.
    page.goto(f"{live_server}/labels/?layout=3x8&quantity=0&start=5")
    expect(page.locator("[data-error-summary]")).to_be_visible()
    expect(page.locator(".sheet-map span.used")).to_have_count(4)
    screenshot(page, f"producer-labels-{size}")
