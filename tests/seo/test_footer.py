"""The business information a Vietnamese marketplace shows on every page (Decree 52/2013
as amended by Decree 85/2021, Art. 29)."""

from lxml import html


def test_footer_names_the_operator_and_links_the_rules(app, client):
    app.config["OPERATOR_MOIT_NOTICE"] = "Đã đăng ký, số 123/TMĐT"
    response = client.get("/")
    assert response.status_code == 200
    footer = html.fromstring(response.data).find(".//footer")
    links = {a.get("href") for a in footer.iter("a")}
    for path in (
        "/legal/rules",
        "/legal/operator",
        "/legal/privacy",
        "/legal/returns",
        "/legal/complaints",
        "/complaints/new",
        "/certificates",
    ):
        assert path in links, path
    config = app.config
    assert f"tel:{config['OPERATOR_PHONE'].replace(' ', '')}" in links
    assert f"mailto:{config['OPERATOR_EMAIL']}" in links
    text = footer.text_content()
    for key in (
        "OPERATOR_NAME",
        "OPERATOR_ADDRESS",
        "OPERATOR_REGISTRATION",
        "OPERATOR_MOIT_NOTICE",
    ):
        assert config[key] in text, key
