"""A failed submit names each error in a summary that links to its field, the
field says it is invalid (aria-invalid, described by its message), and the
summary is what static/js/errors.js focuses."""

import re

from lxml import html


def test_failed_login_summarises_and_links_each_error(client):
    response = client.post("/login", data={"email": "not-an-email", "password": ""})

    assert response.status_code == 400
    page = html.fromstring(response.get_data(as_text=True))
    summary = page.xpath("//*[@data-error-summary]")
    assert len(summary) == 1
    assert summary[0].get("tabindex") == "-1"
    assert summary[0].get("role") == "alert"
    targets = [a.get("href") for a in summary[0].iter("a")]
    assert "#email" in targets
    assert "#password" in targets
    for field_id in ("email", "password"):
        field = page.get_element_by_id(field_id)
        assert field.get("aria-invalid") == "true"
        assert f"{field_id}-error" in field.get("aria-describedby")
        assert page.get_element_by_id(f"{field_id}-error").text_content().strip()
    assert page.xpath('//script[contains(@src, "js/errors.js")]')


def test_a_page_without_errors_has_no_summary(client):
    response = client.get("/login")

    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "data-error-summary" not in body
    assert not re.search(r'aria-invalid="true"', body)


def test_lazy_messages_are_listed_too():
    from flask_babel import lazy_gettext

    from shop.formfields import error_texts

    assert error_texts([lazy_gettext("Bắt buộc."), "Sai."]) == ["Bắt buộc.", "Sai."]
    assert error_texts({"street": ["x"]}) == []
    assert error_texts([["nested"], {"a": 1}]) == []
