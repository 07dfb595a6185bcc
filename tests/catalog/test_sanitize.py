import pytest

from shop.catalog.sanitize import (
    html_to_markdown,
    plain_text,
    render_markdown,
    sanitize_description,
)


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
    assert 'rel="nofollow ugc noopener"' in clean


def test_plain_text_becomes_paragraphs():
    clean = sanitize_description("Dòng một\nDòng hai\n\nĐoạn 2 < 3 & ba")
    assert clean == "<p>Dòng một<br>Dòng hai</p><p>Đoạn 2 &lt; 3 &amp; ba</p>"


def test_plain_text_for_search():
    assert plain_text("<p>Chè &amp; <b>mật</b></p>") == "Chè & mật"


# --- Markdown, as the editor writes it ------------------------------------------------


def test_markdown_features_of_the_toolbar():
    html = render_markdown(
        "# Chè Shan Tuyết\n\n**Đậm** và *nghiêng*\nxuống dòng\n\n"
        "- một\n- hai\n\n1. ba\n2. bốn\n\n[OCOP](https://ocop.vn)\n\n##### nhỏ"
    )
    assert "<h3>Chè Shan Tuyết</h3>" in html  # the page has its h1 and h2 already
    assert "<h4>nhỏ</h4>" in html
    assert "<strong>Đậm</strong> và <em>nghiêng</em><br>" in html
    assert "<ul>\n<li>một</li>\n<li>hai</li>\n</ul>" in html
    assert "<ol>\n<li>ba</li>\n<li>bốn</li>\n</ol>" in html
    assert '<a href="https://ocop.vn" rel="nofollow ugc noopener">OCOP</a>' in html


@pytest.mark.parametrize(
    "evil",
    [
        "<script>alert(1)</script>",
        "Ngon <script>alert(1)</script> lắm",
        "[bấm](javascript:alert(1))",
        "[bấm](JaVaScRiPt:alert(1))",
        "[bấm](  javascript:alert(1))",
        "[bấm](data:text/html,<script>alert(1)</script>)",
        "[bấm](vbscript:msgbox(1))",
        '<img src=x onerror="alert(1)">',
        '<p onclick="alert(1)">x</p>',
        '<a href="https://ocop.vn" onmouseover="alert(1)">x</a>',
        '<iframe src="https://evil.example"></iframe>',
        '<div style="background:url(javascript:alert(1))">x</div>',
        "<svg onload=alert(1)>",
        "![ảnh](https://evil.example/x.png)",
        "<b>raw</b> <em>html</em> <u>u</u>",
    ],
)
def test_nothing_that_runs_survives_markdown(evil):
    html = render_markdown(evil).lower()
    for needle in (
        "<script",
        "alert(1)</",
        " on",
        'javascript:"',
        'href="java',
        'href="data',
        'vbscript:"',
        "<iframe",
        "<svg",
        "<img",
        "style=",
        "<div",
        "<b>",
        "<u>",
    ):
        assert needle not in html, (evil, html)
    # Raw HTML typed into the Markdown is dropped, tags and all (a script's text too).
    assert "<em>html</em>" not in html or evil.startswith("*")
    assert "alert(1)" not in html or "[bấm]" in html  # an unlinked "[bấm](...)" is just text


def test_raw_html_keeps_its_words_not_its_tags():
    assert render_markdown('<p onclick="x()">Ngon<script>alert(1)</script></p>') == "<p>Ngon</p>"
    assert render_markdown("a <b>đậm</b> c") == "<p>a đậm c</p>"


def test_only_the_editors_tags_come_out():
    import re

    html = render_markdown(
        "# a\n\n> trích\n\n---\n\n`mã`\n\n    khối mã\n\n| a | b |\n|---|---|\n\n"
        "**b** *i* [l](https://x.vn)\n\n- u\n\n1. o"
    )
    tags = set(re.findall(r"<([a-z0-9]+)", html))
    assert tags <= {"p", "br", "strong", "em", "ul", "ol", "li", "h3", "h4", "a"}


def test_html_from_before_the_editor_becomes_markdown_that_renders_the_same():
    legacy = (
        "<h3>Giới thiệu</h3><p>Chè <strong>ngon</strong>, <em>thơm</em> 5*3<br>dòng hai</p>"
        "<ul><li>200 g</li><li>500 g</li></ul><ol><li>pha</li><li>uống</li></ol>"
        '<p><a href="https://ocop.vn" rel="nofollow">OCOP</a></p>'
    )
    source = html_to_markdown(legacy)
    assert source.startswith("### Giới thiệu\n\nChè **ngon**, *thơm* 5\\*3\ndòng hai")
    assert "- 200 g\n- 500 g" in source
    assert "1. pha\n2. uống" in source
    assert render_markdown(source) == render_markdown(html_to_markdown(render_markdown(source)))
    assert "<strong>ngon</strong>" in render_markdown(source)
    assert "5*3" in render_markdown(source)
