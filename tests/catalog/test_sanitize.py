import pytest

from shop.catalog.sanitize import plain_text, sanitize_description


@pytest.mark.parametrize(
    "evil",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        '<a href="javascript:alert(1)">x</a>',
        '<a href="JaVaScRiPt:alert(1)">x</a>',
        '<p onclick="alert(1)">x</p>',
        '<iframe src="https://evil.example"></iframe>',
        '<svg onload="alert(1)"></svg>',
        '<p style="background:url(javascript:alert(1))">x</p>',
        '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    ],
)
def test_nothing_that_runs_survives(evil):
    clean = sanitize_description(evil).lower()
    for needle in (
        "<script",
        "onerror",
        "onclick",
        "onload",
        "javascript:",
        "<iframe",
        "<svg",
        "style=",
        "data:",
    ):
        assert needle not in clean


def test_simple_formatting_and_links_survive():
    html = (
        '<p>Chè <strong>ngon</strong></p><ul><li>200 g</li></ul><a href="https://ocop.vn">OCOP</a>'
    )
    clean = sanitize_description(html)
    assert "<strong>ngon</strong>" in clean
    assert "<li>200 g</li>" in clean
    assert 'href="https://ocop.vn"' in clean
    assert 'rel="nofollow noopener noreferrer"' in clean


def test_plain_text_becomes_paragraphs():
    clean = sanitize_description("Dòng một\nDòng hai\n\nĐoạn 2 < 3 & ba")
    assert clean == "<p>Dòng một<br>Dòng hai</p><p>Đoạn 2 &lt; 3 &amp; ba</p>"


def test_plain_text_for_search():
    assert plain_text("<p>Chè &amp; <b>mật</b></p>") == "Chè & mật"
